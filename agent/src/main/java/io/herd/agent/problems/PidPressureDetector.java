package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * PID exhaustion: the threads on the node (the total in {@code loadavg}'s {@code running/total} field) reach the
 * threshold of the smaller of {@code sys/kernel/pid_max} and {@code sys/kernel/threads-max}, past which no process
 * or thread can start.
 */
public final class PidPressureDetector implements ProblemDetector {
    private final Path procRoot;
    private final int percent;

    public PidPressureDetector(Path procRoot, int percent) {
        this.procRoot = procRoot;
        this.percent = percent;
    }

    @Override
    public String type() {
        return NodeCondition.PID_PRESSURE;
    }

    @Override
    public Verdict check(Instant now) {
        OptionalLong pidMax = ProcFiles.number(procRoot.resolve("sys/kernel/pid_max"));
        OptionalLong threadsMax = ProcFiles.number(procRoot.resolve("sys/kernel/threads-max"));
        OptionalLong threads = threads();
        if (threads.isEmpty() || pidMax.isEmpty() && threadsMax.isEmpty()) {
            return Verdict.unknown("PidCountUnreadable", "cannot read the thread count from " + procRoot.resolve("loadavg")
                    + " or the limits from " + procRoot.resolve("sys/kernel"));
        }
        long limit = Math.min(pidMax.orElse(Long.MAX_VALUE), threadsMax.orElse(Long.MAX_VALUE));
        String usage = threads.getAsLong() + " of " + limit + " pids in use ("
                + ProblemThresholds.percentOf(threads.getAsLong(), limit) + "%), threshold " + percent + "%";
        return ProblemThresholds.reaches(threads.getAsLong(), limit, percent)
                ? Verdict.problem("PidsExhausted", usage) : Verdict.fine("PidsAvailable", usage);
    }

    private OptionalLong threads() {
        Optional<String> loadavg = ProcFiles.read(procRoot.resolve("loadavg"));
        if (loadavg.isEmpty()) {
            return OptionalLong.empty();
        }
        String[] fields = loadavg.get().strip().split("\\s+");
        if (fields.length < 4 || !fields[3].contains("/")) {
            return OptionalLong.empty();
        }
        return ProcFiles.parse(fields[3].substring(fields[3].indexOf('/') + 1));
    }
}
