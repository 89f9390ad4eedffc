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
