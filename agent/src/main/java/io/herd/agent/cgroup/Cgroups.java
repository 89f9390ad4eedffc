package io.herd.agent.cgroup;

import io.herd.api.Resources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Creates one control group per task run, so the agent can enforce the task's memory and cpu, find every process
 * the task left behind, and tell an out-of-memory kill from any other SIGKILL. Implementations: cgroup v1
 * (one hierarchy per controller), v2 (one unified hierarchy) and none (not root, or nothing writable: tasks
 * run without limits).
 */
public interface Cgroups {
    /** The name of the directory every task cgroup lives under, in each hierarchy. */
    String PARENT = "herd";

    /** {@code v1}, {@code v2} or {@code none}. */
    String kind();

    default boolean enabled() {
        return !kind().equals("none");
    }

    /**
     * Creates the cgroup {@code name} with the given limits; a leftover cgroup of the same name is emptied and
     * replaced, so counters such as {@code oom_kill} start at zero.
     */
    TaskCgroup create(String name, Resources limits) throws IOException;

    /** Opens a cgroup created by an earlier agent process (re-attach); directories that vanished are skipped. */
    TaskCgroup open(List<Path> directories);

    /**
     * Picks the implementation this machine supports under {@code root} (normally {@code /sys/fs/cgroup}):
     * v1 when the memory hierarchy is mounted there and writable, else v2 when the unified root offers the memory
     * controller, else none.
     */
    static Cgroups detect(Path root) {
        Logger log = LoggerFactory.getLogger(Cgroups.class);
        if (Files.exists(root.resolve("memory").resolve("cgroup.procs"))) {
            try {
                return CgroupV1.open(root);
            } catch (IOException | RuntimeException e) {
                log.warn("cgroup v1 is mounted at {} but not usable ({}); tasks run without resource limits", root,
                        e.toString());
                return new NoCgroups();
            }
        }
        Path controllers = root.resolve("cgroup.controllers");
        if (Files.exists(controllers)) {
            try {
                if (Files.readString(controllers).contains("memory")) {
                    return CgroupV2.open(root);
                }
            } catch (IOException | RuntimeException e) {
                log.warn("cgroup v2 at {} is not usable ({}); tasks run without resource limits", root, e.toString());
                return new NoCgroups();
            }
        }
        log.warn("no writable cgroup hierarchy with the memory controller under {}; tasks run without resource limits",
                root);
        return new NoCgroups();
    }

    /** Replaces what cannot appear in a cgroup directory name. */
    static String sanitize(String name) {
        String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return cleaned.startsWith(".") ? "_" + cleaned.substring(1) : cleaned;
    }
}
