package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Kernel OOM kills: the {@code oom_kill} counter of {@code vmstat} grew. The condition is true from the check that
 * saw it grow until {@code window} passes without another kill. Kills before the agent started are not counted
 * (the first reading is the baseline). Not thread-safe; {@link NodeProblemDetection} runs it on one thread.
 */
public final class KernelOomKillDetector implements ProblemDetector {
    private final Path vmstat;
    private final Duration window;
    private long lastCount = -1;
    private Instant lastKillSeen;
    private long killsInWindow;

    public KernelOomKillDetector(Path procRoot, Duration window) {
        this.vmstat = procRoot.resolve("vmstat");
        this.window = window;
    }

    @Override
    public String type() {
        return NodeCondition.KERNEL_OOM_KILL;
    }

    @Override
    public Verdict check(Instant now) {
        OptionalLong count = ProcFiles.field(vmstat, "oom_kill");
        if (count.isEmpty()) {
            return Verdict.unknown("OomKillCounterMissing", "no oom_kill counter in " + vmstat
                    + " (a kernel older than 4.13 does not count OOM kills)");
        }
        if (lastCount >= 0 && count.getAsLong() > lastCount) {
            if (lastKillSeen == null || !now.isBefore(lastKillSeen.plus(window))) {
                killsInWindow = 0;
            }
            killsInWindow += count.getAsLong() - lastCount;
            lastKillSeen = now;
        }
        lastCount = count.getAsLong();
        if (lastKillSeen != null && now.isBefore(lastKillSeen.plus(window))) {
            return Verdict.problem("OomKill", "the kernel killed " + killsInWindow + " process"
                    + (killsInWindow == 1 ? "" : "es") + " for lack of memory, the last at " + lastKillSeen);
        }
        return Verdict.fine("NoOomKill", "no kernel OOM kill in the last " + io.herd.api.Quantities.formatDuration(window));
    }
}
