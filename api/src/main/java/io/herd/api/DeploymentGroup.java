package io.herd.api;

import java.time.Instant;

/**
 * The progress of one group in a deployment.
 *
 * @param desired         instances the group should have (its count)
 * @param canaries        canaries the update policy asks for (0: none)
 * @param promoted        whether the canaries were promoted (always true without canaries)
 * @param placed          instances of the deployment (new spec) that are live or were
 * @param healthy         of those, how many have been ready for {@code min_healthy_time}
 * @param unhealthy       of those, how many failed or were not healthy by {@code healthy_deadline}
 * @param autoRevert      the group's {@code auto_revert}, kept so that the state can revert without the spec
 * @param progressDeadline the deployment fails when {@code healthy} has not grown by then
 */
public record DeploymentGroup(
        int desired,
        int canaries,
        boolean promoted,
        int placed,
        int healthy,
        int unhealthy,
        boolean autoRevert,
        Instant progressDeadline) {
    public DeploymentGroup withPromoted(boolean newPromoted) {
        return new DeploymentGroup(desired, canaries, newPromoted, placed, healthy, unhealthy, autoRevert,
                progressDeadline);
    }
}
