package io.herd.agent;

import io.herd.agent.AgentStateStore.InstanceRecord;
import io.herd.agent.AgentStateStore.TaskRecord;
import io.herd.agent.driver.TaskDriver;
import io.herd.agent.driver.TaskExit;
import io.herd.agent.driver.TaskHandle;
import io.herd.agent.driver.TaskLaunch;
import io.herd.agent.driver.TaskStartException;
import io.herd.agent.health.HealthMonitor;
import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.JobType;
import io.herd.api.Quantities;
import io.herd.api.RestartPolicy;
import io.herd.api.Task;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs one instance on this node: its tasks, their restart policy, and the instance's state.
 *
 * <p>Each task has a loop on its own virtual thread: start a run, wait for it to end, then either restart it after
 * the policy's delay or finish. Everything the loops and the callers share is guarded by {@link #lock}; the slow
 * parts (starting a process, waiting for one, stopping one) happen outside it. Every change is persisted (so the
 * next agent process can re-attach) and handed to the listener (which reports it to the servers).
 *
 * <p>States: {@code pending} until every task has started, {@code running} while they run (a task waiting to be
 * restarted included), {@code complete} once the server stopped it or, for a batch job, every task exited 0,
 * {@code failed} once a task exhausted its restart attempts or could not start (its other tasks are stopped).
 *
 * <p>{@link #detach()} lets go without touching the processes: the agent is going away and the next agent process
 * re-attaches with {@link #restore}.
 */
public final class InstanceRunner {
    public static final String KILLED = "Killed";
    public static final String COMPLETED = "Completed";
    public static final String ERROR = "Error";
    public static final String OOM_KILLED = "OOMKilled";
    public static final String START_FAILED = "StartFailed";
    /** A task killed because a liveness check ({@code on_failure: restart}) turned unhealthy. */
    public static final String UNHEALTHY = "Unhealthy";

    private static final Logger log = LoggerFactory.getLogger(InstanceRunner.class);

    private final RunnerContext context;
    private final InstanceSpec spec;
    private final String instanceId;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a stop or detach should cut a restart delay short. */
    private final Condition wakeup = lock.newCondition();
    // everything below is guarded by lock
    private Instance instance;
    private InstanceState state = InstanceState.PENDING;
    private String reason;
    private boolean stopRequested;
    private String stopReason;
    private boolean detached;
    private int activeLoops;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    /** The health checks' verdict: null without checks, false until they pass. */
    private Boolean healthy;
    /** Grows each time a task starts; health checks judge each run of the tasks afresh. */
    private long runGeneration;
    private HealthMonitor monitor;

    /** One task of the instance. Guarded by {@link #lock}. */
    private static final class Slot {
        final Task task;
        TaskState state = TaskState.pending();
        List<Instant> restartTimes = new ArrayList<>();
        boolean started;
        boolean finished;
        TaskHandle handle;
        Thread loop;
        /** Runs the OOM killer ended, since this agent process took the task over (metrics). */
        int oomKilledRuns;
        /** Why a health check asked for this run to be killed, until its exit is recorded. */
        String unhealthyRestart;

        Slot(Task task) {
            this.task = task;
        }
    }

    private InstanceRunner(Instance instance, InstanceSpec spec, RunnerContext context) {
        this.instance = instance;
        this.instanceId = instance.id();
        this.spec = spec;
        this.context = context;
        for (Task task : spec.group().tasks()) {
            slots.put(task.name(), new Slot(task));
        }
        boolean hasChecks = spec.group().services().stream().anyMatch(service -> service.check() != null);
        this.healthy = hasChecks ? Boolean.FALSE : null;
    }

    /** A runner for an instance new to this node; {@link #start()} starts its tasks. */
    public static InstanceRunner create(Instance instance, InstanceSpec spec, RunnerContext context) {
        InstanceRunner runner = new InstanceRunner(instance, spec, context);
        runner.lock.lock();
        try {
            runner.changed();
        } finally {
            runner.lock.unlock();
        }
        return runner;
    }

    /**
     * A runner for an instance an earlier agent process ran: live tasks are adopted (same pids, not restarted),
     * tasks that ended meanwhile go through the restart policy once {@link #start()} is called.
     */
    public static InstanceRunner restore(InstanceRecord record, RunnerContext context) {
        InstanceSpec spec = new InstanceSpec(record.jobType(), record.group(), record.volumeIds());
        InstanceRunner runner = new InstanceRunner(record.instance(), spec, context);
        runner.lock.lock();
        try {
            runner.state = record.state() == null ? InstanceState.PENDING : record.state();
            runner.reason = record.reason();
            runner.stopRequested = record.stopRequested();
            runner.stopReason = record.stopReason();
            for (Slot slot : runner.slots.values()) {
                TaskRecord task = record.tasks().get(slot.task.name());
                if (task == null) {
                    continue;
                }
                slot.state = task.state() == null ? TaskState.pending() : task.state();
                slot.restartTimes = new ArrayList<>(task.restartTimes());
                slot.started = task.started();
                slot.finished = task.finished();
                if (task.process() != null) {
                    TaskDriver driver = context.drivers().get(slot.task.driver());
                    if (driver == null) {
                        log.error("instance {} task {}: driver {} is gone; cannot re-attach to pid {}",
                                runner.instanceId, slot.task.name(), slot.task.driver(), task.process().pid());
                        continue;
                    }
                    slot.handle = driver.reattach(task.process());
                    log.info("instance {} task {}: re-attached to pid {}", runner.instanceId, slot.task.name(),
                            task.process().pid());
                }
            }
        } finally {
            runner.lock.unlock();
        }
        return runner;
    }

    /** Starts the task loops (and, for a restored instance that was stopping, continues the stop). */
    public void start() {
        List<TaskHandle> toStop = new ArrayList<>();
        lock.lock();
        try {
            for (Slot slot : slots.values()) {
                boolean watch = slot.handle != null;
                boolean run = !slot.finished && !stopRequested && !state.isTerminal();
                if (watch || run) {
                    activeLoops++;
                    slot.loop = Thread.ofVirtual().name("herd-" + instanceId + "-" + slot.task.name())
                            .unstarted(() -> runTask(slot));
                } else if (!slot.finished) {
                    slot.finished = true;
                }
                if (watch && stopRequested) {
                    toStop.add(slot.handle);
                }
            }
            for (Slot slot : slots.values()) {
                if (slot.loop != null) {
                    slot.loop.start();
                }
            }
            if (activeLoops == 0) {
                settle();
            } else if (healthy != null && !stopRequested) {
                monitor = new HealthMonitor(instanceId, HealthChecks.probes(spec.group(), instance, context),
                        this::currentRunGeneration, new HealthListener());
                monitor.start();
            }
            changed();
        } finally {
            lock.unlock();
        }
        stopInBackground(toStop);
    }

    /** The health monitor's view of the tasks: a number per run while every task runs, else -1. */
    private long currentRunGeneration() {
        lock.lock();
        try {
            boolean allRunning = state == InstanceState.RUNNING && !stopRequested && !detached
                    && slots.values().stream().allMatch(slot -> slot.state.status() == TaskStatus.RUNNING);
            return allRunning ? runGeneration : -1;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the health monitor's verdicts; they arrive on its threads. */
    private final class HealthListener implements HealthMonitor.Listener {
        @Override
        public void healthChanged(boolean nowHealthy, String message) {
            lock.lock();
            try {
                if (state.isTerminal() || detached || Boolean.valueOf(nowHealthy).equals(healthy)) {
                    return;
                }
                healthy = nowHealthy;
                log.info("instance {}: {} ({})", instanceId, nowHealthy ? "healthy" : "unhealthy", message);
                changed();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void restartRequested(String service, String message) {
            restartForHealth("health check of " + service + " failed: " + message);
        }
    }

    /**
     * Kills the running tasks so that their loops restart them under the restart policy (each kill counts as a
     * restart; past the policy's attempts the instance fails and the server replaces it).
     */
    private void restartForHealth(String why) {
        List<TaskHandle> toStop = new ArrayList<>();
        lock.lock();
        try {
            if (stopRequested || detached || state.isTerminal()) {
                return;
            }
            for (Slot slot : slots.values()) {
                if (slot.handle != null) {
                    slot.unhealthyRestart = why;
                    toStop.add(slot.handle);
                }
            }
        } finally {
            lock.unlock();
        }
        stopInBackground(toStop);
    }

    public String id() {
        return instanceId;
    }

    public InstanceSpec spec() {
        return spec;
    }

    public Instance instance() {
        lock.lock();
        try {
            return instance;
        } finally {
            lock.unlock();
        }
    }

    public InstanceState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    public boolean isTerminal() {
        return state().isTerminal();
    }

    /** Task name → its state, in the group's order. */
    public Map<String, TaskState> tasks() {
        lock.lock();
        try {
            Map<String, TaskState> tasks = new LinkedHashMap<>();
            slots.forEach((name, slot) -> tasks.put(name, slot.state));
            return tasks;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What metrics read of a task at scrape time.
     *
     * @param cgroupDirectories the cgroup of its current run; empty between runs or without cgroups
     * @param oomKilledRuns     runs the OOM killer ended, since this agent process took the task over
     */
    public record TaskResources(List<java.nio.file.Path> cgroupDirectories, int oomKilledRuns) {}

    /** Task name → what metrics read of it, in the group's order. */
    public Map<String, TaskResources> taskResources() {
        lock.lock();
        try {
            Map<String, TaskResources> tasks = new LinkedHashMap<>();
            slots.forEach((name, slot) -> tasks.put(name, new TaskResources(slot.handle == null ? List.of()
                    : slot.handle.record().cgroupDirectories().stream().map(java.nio.file.Path::of).toList(),
                    slot.oomKilledRuns)));
            return tasks;
        } finally {
            lock.unlock();
        }
    }

    public InstanceStatusUpdate status() {
        lock.lock();
        try {
            return statusLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Completes once the instance is terminal and none of its processes runs any more. */
    public CompletableFuture<Void> terminated() {
        return terminated;
    }

    /** Takes the server's latest view of the instance; a desired {@code stop} stops it. */
    public void update(Instance latest) {
        lock.lock();
        try {
            instance = latest;
        } finally {
            lock.unlock();
        }
        if (latest.desired() != DesiredStatus.RUN) {
            stop(latest.reason() == null || latest.reason().isBlank() ? "stopped by the server" : latest.reason());
        }
    }

    /**
     * Stops every task (SIGTERM, its kill timeout, SIGKILL) without waiting; the instance becomes
     * {@code complete} with {@code why} as reason unless it already ended. See {@link #terminated()}.
     */
    public void stop(String why) {
        List<TaskHandle> toStop = new ArrayList<>();
        lock.lock();
        try {
            if (stopRequested || detached) {
                return;
            }
            stopRequested = true;
            stopReason = why;
            wakeup.signalAll();
            for (Slot slot : slots.values()) {
                if (slot.handle != null) {
                    toStop.add(slot.handle);
                }
            }
            if (activeLoops == 0) {
                settle();
            }
            changed();
        } finally {
            lock.unlock();
        }
        log.info("instance {}: stopping ({})", instanceId, why);
        stopInBackground(toStop);
    }

    /** Lets go of the instance without touching its processes, for the next agent process to re-attach. */
    public void detach() {
        List<Thread> loops = new ArrayList<>();
        lock.lock();
        try {
            detached = true;
            wakeup.signalAll();
            if (monitor != null) {
                monitor.close();
            }
            for (Slot slot : slots.values()) {
                if (slot.handle != null) {
                    slot.handle.release();
                }
                if (slot.loop != null) {
                    loops.add(slot.loop);
                }
            }
        } finally {
            lock.unlock();
        }
        loops.forEach(Thread::interrupt);
    }

    // ---- the task loop -------------------------------------------------------------------------------------

    private void runTask(Slot slot) {
        try {
            TaskHandle handle;
            lock.lock();
            try {
                handle = slot.handle;
            } finally {
                lock.unlock();
            }
            while (true) {
                if (handle == null) {
                    handle = startRun(slot);
                    if (handle == null) {
                        return;
                    }
                }
                TaskExit exit = handle.onExit().get();
                Duration delay = onExited(slot, exit);
                handle = null;
                if (delay == null || !awaitRestart(slot, delay)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // detached: the processes are left to the next agent process
        } catch (ExecutionException | RuntimeException e) {
            log.error("instance {} task {}: runner failed", instanceId, slot.task.name(), e);
            lock.lock();
            try {
                fail(slot, "agent error running task " + slot.task.name() + ": " + e);
            } finally {
                lock.unlock();
            }
        } finally {
            loopEnded();
        }
    }

    /** Starts one run; null when the task should not run (stopping, detached) or could not start. */
    private TaskHandle startRun(Slot slot) throws InterruptedException {
        TaskDriver driver;
        TaskLaunch launch;
        lock.lock();
        try {
            if (detached) {
                throw new InterruptedException("detached");
            }
            if (stopRequested || state.isTerminal()) {
                slot.finished = true;
                changed();
                return null;
            }
            driver = context.drivers().get(slot.task.driver());
            if (driver == null) {
                startFailed(slot, "driver " + slot.task.driver() + " is not available on this node");
                return null;
            }
            launch = launch(slot);
        } finally {
            lock.unlock();
        }

        TaskHandle handle;
        try {
            handle = driver.start(launch);
        } catch (TaskStartException e) {
            lock.lock();
            try {
                startFailed(slot, e.getMessage());
            } finally {
                lock.unlock();
            }
            return null;
        }

        boolean stopNow;
        lock.lock();
        try {
            slot.handle = handle;
            slot.started = true;
            slot.state = new TaskState(TaskStatus.RUNNING, handle.pid(), null, null, null, slot.state.restarts(),
                    context.clock().instant(), null);
            if (state == InstanceState.PENDING && slots.values().stream().allMatch(other -> other.started)) {
                state = InstanceState.RUNNING;
            }
            runGeneration++;
            changed();
            if (detached) {
                handle.release();
                throw new InterruptedException("detached");
            }
            stopNow = stopRequested;
        } finally {
            lock.unlock();
        }
        log.info("instance {} task {}: started, pid {}", instanceId, slot.task.name(), handle.pid());
        if (stopNow) {
            // a stop arrived while the process was being started, after stop() looked for handles
            handle.stop(slot.task.killTimeout());
        }
        return handle;
    }

    private TaskLaunch launch(Slot slot) {
        Task task = slot.task;
        AgentStateStore store = context.store();
        Path taskDir = store.taskDir(instanceId, task.name());
        Map<String, Path> volumes = prepareVolumes(taskDir);
        Map<String, String> environment = TaskEnvironment.build(context.agentEnvironment(), instance, task,
                context.nodeName(), taskDir, store.allocDir(instanceId), volumes);
        String command = TaskEnvironment.expand(task.command().orElse(""), environment);
        List<String> args = task.args().stream().map(arg -> TaskEnvironment.expand(arg, environment)).toList();
        try {
            Files.createDirectories(store.allocDir(instanceId));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + store.allocDir(instanceId), e);
        }
        return new TaskLaunch(instanceId + "-" + task.name(), command, args, environment, taskDir,
                store.logFile(instanceId, task.name(), "stdout"), store.logFile(instanceId, task.name(), "stderr"),
                store.exitFile(instanceId, task.name()), task.resources());
    }

    /**
     * The directories of the instance's sticky volumes by volume name, created when missing: outside the instance's
     * directory, so that they outlive it and a later instance of the same index finds the data. Each is also
     * linked as {@code volumes/<name>} inside the task's directory.
     */
    private Map<String, Path> prepareVolumes(Path taskDir) {
        Map<String, Path> volumes = new java.util.TreeMap<>();
        for (Map.Entry<String, String> volume : spec.volumeIds().entrySet()) {
            Path directory = context.store().volumeDir(volume.getValue());
            Path link = taskDir.resolve("volumes").resolve(volume.getKey());
            try {
                Files.createDirectories(directory);
                Files.createDirectories(link.getParent());
                if (!Files.isSymbolicLink(link)) {
                    Files.createSymbolicLink(link, directory);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare volume " + volume.getKey() + " in " + directory, e);
            }
            volumes.put(volume.getKey(), directory);
        }
        return volumes;
    }

    /** Decides what follows a run's end: the delay before the next run, or null when the task is done. */
    private Duration onExited(Slot slot, TaskExit exit) throws InterruptedException {
        lock.lock();
        try {
            if (detached) {
                // the record still shows the run; the next agent process finds it ended and decides
                throw new InterruptedException("detached");
            }
            slot.handle = null;
            if (exit.oomKilled()) {
                slot.oomKilledRuns++;
            }
            Instant now = context.clock().instant();
            String exitReason = slot.unhealthyRestart != null && !stopRequested ? UNHEALTHY : exitReason(exit);
            String message = UNHEALTHY.equals(exitReason) ? "killed: " + slot.unhealthyRestart : exitMessage(slot, exit);
            slot.unhealthyRestart = null;
            slot.state = new TaskState(TaskStatus.DEAD, null, exit.exitCode(), exitReason, message,
                    slot.state.restarts(), slot.state.startTime(), now);
            log.info("instance {} task {}: exited with {} ({})", instanceId, slot.task.name(), exit.exitCode(),
                    exitReason);
            if (stopRequested || state.isTerminal()) {
                slot.finished = true;
                changed();
                return null;
            }
            if (spec.jobType() != JobType.SERVICE && exit.succeeded()) {
                slot.finished = true;
                boolean allCompleted = slots.values().stream()
                        .allMatch(other -> other.finished && COMPLETED.equals(other.state.reason()));
                if (allCompleted) {
                    state = InstanceState.COMPLETE;
                    reason = "all tasks completed";
                }
                changed();
                return null;
            }
            RestartPolicy policy = restartPolicy();
            Instant windowStart = now.minus(policy.interval());
            slot.restartTimes.removeIf(time -> time.isBefore(windowStart));
            if (slot.restartTimes.size() < policy.attempts()) {
                slot.restartTimes.add(now);
                Duration delay = policy.delayBeforeRestart(slot.restartTimes.size());
                slot.state = new TaskState(TaskStatus.PENDING, null, exit.exitCode(), exitReason,
                        "restarting in " + Quantities.formatDuration(delay) + " after: " + slot.state.message(),
                        slot.state.restarts() + 1, slot.state.startTime(), now);
                context.restarts().incrementAndGet();
                changed();
                return delay;
            }
            slot.finished = true;
            fail(slot, failureReason(slot, exit));
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits out a restart delay; false when a stop (or detach) cut it short and the task is done. */
    private boolean awaitRestart(Slot slot, Duration delay) throws InterruptedException {
        lock.lock();
        try {
            long remaining = delay.toNanos();
            while (remaining > 0 && !stopRequested && !detached && !state.isTerminal()) {
                remaining = wakeup.awaitNanos(remaining);
            }
            if (detached) {
                throw new InterruptedException("detached");
            }
            if (stopRequested || state.isTerminal()) {
                slot.finished = true;
                slot.state = new TaskState(TaskStatus.DEAD, null, slot.state.exitCode(), slot.state.reason(),
                        slot.state.message(), slot.state.restarts(), slot.state.startTime(), slot.state.finishTime());
                changed();
                return false;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void loopEnded() {
        lock.lock();
        try {
            activeLoops--;
            if (activeLoops == 0 && !detached) {
                settle();
                changed();
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- decisions, all under lock -------------------------------------------------------------------------------

    private void startFailed(Slot slot, String message) {
        log.warn("instance {} task {}: cannot start: {}", instanceId, slot.task.name(), message);
        Instant now = context.clock().instant();
        slot.finished = true;
        slot.state = new TaskState(TaskStatus.DEAD, null, null, START_FAILED, message, slot.state.restarts(), null,
                now);
        fail(slot, "task " + slot.task.name() + " failed to start: " + message);
    }

    /** The instance fails: its other tasks are stopped. */
    private void fail(Slot slot, String why) {
        if (!state.isTerminal()) {
            state = InstanceState.FAILED;
            reason = why;
            log.warn("instance {} failed: {}", instanceId, why);
        }
        slot.finished = true;
        List<TaskHandle> toStop = new ArrayList<>();
        if (!stopRequested) {
            stopRequested = true;
            stopReason = why;
            wakeup.signalAll();
            for (Slot other : slots.values()) {
                if (other.handle != null) {
                    toStop.add(other.handle);
                }
            }
        }
        changed();
        stopInBackground(toStop);
    }

    /** Once no loop runs any more: the instance's final state, and {@link #terminated} completes. */
    private void settle() {
        if (monitor != null) {
            monitor.close();
        }
        if (!state.isTerminal()) {
            state = InstanceState.COMPLETE;
            reason = stopReason != null ? stopReason : "all tasks finished";
        }
        terminated.complete(null);
    }

    private RestartPolicy restartPolicy() {
        RestartPolicy policy = spec.group().restart();
        if (policy == null) {
            return spec.jobType() == JobType.SERVICE ? RestartPolicy.DEFAULT_SERVICE : RestartPolicy.DEFAULT_BATCH;
        }
        return policy;
    }

    private String exitReason(TaskExit exit) {
        if (exit.oomKilled()) {
            return OOM_KILLED;
        }
        if (stopRequested) {
            return KILLED;
        }
        return exit.exitCode() != null && exit.exitCode() == 0 ? COMPLETED : ERROR;
    }

    private static String exitMessage(Slot slot, TaskExit exit) {
        if (exit.oomKilled()) {
            return "killed at its memory limit of " + Quantities.formatSize(slot.task.resources().memoryBytes());
        }
        if (exit.message() != null) {
            return exit.message();
        }
        Integer code = exit.exitCode();
        if (code != null && code > 128 && code < 128 + 65) {
            return "exited with code " + code + " (signal " + (code - 128) + ")";
        }
        return "exited with code " + code;
    }

    private static String failureReason(Slot slot, TaskExit exit) {
        int restarts = slot.state.restarts();
        String after = " after " + restarts + (restarts == 1 ? " restart" : " restarts");
        if (exit.oomKilled()) {
            return "task " + slot.task.name() + " " + OOM_KILLED + " (memory limit "
                    + Quantities.formatSize(slot.task.resources().memoryBytes()) + ")" + after;
        }
        if (exit.exitCode() == null) {
            return "task " + slot.task.name() + " exited with an unknown status" + after;
        }
        return "task " + slot.task.name() + " exited with code " + exit.exitCode() + after;
    }

    private void stopInBackground(List<TaskHandle> handles) {
        Map<TaskHandle, Duration> timeouts = new LinkedHashMap<>();
        lock.lock();
        try {
            for (TaskHandle handle : handles) {
                Duration timeout = slots.values().stream().filter(slot -> slot.handle == handle).findFirst()
                        .map(slot -> slot.task.killTimeout()).orElse(Task.DEFAULT_KILL_TIMEOUT);
                timeouts.put(handle, timeout);
            }
        } finally {
            lock.unlock();
        }
        timeouts.forEach((handle, timeout) -> Thread.ofVirtual().name("herd-stop-" + handle.pid()).start(() -> {
            try {
                handle.stop(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    /** Persists and reports the current state. */
    private void changed() {
        try {
            context.store().save(recordLocked());
        } catch (RuntimeException e) {
            log.error("instance {}: cannot persist its state; an agent restart would not re-attach it", instanceId, e);
        }
        if (!detached) {
            context.listener().accept(statusLocked());
        }
    }

    private InstanceStatusUpdate statusLocked() {
        Map<String, TaskState> tasks = new LinkedHashMap<>();
        slots.forEach((name, slot) -> tasks.put(name, slot.state));
        // A task that does not run cannot serve, whatever the last check said.
        Boolean reportedHealth = healthy != null && healthy
                && slots.values().stream().anyMatch(slot -> slot.state.status() != TaskStatus.RUNNING) ? Boolean.FALSE
                : healthy;
        return new InstanceStatusUpdate(instanceId, state, reason, tasks, reportedHealth);
    }

    private InstanceRecord recordLocked() {
        Map<String, TaskRecord> tasks = new LinkedHashMap<>();
        slots.forEach((name, slot) -> tasks.put(name, new TaskRecord(slot.state, slot.restartTimes, slot.started,
                slot.finished, slot.handle == null ? null : slot.handle.record())));
        return new InstanceRecord(instance, spec.jobType(), spec.group(), state, reason, stopRequested, stopReason,
                tasks, spec.volumeIds());
    }

    @Override
    public String toString() {
        return "InstanceRunner[" + instanceId + "]";
    }
}
