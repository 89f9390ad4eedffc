package io.herd.agent.driver;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** One running (or just ended) run of a task. */
public interface TaskHandle {
    /** The pid the agent tracks: the task's session leader. */
    long pid();

    /** What to persist so a later agent process can {@link TaskDriver#reattach re-attach}. */
    ProcessRecord record();

    /**
     * Completes once every process of the run is gone and its cgroup removed, with how it ended. Never completes
     * exceptionally, and never completes after {@link #release()}.
     */
    CompletableFuture<TaskExit> onExit();

    /**
     * Stops the run: SIGTERM, up to {@code killTimeout} for it to exit, then SIGKILL to every process of the run.
     * Blocks until it is gone and returns how it ended.
     */
    TaskExit stop(Duration killTimeout) throws InterruptedException;

    /** Stops watching the run without touching it: the processes keep running for a later agent process. */
    void release();
}
