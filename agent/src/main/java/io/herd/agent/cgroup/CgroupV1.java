package io.herd.agent.cgroup;

import io.herd.api.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1: one hierarchy per controller ({@code /sys/fs/cgroup/memory}, {@code cpu}, {@code cpuacct},
 * {@code pids}; {@code cpu} and {@code cpuacct} may be one co-mounted hierarchy). A task's cgroup is a directory
 * of the same name under {@code herd/} in each.
 */
public final class CgroupV1 implements Cgroups {
    static final long CFS_PERIOD_MICROS = 100_000;
    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuacct", "pids");

    /** controller → its {@code herd} parent directory; co-mounted controllers appear once. */
    private final Map<String, Path> parents;

    private CgroupV1(Map<String, Path> parents) {
        this.parents = parents;
    }

    /** Creates {@code herd/} in each mounted hierarchy; fails when the memory hierarchy is not writable. */
    static CgroupV1 open(Path root) throws IOException {
        Map<String, Path> parents = new LinkedHashMap<>();
        Set<Path> seen = new HashSet<>();
        for (String controller : CONTROLLERS) {
            Path mount = root.resolve(controller);
            if (!Files.exists(mount.resolve("cgroup.procs"))) {
                continue;
            }
            Path real = mount.toRealPath();
            if (!seen.add(real)) {
                continue;
            }
            Path parent = real.resolve(PARENT);
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                if (controller.equals("memory")) {
                    throw e;
                }
                continue;
            }
            if (!Files.isWritable(parent.resolve("cgroup.procs"))) {
                if (controller.equals("memory")) {
                    throw new IOException(parent + " is not writable");
                }
                continue;
            }
            parents.put(controller, parent);
        }
        if (!parents.containsKey("memory")) {
            throw new IOException("the memory hierarchy is not mounted under " + root);
        }
        return new CgroupV1(parents);
    }

    @Override
    public String kind() {
        return "v1";
    }

    @Override
    public TaskCgroup create(String name, Resources limits) throws IOException {
        String directoryName = Cgroups.sanitize(name);
        Map<String, Path> directories = new LinkedHashMap<>();
        for (Map.Entry<String, Path> entry : parents.entrySet()) {
            directories.put(entry.getKey(), entry.getValue().resolve(directoryName));
        }
        Group leftover = new Group(new ArrayList<>(directories.values()));
        if (directories.values().stream().anyMatch(Files::exists)) {
            leftover.remove();
        }
        Group group = new Group(new ArrayList<>(directories.values()));
        try {
            for (Path directory : directories.values()) {
                Files.createDirectories(directory);
            }
            Path memory = directories.get("memory");
            if (limits.memoryBytes() > 0) {
                CgroupFiles.write(memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
                // without this the task would swap instead of being OOM-killed at its limit
                CgroupFiles.writeOptional(memory.resolve("memory.memsw.limit_in_bytes"),
                        Long.toString(limits.memoryBytes()));
            }
            Path cpu = directories.get("cpu");
            if (cpu != null && limits.cpuMillis() > 0) {
                CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_MICROS));
                // 1000m = one full cpu = the whole period; shares scale the default 1024 per cpu the same way
                long quota = Math.max(1000, limits.cpuMillis() * CFS_PERIOD_MICROS / 1000);
                CgroupFiles.write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(quota));
                long shares = Math.max(2, limits.cpuMillis() * 1024 / 1000);
                CgroupFiles.write(cpu.resolve("cpu.shares"), Long.toString(shares));
            }
        } catch (IOException | RuntimeException e) {
            group.remove();
            throw e;
        }
        return group;
    }

    @Override
    public TaskCgroup open(List<Path> directories) {
        return new Group(directories.stream().filter(Files::isDirectory).toList());
    }

    private record Group(List<Path> directories) implements TaskCgroup {
        Group {
            directories = List.copyOf(directories);
        }

        @Override
        public List<Path> procsFiles() {
            return directories.stream().map(directory -> directory.resolve("cgroup.procs")).toList();
        }

        @Override
        public Set<Long> pids() {
            return CgroupFiles.pids(procsFiles());
        }

        private Path memory() {
            return directories.stream().filter(directory -> Files.exists(directory.resolve("memory.oom_control")))
                    .findFirst().orElse(null);
        }

        @Override
        public long oomKills() {
            Path memory = memory();
            return memory == null ? 0 : CgroupFiles.readKey(memory.resolve("memory.oom_control"), "oom_kill");
        }

        @Override
        public boolean memoryLimitReached() {
            Path memory = memory();
            if (memory == null) {
                return false;
            }
            long failures = CgroupFiles.readLong(memory.resolve("memory.failcnt")).orElse(0L);
            long limit = CgroupFiles.readLong(memory.resolve("memory.limit_in_bytes")).orElse(Long.MAX_VALUE);
            long peak = CgroupFiles.readLong(memory.resolve("memory.max_usage_in_bytes")).orElse(0L);
            return failures > 0 && peak >= limit - (limit / 20);
        }

        @Override
        public void remove() {
            CgroupFiles.killAndRemove(directories, procsFiles());
        }
    }
}
