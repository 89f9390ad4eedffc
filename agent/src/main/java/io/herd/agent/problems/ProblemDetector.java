package io.herd.agent.problems;

import io.herd.api.ConditionStatus;

import java.time.Instant;

/**
 * One check of the node for one kind of problem, run periodically by {@link NodeProblemDetection}. A detector reads
 * only what it was given (paths, probes), so that tests feed it fake {@code /proc}-style files. It never throws for
 * what the node looks like: a file it cannot read gives {@link ConditionStatus#UNKNOWN} and says why.
 */
public interface ProblemDetector {
    /** The condition type this detector decides, e.g. {@code DiskPressure}. */
    String type();

    /** The verdict at {@code now}. */
    Verdict check(Instant now);

    /**
     * The least time between two checks, for detectors that start a process to ask (the clock tools, the driver
     * probes, {@code stat -f}): at every interval those would cost the agent more CPU than the rest of its work.
     * Zero for those that only read a file.
     */
    default java.time.Duration minimumInterval() {
        return java.time.Duration.ZERO;
    }

    /** What a detector found: whether the problem is present, a short CamelCase reason and a readable message. */
    record Verdict(ConditionStatus status, String reason, String message) {
        public static Verdict problem(String reason, String message) {
            return new Verdict(ConditionStatus.TRUE, reason, message);
        }

        public static Verdict fine(String reason, String message) {
            return new Verdict(ConditionStatus.FALSE, reason, message);
        }

        public static Verdict unknown(String reason, String message) {
            return new Verdict(ConditionStatus.UNKNOWN, reason, message);
        }
    }
}
