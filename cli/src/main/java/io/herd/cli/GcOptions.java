package io.herd.cli;

import io.herd.api.GcPolicy;
import io.herd.server.ServerConfig;
import picocli.CommandLine.Option;

import java.time.Duration;

/**
 * The garbage collection options of {@code herd server} and {@code herd dev}: the cluster default for jobs without
 * a {@code gc} policy of their own, and how often the leader collects.
 */
final class GcOptions {
    @Option(names = "--gc-keep-finished", paramLabel = "N", defaultValue = "10",
            description = "Keep the newest N finished instances (with their logs and directories) of each instance "
                    + "index of a job without its own gc policy (default: ${DEFAULT-VALUE}).")
    int keepFinished;

    @Option(names = "--gc-keep-for", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "And none longer than DURATION after it ended, e.g. 24h (default: no time limit).")
    Duration keepFor;

    @Option(names = "--gc-interval", paramLabel = "DURATION", defaultValue = "30s",
            converter = Converters.DurationConverter.class,
            description = "How often the leader collects finished instances (default: ${DEFAULT-VALUE}).")
    Duration interval;

    /** The options applied to {@code config}; a problem is returned as a message for a usage error. */
    String problem() {
        if (keepFinished < 0) {
            return "--gc-keep-finished must be 0 or more";
        }
        if (keepFor != null && (keepFor.isZero() || keepFor.isNegative())) {
            return "--gc-keep-for must be more than 0";
        }
        if (interval.isZero() || interval.isNegative()) {
            return "--gc-interval must be more than 0";
        }
        return null;
    }

    ServerConfig applyTo(ServerConfig config) {
        return config.withGc(new GcPolicy(keepFinished, keepFor), interval);
    }
}
