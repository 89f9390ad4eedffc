package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;

/** Memory pressure: {@code MemTotal - MemAvailable} of {@code MemTotal} (from {@code meminfo}) reaches the threshold. */
public final class MemoryPressureDetector implements ProblemDetector {
    private final Path meminfo;
    private final int percent;

    public MemoryPressureDetector(Path procRoot, int percent) {
        this.meminfo = procRoot.resolve("meminfo");
        this.percent = percent;
    }

    @Override
    public String type() {
        return NodeCondition.MEMORY_PRESSURE;
    }

    @Override
    public Verdict check(Instant now) {
        OptionalLong total = ProcFiles.field(meminfo, "MemTotal");
        OptionalLong available = ProcFiles.field(meminfo, "MemAvailable");
        if (total.isEmpty() || available.isEmpty() || total.getAsLong() <= 0) {
            return Verdict.unknown("MeminfoUnreadable", "cannot read MemTotal and MemAvailable from " + meminfo);
        }
        long used = total.getAsLong() - available.getAsLong();
        String usage = ProblemThresholds.percentOf(used, total.getAsLong()) + "% of memory in use ("
                + available.getAsLong() / 1024 + " MiB available), threshold " + percent + "%";
        return ProblemThresholds.reaches(used, total.getAsLong(), percent)
                ? Verdict.problem("MemoryLow", usage) : Verdict.fine("MemoryAvailable", usage);
    }
}
