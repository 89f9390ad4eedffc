package io.herd.server.metrics;

import io.herd.state.StateStore;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Every metric of one server, in one registry of its own (so a server and an agent in one process, as in
 * {@code herd dev}, each serve only theirs): the HTTP API, the Raft member, the scheduler, the cluster state
 * and the JVM. {@link #scrape()} writes them in the Prometheus text format.
 */
public final class ServerMetrics {
    /** The content type of {@link #scrape()}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final HttpMetrics http;
    private final RaftMetrics raft;
    private final SchedulerMetrics scheduler;

    public ServerMetrics(StateStore store) {
        http = new HttpMetrics(registry);
        raft = new RaftMetrics(registry);
        scheduler = new SchedulerMetrics(registry);
        registry.register(new ClusterStateMetrics(store));
        registry.register(new UsageHistoryMetrics(store));
        JvmMetrics.builder().register(registry);
    }

    public HttpMetrics http() {
        return http;
    }

    public RaftMetrics raft() {
        return raft;
    }

    public SchedulerMetrics scheduler() {
        return scheduler;
    }

    /** Every metric now, in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }
}
