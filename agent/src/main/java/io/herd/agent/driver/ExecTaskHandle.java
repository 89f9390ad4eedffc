package io.herd.agent.driver;

import io.herd.agent.cgroup.TaskCgroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of an exec task, identified by its shim's pid (the session leader) and start time. While the agent is
 * the shim's parent the exit arrives through {@link Process#onExit()}; a re-attached agent is not the parent and
 * polls {@code /proc} instead. Either way, once the shim is gone the handle reads the exit file, checks the
 * cgroup for an OOM kill, kills whatever the task left behind and removes the cgroup, then completes
 * {@link #onExit()}.
 */
final class ExecTaskHandle implements TaskHandle {
    private static final Logger log = LoggerFactory.getLogger(ExecTaskHandle.class);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration SHIM_GRACE = Duration.ofSeconds(2);
    private static final Duration AFTER_KILL_TIMEOUT = Duration.ofSeconds(30);

    private final long pid;
    private final long startTicks;
    private final Path exitFile;
    private final TaskCgroup cgroup;
    private final ProcessTable processes;
    private final Process process;
    private final CompletableFuture<TaskExit> exit = new CompletableFuture<>();
    private volatile boolean released;

    private ExecTaskHandle(long pid, long startTicks, Path exitFile, TaskCgroup cgroup, ProcessTable processes,
            Process process) {
        this.pid = pid;
        this.startTicks = startTicks;
        this.exitFile = exitFile;
        this.cgroup = cgroup;
        this.processes = processes;
        this.process = process;
    }

    static ExecTaskHandle started(Process process, long startTicks, Path exitFile, TaskCgroup cgroup,
            ProcessTable processes) {
        ExecTaskHandle handle = new ExecTaskHandle(process.pid(), startTicks, exitFile, cgroup, processes, process);
        process.onExit().whenComplete((ignored, error) ->
                Thread.ofVirtual().name("herd-task-exit-" + process.pid()).start(handle::finish));
        return handle;
    }

    static ExecTaskHandle adopted(long pid, long startTicks, Path exitFile, TaskCgroup cgroup, ProcessTable processes) {
        ExecTaskHandle handle = new ExecTaskHandle(pid, startTicks, exitFile, cgroup, processes, null);
        Thread.ofVirtual().name("herd-task-watch-" + pid).start(handle::watch);
        return handle;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public ProcessRecord record() {
        return new ProcessRecord(pid, startTicks, cgroup.directories().stream().map(Path::toString).toList(),
                exitFile.toString());
    }

    @Override
    public CompletableFuture<TaskExit> onExit() {
        return exit;
    }

    private boolean shimAlive() {
        return processes.isAlive(pid, startTicks);
    }

    /** Not our child: nothing will tell us when it ends, so look every {@link #POLL_INTERVAL}. */
    private void watch() {
        try {
            while (!released && shimAlive()) {
                Thread.sleep(POLL_INTERVAL);
            }
        } catch (InterruptedException e) {
            return;
        }
        finish();
    }

    private void finish() {
        if (released) {
            return;
        }
        try {
            Optional<Integer> recorded = Shim.readExitStatus(exitFile, pid);
            Integer code = recorded.orElse(null);
            String message = null;
            if (code == null && process != null) {
                code = process.exitValue();
            }
            if (code == null) {
                message = "exit status unknown: the task's shim was killed while no agent watched it";
            }
            long oomKills = cgroup.oomKills();
            boolean oomKilled = (code == null || code != 0)
                    && (oomKills > 0 || (code != null && code == TaskExit.SIGKILL_EXIT && cgroup.memoryLimitReached()));
            killLeftovers();
            cgroup.remove();
            exit.complete(new TaskExit(code, oomKilled, message));
        } catch (RuntimeException e) {
            log.warn("cleaning up after task pid {} failed", pid, e);
            exit.complete(new TaskExit(null, false, "cleanup failed: " + e));
        }
    }

    /** Everything still in the task's session or cgroup: orphans the main process left behind. */
    private void killLeftovers() {
        Set<Long> left = new LinkedHashSet<>(processes.sessionMembers(pid));
        left.addAll(cgroup.pids());
        left.remove(ProcessHandle.current().pid());
        for (long leftover : left) {
            ProcessHandle.of(leftover).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Override
    public TaskExit stop(Duration killTimeout) throws InterruptedException {
        if (!exit.isDone()) {
            // SIGTERM to the shim only: it forwards to tini, which forwards to the command's process group. tini
            // puts the command in a group of its own, so signalling both groups would deliver SIGTERM twice.
            if (shimAlive()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
            TaskExit ended = await(killTimeout);
            if (ended != null) {
                return ended;
            }
            log.info("task pid {} still running {} after SIGTERM; sending SIGKILL", pid, killTimeout);
            killTree();
        }
        TaskExit ended = await(AFTER_KILL_TIMEOUT);
        if (ended == null) {
            log.error("task pid {} survived SIGKILL for {}", pid, AFTER_KILL_TIMEOUT);
            return new TaskExit(null, false, "did not exit after SIGKILL");
        }
        return ended;
    }

    /**
     * SIGKILLs every process of the task but the shim, so the shim can still record the status (137); if the shim
     * does not finish within {@link #SHIM_GRACE}, it is killed too.
     */
    private void killTree() throws InterruptedException {
        Set<Long> members = new LinkedHashSet<>(processes.sessionMembers(pid));
        members.addAll(cgroup.pids());
        members.remove(pid);
        members.remove(ProcessHandle.current().pid());
        for (long member : members) {
            ProcessHandle.of(member).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (await(SHIM_GRACE) == null) {
            if (shimAlive()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (long member : List.copyOf(processes.sessionMembers(pid))) {
                ProcessHandle.of(member).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private TaskExit await(Duration timeout) throws InterruptedException {
        try {
            return exit.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("exit future never fails", e);
        }
    }

    @Override
    public void release() {
        released = true;
    }

    @Override
    public String toString() {
        return "ExecTaskHandle[pid=" + pid + "]";
    }
}
