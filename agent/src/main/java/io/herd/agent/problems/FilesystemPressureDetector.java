package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Disk or inode pressure on the filesystem of the agent's data directory, where instance directories and logs
 * live: the bytes not available to tasks (total minus available, as the kubelet's {@code nodefs.available}) or the
 * inodes used reach the threshold. One class, two detectors: {@link #disk} and {@link #inodes}.
 */
public final class FilesystemPressureDetector implements ProblemDetector {
    private final Path directory;
    private final FilesystemProbe probe;
    private final int percent;
    private final boolean inodes;

    private FilesystemPressureDetector(Path directory, FilesystemProbe probe, int percent, boolean inodes) {
        this.directory = directory;
        this.probe = probe;
        this.percent = percent;
        this.inodes = inodes;
    }

    public static FilesystemPressureDetector disk(Path directory, FilesystemProbe probe, int percent) {
        return new FilesystemPressureDetector(directory, probe, percent, false);
    }

    public static FilesystemPressureDetector inodes(Path directory, FilesystemProbe probe, int percent) {
        return new FilesystemPressureDetector(directory, probe, percent, true);
    }

    @Override
    public String type() {
        return inodes ? NodeCondition.INODE_PRESSURE : NodeCondition.DISK_PRESSURE;
    }

    @Override
    public java.time.Duration minimumInterval() {
        // Inodes take a process (stat -f); bytes come from the JDK.
        return inodes ? NodeProblemDetection.PROBE_INTERVAL : java.time.Duration.ZERO;
    }

    @Override
    public Verdict check(Instant now) {
        Optional<FilesystemProbe.Usage> usage = probe.usage(directory, inodes);
        if (usage.isEmpty()) {
            return Verdict.unknown("FilesystemUnreadable", "cannot read the filesystem of " + directory);
        }
        FilesystemProbe.Usage found = usage.get();
        if (inodes) {
            if (found.totalInodes() <= 0) {
                return Verdict.unknown("InodesNotCounted", "the filesystem of " + directory + " reports no inode count");
            }
            long used = found.totalInodes() - found.freeInodes();
            String text = ProblemThresholds.percentOf(used, found.totalInodes()) + "% of inodes used on the filesystem of "
                    + directory + " (" + found.freeInodes() + " free), threshold " + percent + "%";
            return ProblemThresholds.reaches(used, found.totalInodes(), percent)
                    ? Verdict.problem("InodesLow", text) : Verdict.fine("InodesAvailable", text);
        }
        if (found.totalBytes() <= 0) {
            return Verdict.unknown("FilesystemUnreadable", "the filesystem of " + directory + " reports no size");
        }
        long used = found.totalBytes() - found.availableBytes();
        // Not available rather than used, as the kubelet counts: space reserved for root is no use to tasks.
        String text = ProblemThresholds.percentOf(used, found.totalBytes()) + "% of the filesystem of " + directory
                + " not available (" + found.availableBytes() / (1024 * 1024) + " MiB available), threshold " + percent
                + "%";
        return ProblemThresholds.reaches(used, found.totalBytes(), percent)
                ? Verdict.problem("DiskLow", text) : Verdict.fine("DiskAvailable", text);
    }
}
