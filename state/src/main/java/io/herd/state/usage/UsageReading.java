package io.herd.state.usage;

import static java.util.Objects.requireNonNull;

/**
 * One sample of one series.
 *
 * @param time          epoch seconds, chosen by the leader when the report arrived
 * @param cpuMillicores average cpu over the agent's interval
 * @param memoryBytes   memory in use at the end of it (stored rounded to {@link UsageBlock#MEMORY_UNIT_BYTES})
 */
public record UsageReading(UsageSource source, long time, long cpuMillicores, long memoryBytes) {
    public UsageReading {
        requireNonNull(source, "source is null");
        if (cpuMillicores < 0 || memoryBytes < 0) {
            throw new IllegalArgumentException("usage is never negative");
        }
    }
}
