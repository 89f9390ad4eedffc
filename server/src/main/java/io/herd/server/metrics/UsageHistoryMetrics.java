package io.herd.server.metrics;

import io.herd.state.StateStore;
import io.herd.state.usage.UsageHistory;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The size of this replica's usage history (behind {@code herd top}), read at scrape time: what it costs in memory
 * and in snapshots, to watch against the retention.
 */
public final class UsageHistoryMetrics implements MultiCollector {
    private final StateStore store;

    public UsageHistoryMetrics(StateStore store) {
        this.store = store;
    }

    @Override
    public MetricSnapshots collect() {
        UsageHistory.Stats stats = store.usage().stats();
        MetricFamilies families = new MetricFamilies()
                .gauge("herd_usage_series", "Task and node series in the usage history.")
                .gauge("herd_usage_samples", "Usage readings (time, cpu, memory) stored in the usage history.")
                .gauge("herd_usage_encoded_bytes", "Bytes of encoded usage samples held by the usage history.")
                .gauge("herd_usage_retention_seconds", "How long the usage history keeps samples; 0 when it is off.");
        families.add("herd_usage_series", stats.series());
        families.add("herd_usage_samples", stats.samples());
        families.add("herd_usage_encoded_bytes", stats.encodedBytes());
        families.add("herd_usage_retention_seconds", store.usage().retention().toSeconds());
        return families.build();
    }
}
