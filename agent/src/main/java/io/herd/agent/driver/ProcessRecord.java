package io.herd.agent.driver;

import java.util.List;

/**
 * What the agent persists about a running task so the next agent process can re-attach: the shim's pid and
 * start time (to tell it from a later process with the same pid), its cgroup directories and its exit file.
 */
public record ProcessRecord(long pid, long startTicks, List<String> cgroupDirectories, String exitFile) {
    public ProcessRecord {
        cgroupDirectories = cgroupDirectories == null ? List.of() : List.copyOf(cgroupDirectories);
    }
}
