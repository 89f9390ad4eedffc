package io.herd.api;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A drain in progress on a node: since {@code startTime}, its service instances move away within each group's
 * {@code max_parallel}; batch instances may finish until {@code deadline}, when whatever is left is stopped.
 * {@code deadlineReached} records that the leader already stopped what was left.
 */
public record NodeDrain(Instant startTime, Instant deadline, boolean deadlineReached) {
    public NodeDrain {
        requireNonNull(startTime, "startTime is null");
        requireNonNull(deadline, "deadline is null");
    }
}
