package io.herd.api;

import java.time.Duration;

/** How a group moves to a new version. */
public record UpdatePolicy(int maxParallel, Duration minHealthyTime, Duration healthyDeadline, boolean autoRevert) {
    public static final UpdatePolicy DEFAULT = new UpdatePolicy(1, Duration.ofSeconds(10), Duration.ofMinutes(5), false);
}
