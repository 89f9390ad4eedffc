package io.herd.api;

import java.time.Instant;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * A problem the agent's detectors look for on its node, like a Kubernetes node condition: {@code type} (e.g.
 * {@code DiskPressure}), {@code status} ({@code true} when the problem is present, {@code false} when it is not,
 * {@code unknown} when nothing on the node can tell), a short {@code reason}, a readable {@code message} and
 * {@code since}, when the status last changed. The agent reports its conditions only when one changes.
 */
public record NodeCondition(String type, ConditionStatus status, String reason, String message, Instant since) {
    public static final String DISK_PRESSURE = "DiskPressure";
    public static final String INODE_PRESSURE = "InodePressure";
    public static final String MEMORY_PRESSURE = "MemoryPressure";
    public static final String PID_PRESSURE = "PIDPressure";
    public static final String FILE_DESCRIPTOR_PRESSURE = "FileDescriptorPressure";
    public static final String CLOCK_UNSYNCHRONIZED = "ClockUnsynchronized";
    public static final String KERNEL_OOM_KILL = "KernelOOMKill";
    public static final String DRIVER_UNAVAILABLE = "DriverUnavailable";
    public static final String DRIVER_DEGRADED = "DriverDegraded";

    /**
     * The conditions that stop new placements on the node while they are true: the node cannot safely take more
     * work. The others only warn (an event and a column in {@code herd nodes}).
     */
    public static final Set<String> SEVERE = Set.of(DISK_PRESSURE, MEMORY_PRESSURE, PID_PRESSURE, DRIVER_UNAVAILABLE);

    public NodeCondition {
        requireNonNull(type, "type is null");
        status = status == null ? ConditionStatus.UNKNOWN : status;
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }

    /** Whether the problem is present. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isTrue() {
        return status == ConditionStatus.TRUE;
    }

    /** Whether the problem is present and stops new placements on the node. */
    public boolean blocksPlacement() {
        return isTrue() && SEVERE.contains(type);
    }

    /**
     * The scheduler's rejection reason for a severe condition, in words a user reads in {@code herd status}:
     * {@code node has disk pressure}.
     */
    public String rejectionReason() {
        return switch (type) {
            case DISK_PRESSURE -> "node has disk pressure";
            case MEMORY_PRESSURE -> "node has memory pressure";
            case PID_PRESSURE -> "node has pid pressure";
            case DRIVER_UNAVAILABLE -> "node has a driver unavailable";
            default -> "node has condition " + type;
        };
    }

    /** The same condition with another status, reason and message; {@code since} moves only when the status does. */
    public NodeCondition update(ConditionStatus newStatus, String newReason, String newMessage, Instant now) {
        return new NodeCondition(type, newStatus, newReason, newMessage, newStatus == status ? since : now);
    }
}
