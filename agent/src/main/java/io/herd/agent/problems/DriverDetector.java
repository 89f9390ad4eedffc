package io.herd.agent.problems;

import io.herd.api.NodeCondition;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Drivers that cannot run tasks. {@link #unavailable}: a driver the node should have is missing, or the binary it
 * runs every task through fails or hangs when probed ({@code DriverUnavailable}, severe: nothing new is placed).
 * {@link #degraded}: the exec driver runs without tini, so orphaned processes of a task are not reaped until it ends
 * ({@code DriverDegraded}, a warning only: tasks still run).
 */
public final class DriverDetector implements ProblemDetector {
    private final boolean degradedCheck;
    private final Set<String> expected;
    private final Set<String> found;
    private final Map<String, List<String>> probes;
    private final Optional<Path> tini;
    private final CommandRunner commands;

    private DriverDetector(boolean degradedCheck, Set<String> expected, Set<String> found,
            Map<String, List<String>> probes, Optional<Path> tini, CommandRunner commands) {
        this.degradedCheck = degradedCheck;
        this.expected = Set.copyOf(expected);
        this.found = Set.copyOf(found);
        this.probes = new TreeMap<>(probes);
        this.tini = tini;
        this.commands = commands;
    }

    /**
     * @param expected the drivers this node should offer
     * @param found    the drivers the agent could set up
     * @param probes   per driver found, a harmless command through the binary it launches tasks with
     */
    public static DriverDetector unavailable(Set<String> expected, Set<String> found, Map<String, List<String>> probes,
            CommandRunner commands) {
        return new DriverDetector(false, expected, found, probes, Optional.empty(), commands);
    }

    /** @param tini where the exec driver found tini, empty when it did not */
    public static DriverDetector degraded(Optional<Path> tini, CommandRunner commands) {
        return new DriverDetector(true, Set.of(), Set.of(), Map.of(), tini, commands);
    }

    @Override
    public String type() {
        return degradedCheck ? NodeCondition.DRIVER_DEGRADED : NodeCondition.DRIVER_UNAVAILABLE;
    }

    @Override
    public java.time.Duration minimumInterval() {
        return NodeProblemDetection.PROBE_INTERVAL;
    }

    @Override
    public Verdict check(Instant now) {
        if (degradedCheck) {
            if (tini.isEmpty()) {
                return Verdict.problem("TiniMissing", "tini is not installed: exec tasks run without a subreaper"
                        + " (install the tini package)");
            }
            return probe("tini", List.of(tini.get().toString(), "--version"))
                    .map(problem -> Verdict.problem("TiniFailing", problem))
                    .orElse(Verdict.fine("TiniAvailable", "exec tasks run under " + tini.get()));
        }
        List<String> problems = new ArrayList<>();
        String reason = null;
        for (String driver : new java.util.TreeSet<>(expected)) {
            if (!found.contains(driver)) {
                problems.add("driver " + driver + " is missing");
                reason = reason == null ? "DriverMissing" : reason;
            }
        }
        for (Map.Entry<String, List<String>> entry : probes.entrySet()) {
            Optional<String> problem = probe(entry.getKey(), entry.getValue());
            if (problem.isPresent()) {
                problems.add(problem.get());
                reason = reason == null ? (problem.get().contains("hangs") ? "DriverHung" : "DriverFailing") : reason;
            }
        }
        if (problems.isEmpty()) {
            return Verdict.fine("DriversAvailable", "drivers " + String.join(", ", new java.util.TreeSet<>(found))
                    + " answer");
        }
        return Verdict.problem(reason, String.join("; ", problems));
    }

    private Optional<String> probe(String driver, List<String> command) {
        Optional<CommandRunner.Result> result = commands.run(command);
        if (result.isEmpty()) {
            return Optional.of("driver " + driver + ": " + command.getFirst() + " cannot be started");
        }
        if (result.get().hung()) {
            return Optional.of("driver " + driver + ": " + String.join(" ", command) + " hangs");
        }
        if (result.get().exitCode() != 0) {
            return Optional.of("driver " + driver + ": " + String.join(" ", command) + " exited with code "
                    + result.get().exitCode());
        }
        return Optional.empty();
    }
}
