package io.herd.api;

import java.time.Duration;

/**
 * What the agent does when a task exits: restart it up to {@code attempts} times within {@code interval},
 * waiting {@code delay} (doubled after each restart in the interval, capped at {@code maxDelay}) before each
 * restart; past that the instance fails and the server places a replacement.
 */
public record RestartPolicy(int attempts, Duration interval, Duration delay, Duration maxDelay) {
    public static final RestartPolicy DEFAULT_SERVICE =
            new RestartPolicy(3, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(1));
    public static final RestartPolicy DEFAULT_BATCH =
            new RestartPolicy(3, Duration.ofMinutes(5), Duration.ofSeconds(5), Duration.ofMinutes(1));

    /** The delay before restart number {@code restartNumber} (1-based) within the current interval. */
    public Duration delayBeforeRestart(int restartNumber) {
        Duration current = delay;
        for (int i = 1; i < restartNumber && current.compareTo(maxDelay) < 0; i++) {
            current = current.multipliedBy(2);
        }
        return current.compareTo(maxDelay) > 0 ? maxDelay : current;
    }
}
