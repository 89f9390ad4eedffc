package io.herd.agent;

import io.herd.api.Instance;

/** Finds the spec of an instance the agent is asked to start. */
@FunctionalInterface
public interface InstanceSpecSource {
    /**
     * @throws io.herd.api.HerdException with a not-found code when the job or group does not exist (the instance
     *                                   cannot be started), or any other runtime exception when it is worth trying
     *                                   again later (server unreachable)
     */
    InstanceSpec specFor(Instance instance);
}
