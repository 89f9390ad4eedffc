package io.herd.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * This server's Raft member: role, term, commit and apply indexes (read from Ratis at scrape time) and how long
 * proposals take until the leader has applied them.
 */
public final class RaftMetrics {
    /** The roles a member can be in, each a series of {@code herd_raft_role}. */
    static final List<String> ROLES = List.of("leader", "follower", "candidate", "listener");

    /** What Ratis says about this member right now. */
    public record RaftStatus(String role, long term, long commitIndex, long appliedIndex) {}

    private final Histogram applyDuration;
    private final Counter proposalFailures;
    private volatile Supplier<Optional<RaftStatus>> status = Optional::empty;

    RaftMetrics(PrometheusRegistry registry) {
        applyDuration = Histogram.builder().name("herd_raft_apply_duration_seconds")
                .help("Time from proposing a command until the leader has committed and applied it, by command.")
                .labelNames("command").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20)
                .register(registry);
        proposalFailures = Counter.builder().name("herd_raft_proposal_failures_total")
                .help("Proposals that were not committed (no leader, timeout), by command.")
                .labelNames("command").register(registry);
        GaugeWithCallback.builder().name("herd_raft_role")
                .help("1 for the Raft role this server is in (leader, follower, candidate, listener), 0 for the others.")
                .labelNames("role")
                .callback(callback -> status.get().ifPresent(current -> ROLES.forEach(role ->
                        callback.call(role.equals(current.role()) ? 1 : 0, role))))
                .register(registry);
        GaugeWithCallback.builder().name("herd_raft_term").help("The current Raft term.")
                .callback(callback -> status.get().ifPresent(current -> callback.call(current.term())))
                .register(registry);
        GaugeWithCallback.builder().name("herd_raft_commit_index").help("Index of the last committed Raft log entry.")
                .callback(callback -> status.get().ifPresent(current -> callback.call(current.commitIndex())))
                .register(registry);
        GaugeWithCallback.builder().name("herd_raft_applied_index")
                .help("Index of the last Raft log entry applied to this server's state machine.")
                .callback(callback -> status.get().ifPresent(current -> callback.call(current.appliedIndex())))
                .register(registry);
    }

    /** Where to read the member's status from at scrape time (the member starts after the metrics exist). */
    public void watch(Supplier<Optional<RaftStatus>> source) {
        this.status = source;
    }

    /** A proposal of {@code command} (its type name) was applied after {@code elapsed}. */
    public void applied(String command, Duration elapsed) {
        applyDuration.labelValues(command).observe(elapsed.toNanos() / 1e9);
    }

    public void proposalFailed(String command) {
        proposalFailures.labelValues(command).inc();
    }
}
