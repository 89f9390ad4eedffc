package io.herd.agent.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The cgroup (one directory per hierarchy) of one task run. */
public interface TaskCgroup {
    /** Every directory of this cgroup, persisted so the next agent process can re-open it. */
    List<Path> directories();

    /**
     * The {@code cgroup.procs} files a process must write its pid into to join this cgroup; the shim does so before
     * it starts the task, so nothing of the task ever runs outside.
     */
    List<Path> procsFiles();

    /** The pids currently in the cgroup. */
    Set<Long> pids();

    /** How many processes the kernel's OOM killer killed in this cgroup. */
    long oomKills();

    /** True when memory usage reached the limit at some point (v1 {@code memory.failcnt}, v2 {@code max} events). */
    boolean memoryLimitReached();

    /** SIGKILLs every process still inside, waits until it is empty, and removes the directories. */
    void remove();
}
