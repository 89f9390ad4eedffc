/**
 * The node agent: {@link io.herd.agent.HerdAgent} wires it together.
 *
 * <ul>
 *   <li>{@link io.herd.agent.Fingerprint} — what the machine offers; {@link io.herd.agent.NodeRegistration} —
 *       register, heartbeat, register again when forgotten.</li>
 *   <li>{@link io.herd.agent.AssignmentWatcher} — blocking query on the node's instances;
 *       {@link io.herd.agent.AgentInstances} — reconciles them with the runners;
 *       {@link io.herd.agent.InstanceRunner} — one instance: its tasks, restart policy and state.</li>
 *   <li>{@link io.herd.agent.driver} — the {@code exec} driver and the shim that lets tasks outlive the agent;
 *       {@link io.herd.agent.cgroup} — per-task cgroups (v1, v2, none).</li>
 *   <li>{@link io.herd.agent.AgentStateStore} — the data directory and the records that let the next agent process
 *       re-attach; {@link io.herd.agent.TaskLogs} — log rotation and reads;
 *       {@link io.herd.agent.StatusReporter} — batched status reports; {@link io.herd.agent.AgentHttp} — logs,
 *       status, metrics.</li>
 * </ul>
 */
package io.herd.agent;
