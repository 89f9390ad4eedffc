package io.herd.agent;

import io.herd.agent.cgroup.Cgroups;
import io.herd.agent.driver.ExecDriver;
import io.herd.agent.driver.ProcessTable;
import io.herd.agent.driver.TaskDriver;
import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.JobType;
import io.herd.api.Resources;
import io.herd.api.RestartPolicy;
import io.herd.api.Task;
import io.herd.api.UpdatePolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real runners with the real exec driver in a temporary data directory. {@link #close()} stops every runner it made,
 * kills whatever is left of their processes and checks their cgroups are gone.
 */
final class AgentFixture implements AutoCloseable {
    static final Cgroups CGROUPS = Cgroups.detect(Path.of("/sys/fs/cgroup"));
    static final ProcessTable PROCESSES = new ProcessTable();

    final Path dataDir;
    final AgentStateStore store;
    final ExecDriver driver;
    final List<InstanceStatusUpdate> updates = new CopyOnWriteArrayList<>();
    private final List<InstanceRunner> runners = new CopyOnWriteArrayList<>();
    private final List<Long> pids = new CopyOnWriteArrayList<>();
    private final List<String> instanceIds = new CopyOnWriteArrayList<>();

    AgentFixture(Path dataDir) throws IOException {
        this.dataDir = dataDir;
        this.store = new AgentStateStore(dataDir);
        this.driver = ExecDriver.create(store.binDir(), CGROUPS).orElseThrow();
    }

    RunnerContext context(InstantSource clock) {
        return new RunnerContext(Map.<String, TaskDriver>of("exec", driver), store, clock, "node-a", System.getenv(),
                updates::add, new AtomicLong());
    }

    RunnerContext context() {
        return context(InstantSource.system());
    }

    InstanceRunner start(Instance instance, InstanceSpec spec) {
        return start(instance, spec, context());
    }

    InstanceRunner start(Instance instance, InstanceSpec spec, RunnerContext context) {
        instanceIds.add(instance.id());
        InstanceRunner runner = InstanceRunner.create(instance, spec, context);
        track(runner);
        runner.start();
        return runner;
    }

    InstanceRunner restore(RunnerContext context) {
        List<AgentStateStore.InstanceRecord> records = store.loadAll();
        assertThat(records).hasSize(1);
        InstanceRunner runner = InstanceRunner.restore(records.getFirst(), context);
        track(runner);
        runner.start();
        return runner;
    }

    void track(InstanceRunner runner) {
        runners.add(runner);
    }

    /** Simulates the agent's death: the runner lets go, its processes keep running. */
    void detach(InstanceRunner runner) {
        runner.detach();
        runners.remove(runner);
    }

    /** Remembers a pid to kill at the end should the test fail half-way. */
    void trackPid(long pid) {
        pids.add(pid);
    }

    static Instance instance(Map<String, Integer> ports) {
        Instant now = Instant.now();
        return new Instance("i-" + UUID.randomUUID(), "test_app", "job", "web", 0, 1, "node-1", "node-a", Resources.ZERO,
                ports, InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, now, now);
    }

    static Instance instance() {
        return instance(Map.of());
    }

    static Task task(String name, String command, List<String> args) {
        return task(name, command, args, Map.of(), Resources.ZERO, Duration.ofSeconds(5));
    }

    static Task shell(String name, String script) {
        return task(name, "/bin/sh", List.of("-c", script));
    }

    static Task task(String name, String command, List<String> args, Map<String, String> env, Resources resources,
            Duration killTimeout) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("command", command);
        config.put("args", new ArrayList<>(args));
        return new Task(name, "exec", config, env, resources, List.of(), killTimeout);
    }

    static InstanceSpec service(RestartPolicy restart, Task... tasks) {
        return new InstanceSpec(JobType.SERVICE, group(restart, tasks));
    }

    static InstanceSpec batch(RestartPolicy restart, Task... tasks) {
        return new InstanceSpec(JobType.BATCH, group(restart, tasks));
    }

    static Group group(RestartPolicy restart, Task... tasks) {
        return new Group("web", 1, List.of(), null, UpdatePolicy.DEFAULT, restart, List.of(), List.of(tasks));
    }

    static RestartPolicy noRestarts() {
        return new RestartPolicy(0, Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofSeconds(1));
    }

    static boolean alive(long pid) {
        return PROCESSES.stat(pid).filter(ProcessTable.ProcessStat::running).isPresent();
    }

    /** The cgroup directories of a task, whether or not they exist. */
    static List<Path> cgroupDirectories(String instanceId, String task) {
        String name = Cgroups.sanitize(instanceId + "-" + task);
        List<Path> directories = new ArrayList<>();
        for (String controller : List.of("memory", "cpu", "cpuacct", "pids")) {
            directories.add(Path.of("/sys/fs/cgroup", controller, Cgroups.PARENT, name));
        }
        directories.add(Path.of("/sys/fs/cgroup", Cgroups.PARENT, name));
        return directories;
    }

    private static void removeCgroup(Path directory) throws IOException, InterruptedException {
        for (String line : Files.readAllLines(directory.resolve("cgroup.procs"))) {
            ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (int attempt = 0; attempt < 100 && Files.exists(directory); attempt++) {
            try {
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (InstanceRunner runner : runners) {
            runner.stop("test over");
        }
        for (InstanceRunner runner : runners) {
            try {
                runner.terminated().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // killed below
            }
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (String id : instanceIds) {
            for (Path directory : cgroupDirectories(id, "")) {
                // tasks are named per test; check every cgroup starting with the instance id
                Path parent = directory.getParent();
                if (Files.isDirectory(parent)) {
                    try (var children = Files.list(parent)) {
                        List<Path> left = children.filter(child -> child.getFileName().toString()
                                .startsWith(Cgroups.sanitize(id))).toList();
                        for (Path leftover : left) {
                            removeCgroup(leftover);
                        }
                        assertThat(left).as("cgroups left behind").isEmpty();
                    }
                }
            }
        }
    }
}
