package io.herd.state;

import io.herd.api.Plan;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Commit the part of a scheduler plan that the leader's plan applier accepted after re-checking it against the
 * newest state. {@code retryRest} says the applier rejected some of the plan, so the job must be evaluated again.
 */
public record ApplyPlan(Plan plan, boolean retryRest, String commandId, Instant time) implements Command {
    public ApplyPlan {
        requireNonNull(plan, "plan is null");
        requireNonNull(commandId, "commandId is null");
        requireNonNull(time, "time is null");
    }
}
