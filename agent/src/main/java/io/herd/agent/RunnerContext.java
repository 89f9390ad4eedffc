package io.herd.agent;

import io.herd.agent.driver.TaskDriver;
import io.herd.api.InstanceStatusUpdate;

import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * What every {@link InstanceRunner} of an agent shares.
 *
 * @param drivers          by name ({@code exec})
 * @param clock            decides restart-interval accounting and the times reported
 * @param nodeName         exported to tasks as {@code HERD_NODE}
 * @param agentEnvironment the agent's environment, from which a few variables are passed on to tasks
 * @param listener         told of every change of an instance; must not block
 * @param restarts         counts task restarts, for metrics
 */
public record RunnerContext(
        Map<String, TaskDriver> drivers,
        AgentStateStore store,
        InstantSource clock,
        String nodeName,
        Map<String, String> agentEnvironment,
        Consumer<InstanceStatusUpdate> listener,
        AtomicLong restarts) {
    public RunnerContext {
        drivers = Map.copyOf(drivers);
        requireNonNull(store, "store is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(nodeName, "nodeName is null");
        agentEnvironment = Map.copyOf(agentEnvironment);
        requireNonNull(listener, "listener is null");
        requireNonNull(restarts, "restarts is null");
    }
}
