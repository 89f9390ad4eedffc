package io.herd.api;

import java.time.Instant;

/**
 * What the agent reports of one task. {@code pid} is set while running; {@code exitCode} and {@code reason}
 * ({@code Completed}, {@code Error}, {@code OOMKilled}, {@code Killed}, {@code StartFailed}) once it exited.
 */
public record TaskState(
        TaskStatus status,
        Long pid,
        Integer exitCode,
        String reason,
        String message,
        int restarts,
        Instant startTime,
        Instant finishTime) {
    public static TaskState pending() {
        return new TaskState(TaskStatus.PENDING, null, null, null, null, 0, null, null);
    }
}
