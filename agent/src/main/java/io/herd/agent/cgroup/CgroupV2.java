package io.herd.agent.cgroup;

import io.herd.api.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * cgroup v2: one unified hierarchy; a task's cgroup is {@code <root>/herd/<name>}. The {@code herd} parent holds
 * no processes itself (v2's no-internal-processes rule) and delegates memory, cpu and pids to its children.
 */
public final class CgroupV2 implements Cgroups {
    private final Path parent;

    private CgroupV2(Path parent) {
        this.parent = parent;
    }

    static CgroupV2 open(Path root) throws IOException {
        Path parent = root.resolve(PARENT);
        Files.createDirectories(parent);
        enableControllers(root);
        enableControllers(parent);
        String enabled = Files.readString(parent.resolve("cgroup.subtree_control"));
        if (!enabled.contains("memory")) {
            throw new IOException("cannot delegate the memory controller to " + parent);
        }
        return new CgroupV2(parent);
    }

    private static void enableControllers(Path directory) {
        for (String controller : List.of("memory", "cpu", "pids")) {
            CgroupFiles.writeOptional(directory.resolve("cgroup.subtree_control"), "+" + controller);
        }
    }

    @Override
    public String kind() {
        return "v2";
    }

    @Override
    public TaskCgroup create(String name, Resources limits) throws IOException {
        Path directory = parent.resolve(Cgroups.sanitize(name));
        if (Files.exists(directory)) {
            new Group(directory).remove();
        }
        Group group = new Group(directory);
        try {
            Files.createDirectories(directory);
            if (limits.memoryBytes() > 0) {
                CgroupFiles.write(directory.resolve("memory.max"), Long.toString(limits.memoryBytes()));
                CgroupFiles.writeOptional(directory.resolve("memory.swap.max"), "0");
            }
            if (limits.cpuMillis() > 0) {
                CgroupFiles.writeOptional(directory.resolve("cpu.max"),
                        Math.max(1000, limits.cpuMillis() * 100) + " " + CgroupV1.CFS_PERIOD_MICROS);
                CgroupFiles.writeOptional(directory.resolve("cpu.weight"),
                        Long.toString(Math.clamp(limits.cpuMillis() / 10, 1, 10_000)));
            }
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
        return group;
    }

    @Override
    public TaskCgroup open(List<Path> directories) {
        return directories.isEmpty() || !Files.isDirectory(directories.getFirst())
                ? new NoCgroups().open(List.of())
                : new Group(directories.getFirst());
    }

    private record Group(Path directory) implements TaskCgroup {
        @Override
        public List<Path> directories() {
            return List.of(directory);
        }

        @Override
        public List<Path> procsFiles() {
            return List.of(directory.resolve("cgroup.procs"));
        }

        @Override
        public Set<Long> pids() {
            return CgroupFiles.pids(procsFiles());
        }

        @Override
        public long oomKills() {
            return CgroupFiles.readKey(directory.resolve("memory.events"), "oom_kill");
        }

        @Override
        public boolean memoryLimitReached() {
            return CgroupFiles.readKey(directory.resolve("memory.events"), "max") > 0;
        }

        @Override
        public void remove() {
            // cgroup.kill (Linux 5.14+) kills every process inside atomically, forks included
            CgroupFiles.writeOptional(directory.resolve("cgroup.kill"), "1");
            CgroupFiles.killAndRemove(List.of(directory), procsFiles());
        }
    }
}
