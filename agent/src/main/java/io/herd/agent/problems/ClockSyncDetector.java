package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Clock not synchronized, asked of whatever keeps time on the node, in order: systemd-timesyncd's
 * {@code synchronized} flag file, {@code timedatectl}'s {@code NTPSynchronized}, {@code chronyc tracking}'s leap
 * status, {@code ntpstat}'s exit code. The first that answers decides; when none can tell (no such tool, no
 * systemd, a tool that hangs), the condition is {@code unknown} and says so rather than guess.
 */
public final class ClockSyncDetector implements ProblemDetector {
    private final Path timesyncFlag;
    private final CommandRunner commands;

    /** @param timesyncFlag systemd-timesyncd's flag file, {@code /run/systemd/timesync/synchronized} */
    public ClockSyncDetector(Path timesyncFlag, CommandRunner commands) {
        this.timesyncFlag = timesyncFlag;
        this.commands = commands;
    }

    @Override
    public String type() {
        return NodeCondition.CLOCK_UNSYNCHRONIZED;
    }

    @Override
    public java.time.Duration minimumInterval() {
        return NodeProblemDetection.PROBE_INTERVAL;
    }

    @Override
    public Verdict check(Instant now) {
        if (Files.exists(timesyncFlag)) {
            return Verdict.fine("ClockSynchronized", "systemd-timesyncd reports the clock synchronized");
        }
        Optional<CommandRunner.Result> timedatectl = answered(List.of("timedatectl", "show", "-p", "NTPSynchronized",
                "--value"));
        if (timedatectl.isPresent()) {
            String value = timedatectl.get().output().strip().toLowerCase(Locale.ROOT);
            if (value.equals("yes")) {
                return Verdict.fine("ClockSynchronized", "timedatectl reports NTPSynchronized=yes");
            }
            if (value.equals("no")) {
                return Verdict.problem("NtpNotSynchronized", "timedatectl reports NTPSynchronized=no");
            }
        }
        Optional<CommandRunner.Result> chrony = answered(List.of("chronyc", "-n", "tracking"));
        if (chrony.isPresent()) {
            String output = chrony.get().output();
            for (String line : output.split("\n")) {
                if (line.strip().startsWith("Leap status")) {
                    String status = line.substring(line.indexOf(':') + 1).strip();
                    return status.equalsIgnoreCase("Not synchronised")
                            ? Verdict.problem("ChronyNotSynchronized", "chronyc tracking: leap status " + status)
                            : Verdict.fine("ClockSynchronized", "chronyc tracking: leap status " + status);
                }
            }
        }
        Optional<CommandRunner.Result> ntpstat = commands.run(List.of("ntpstat"));
        if (ntpstat.isPresent() && !ntpstat.get().hung()) {
            switch (ntpstat.get().exitCode()) {
                case 0 -> {
                    return Verdict.fine("ClockSynchronized", "ntpstat reports the clock synchronized");
                }
                case 1 -> {
                    return Verdict.problem("NtpNotSynchronized", "ntpstat reports the clock not synchronized");
                }
                default -> { }
            }
        }
        return Verdict.unknown("ClockStateUnknown", "nothing on this node can tell whether the clock is synchronized"
                + " (no systemd-timesyncd flag; timedatectl, chronyc and ntpstat absent or not answering)");
    }

    /** The command's result when it ran and succeeded. */
    private Optional<CommandRunner.Result> answered(List<String> command) {
        return commands.run(command).filter(result -> !result.hung() && result.exitCode() == 0);
    }
}
