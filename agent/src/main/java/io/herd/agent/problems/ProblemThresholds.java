package io.herd.agent.problems;

import java.time.Duration;

/**
 * When the agent's detectors call something a problem, with the defaults in one place ({@link #DEFAULT}). Each
 * percentage is of the resource in use (or taken) at or above which the condition is true.
 *
 * @param diskPercent        bytes used on the filesystem of the agent's data directory
 * @param inodePercent       inodes used on that filesystem
 * @param memoryPercent      memory not available ({@code MemTotal - MemAvailable}) of {@code MemTotal}
 * @param pidPercent         threads of {@code min(pid_max, threads-max)}
 * @param fileDescriptorPercent file handles allocated of {@code fs.file-max} ({@code /proc/sys/fs/file-nr})
 * @param oomKillWindow      how long a kernel OOM kill keeps {@code KernelOOMKill} true
 * @param interval           how often the detectors run
 * @param probeTimeout       how long a probe command (a driver's binary, the clock tools) may take before it is
 *                           considered hanging
 */
public record ProblemThresholds(
        int diskPercent,
        int inodePercent,
        int memoryPercent,
        int pidPercent,
        int fileDescriptorPercent,
        Duration oomKillWindow,
        Duration interval,
        Duration probeTimeout) {
    public static final ProblemThresholds DEFAULT = new ProblemThresholds(90, 90, 95, 90, 90, Duration.ofMinutes(10),
            Duration.ofSeconds(10), Duration.ofSeconds(10));

    public ProblemThresholds {
        for (int percent : new int[] {diskPercent, inodePercent, memoryPercent, pidPercent, fileDescriptorPercent}) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("a pressure threshold is a percentage from 0 to 100, got " + percent);
            }
        }
        oomKillWindow = oomKillWindow == null ? DEFAULT.oomKillWindow() : oomKillWindow;
        interval = interval == null || !interval.isPositive() ? DEFAULT.interval() : interval;
        probeTimeout = probeTimeout == null || !probeTimeout.isPositive() ? DEFAULT.probeTimeout() : probeTimeout;
    }

    /** Whether {@code used} of {@code total} reaches {@code percent}; false when the total is unknown (zero). */
    static boolean reaches(long used, long total, int percent) {
        return total > 0 && used * 100 >= (long) percent * total;
    }

    static long percentOf(long used, long total) {
        return total <= 0 ? 0 : Math.round(used * 100.0 / total);
    }
}
