package io.herd.state;

import java.util.List;

/**
 * What applying one command did, sent back to the proposer as the Raft reply. {@code jobVersion} is the version
 * of the job a job command touched (0 for other commands); {@code evaluationIds} are the evaluations the command
 * created, for the leader's evaluation queue; {@code message} says what happened, or why nothing did.
 */
public record ApplyResult(long index, boolean changed, long jobVersion, List<String> evaluationIds, String message) {
    public ApplyResult {
        evaluationIds = evaluationIds == null ? List.of() : List.copyOf(evaluationIds);
        message = message == null ? "" : message;
    }

    static ApplyResult unchanged(long index, String message) {
        return new ApplyResult(index, false, 0, List.of(), message);
    }
}
