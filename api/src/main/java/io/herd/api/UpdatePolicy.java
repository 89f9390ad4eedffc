package io.herd.api;

import java.time.Duration;

/**
 * How a group moves to a new version (a rolling update, see the scheduler's {@code Reconciler}).
 *
 * @param maxParallel      how many instances are replaced at a time; at least {@code count - maxParallel}
 *                         healthy instances keep serving throughout
 * @param minHealthyTime   how long a new instance must be healthy before the update moves on
 * @param healthyDeadline  a new instance not healthy by then is unhealthy and fails the deployment
 * @param autoRevert       a failed deployment registers the last version whose deployment succeeded again
 * @param maxSurge         how many new instances may be placed beside the old ones before those stop (extra to
 *                         {@code count}, used before any old instance stops)
 * @param progressDeadline the deployment fails when no new instance became healthy for this long
 * @param canary           new instances placed beside the old ones before the update pauses for a promotion
 * @param autoPromote      promote once every canary is healthy, without {@code herd promote}
 */
public record UpdatePolicy(
        int maxParallel,
        Duration minHealthyTime,
        Duration healthyDeadline,
        boolean autoRevert,
        int maxSurge,
        Duration progressDeadline,
        int canary,
        boolean autoPromote) {
    public static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofMinutes(10);
    public static final UpdatePolicy DEFAULT = new UpdatePolicy(1, Duration.ofSeconds(10), Duration.ofMinutes(5), false);

    public UpdatePolicy {
        progressDeadline = progressDeadline == null ? DEFAULT_PROGRESS_DEADLINE : progressDeadline;
    }

    public UpdatePolicy(int maxParallel, Duration minHealthyTime, Duration healthyDeadline, boolean autoRevert) {
        this(maxParallel, minHealthyTime, healthyDeadline, autoRevert, 0, DEFAULT_PROGRESS_DEADLINE, 0, false);
    }
}
