package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * File-descriptor exhaustion: {@code sys/fs/file-nr} holds the allocated handles, the allocated but unused ones
 * and the maximum; the handles in use ({@code allocated - unused}) reach the threshold of the maximum.
 */
public final class FileDescriptorPressureDetector implements ProblemDetector {
    private final Path fileNr;
    private final int percent;

    public FileDescriptorPressureDetector(Path procRoot, int percent) {
        this.fileNr = procRoot.resolve("sys/fs/file-nr");
        this.percent = percent;
    }

    @Override
    public String type() {
        return NodeCondition.FILE_DESCRIPTOR_PRESSURE;
    }

    @Override
    public Verdict check(Instant now) {
        Optional<String> text = ProcFiles.read(fileNr);
        String[] fields = text.map(value -> value.strip().split("\\s+")).orElse(new String[0]);
        if (fields.length < 3) {
            return Verdict.unknown("FileNrUnreadable", "cannot read " + fileNr);
        }
        long allocated = ProcFiles.parse(fields[0]).orElse(-1);
        long unused = ProcFiles.parse(fields[1]).orElse(-1);
        long max = ProcFiles.parse(fields[2]).orElse(-1);
        if (allocated < 0 || unused < 0 || max <= 0) {
            return Verdict.unknown("FileNrUnreadable", "unexpected content in " + fileNr + ": " + text.get().strip());
        }
        long used = allocated - unused;
        String usage = used + " of " + max + " file descriptors in use (" + ProblemThresholds.percentOf(used, max)
                + "%), threshold " + percent + "%";
        return ProblemThresholds.reaches(used, max, percent)
                ? Verdict.problem("FileDescriptorsExhausted", usage) : Verdict.fine("FileDescriptorsAvailable", usage);
    }
}
