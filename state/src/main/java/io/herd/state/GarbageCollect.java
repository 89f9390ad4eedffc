package io.herd.state;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/** Forget instances and evaluations the leader's garbage collector chose; which ones is its policy, not ours. */
public record GarbageCollect(List<String> instanceIds, List<String> evaluationIds, Instant time) implements Command {
    public GarbageCollect {
        requireNonNull(time, "time is null");
        instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
        evaluationIds = evaluationIds == null ? List.of() : List.copyOf(evaluationIds);
    }
}
