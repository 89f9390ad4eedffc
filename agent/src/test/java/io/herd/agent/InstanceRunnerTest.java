package io.herd.agent;

import io.herd.api.InstanceState;
import io.herd.api.Resources;
import io.herd.api.RestartPolicy;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.testkit.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.herd.agent.AgentFixture.alive;
import static io.herd.agent.AgentFixture.batch;
import static io.herd.agent.AgentFixture.instance;
import static io.herd.agent.AgentFixture.noRestarts;
import static io.herd.agent.AgentFixture.service;
import static io.herd.agent.AgentFixture.shell;
import static io.herd.agent.AgentFixture.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class InstanceRunnerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;
    private AgentFixture fixture;

    @BeforeEach
    void setUp() throws Exception {
        fixture = new AgentFixture(dataDir);
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private static TaskState runningTask(InstanceRunner runner, String task) {
        await().atMost(TIMEOUT).until(() -> runner.tasks().get(task).status() == TaskStatus.RUNNING);
        return runner.tasks().get(task);
    }

    @Test
    void runsTaskWithHerdEnvironmentPortsAndExpandedArgs() throws Exception {
        var instance = instance(Map.of("http", 23456, "admin-api", 23457));
        var task = task("server", "sh",
                List.of("-c", "env > env.txt; echo \"$1\" > arg.txt; exec sleep 1000", "sh", "--port=${HERD_PORT_HTTP}"),
                Map.of("GREETING", "hello ${HERD_NODE}"), Resources.ZERO, Duration.ofSeconds(5));
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), task));

        TaskState state = runningTask(runner, "server");
        fixture.trackPid(state.pid());
        assertThat(alive(state.pid())).isTrue();
        await().atMost(TIMEOUT).until(() -> runner.state() == InstanceState.RUNNING);

        Path taskDir = fixture.store.taskDir(instance.id(), "server");
        Path envFile = taskDir.resolve("env.txt");
        await().atMost(TIMEOUT).until(() -> Files.exists(taskDir.resolve("arg.txt")) && Files.size(envFile) > 0);
        List<String> env = Files.readAllLines(envFile);
        assertThat(env).contains(
                "HERD_APP=test_app",
                "HERD_JOB=job",
                "HERD_GROUP=web",
                "HERD_INSTANCE_ID=" + instance.id(),
                "HERD_INSTANCE_INDEX=0",
                "HERD_NODE=node-a",
                "HERD_PORT_HTTP=23456",
                "HERD_PORT_ADMIN_API=23457",
                "HERD_TASK_DIR=" + taskDir,
                "HERD_ALLOC_DIR=" + fixture.store.allocDir(instance.id()),
                "GREETING=hello node-a");
        assertThat(Files.readString(taskDir.resolve("arg.txt")).trim()).isEqualTo("--port=23456");

        // the shim leads its own session: pid = process group = session id
        var stat = AgentFixture.PROCESSES.stat(state.pid()).orElseThrow();
        assertThat(stat.session()).isEqualTo(state.pid());
        assertThat(stat.processGroup()).isEqualTo(state.pid());
        if (AgentFixture.CGROUPS.enabled()) {
            assertThat(Files.readString(Path.of("/proc", Long.toString(state.pid()), "cgroup")))
                    .contains("/herd/" + instance.id() + "-server");
        }

        runner.stop("test");
        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(alive(state.pid())).isFalse();
        assertThat(runner.state()).isEqualTo(InstanceState.COMPLETE);
        assertThat(runner.tasks().get("server").reason()).isEqualTo(InstanceRunner.KILLED);
        assertThat(fixture.updates).anyMatch(update -> update.state() == InstanceState.RUNNING);
    }

    @Test
    void stopSendsTermFirst() throws Exception {
        var instance = instance();
        InstanceRunner runner = fixture.start(instance, service(noRestarts(),
                shell("server", "trap 'echo term > got-term; exit 0' TERM; touch trapped; sleep 1000 & wait")));
        TaskState state = runningTask(runner, "server");
        fixture.trackPid(state.pid());
        // Running means the process started, not that the shell has set its trap yet (on a busy machine, later).
        Path trapped = fixture.store.taskDir(instance.id(), "server").resolve("trapped");
        await().atMost(TIMEOUT).until(() -> Files.exists(trapped));

        long started = System.nanoTime();
        runner.stop("test");
        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        assertThat(fixture.store.taskDir(instance.id(), "server").resolve("got-term")).exists();
        TaskState stopped = runner.tasks().get("server");
        assertThat(stopped.status()).isEqualTo(TaskStatus.DEAD);
        assertThat(stopped.exitCode()).isZero();
        assertThat(stopped.reason()).isEqualTo(InstanceRunner.KILLED);
    }

    @Test
    void taskIgnoringTermIsKilledAfterKillTimeoutWithItsChildren() throws Exception {
        var instance = instance();
        var task = task("stubborn", "/bin/sh",
                List.of("-c", "trap '' TERM; sleep 1000 & echo $! > children; sleep 1000 & echo $! >> children; wait"),
                Map.of(), Resources.ZERO, Duration.ofMillis(1500));
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), task));
        TaskState state = runningTask(runner, "stubborn");
        fixture.trackPid(state.pid());
        Path children = fixture.store.taskDir(instance.id(), "stubborn").resolve("children");
        await().atMost(TIMEOUT).until(() -> Files.exists(children) && Files.readAllLines(children).size() == 2);
        List<Long> childPids = Files.readAllLines(children).stream().map(Long::parseLong).toList();
        childPids.forEach(fixture::trackPid);
        assertThat(childPids).allMatch(AgentFixture::alive);

        long started = System.nanoTime();
        runner.stop("test");
        runner.terminated().get(30, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(alive(state.pid())).isFalse();
        assertThat(childPids).noneMatch(AgentFixture::alive);
        TaskState stopped = runner.tasks().get("stubborn");
        assertThat(stopped.exitCode()).isEqualTo(137);
        assertThat(stopped.reason()).isEqualTo(InstanceRunner.KILLED);
    }

    @Test
    void orphanedGrandchildIsReapedBySubreaper() throws Exception {
        assumeTrue(fixture.driver.tini().isPresent(), "tini is not installed");
        var instance = instance();
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), shell("server",
                "sh -c 'sleep 1 & echo $! > orphan.pid'; exec sleep 1000")));
        TaskState state = runningTask(runner, "server");
        fixture.trackPid(state.pid());
        Path pidFile = fixture.store.taskDir(instance.id(), "server").resolve("orphan.pid");
        await().atMost(TIMEOUT).until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
        long orphan = Long.parseLong(Files.readString(pidFile).trim());
        fixture.trackPid(orphan);

        // its parent exited at once: it now belongs to tini, the shim's only child
        var parent = AgentFixture.PROCESSES.stat(orphan).map(stat -> stat.parentPid());
        if (parent.isPresent()) {
            var tini = AgentFixture.PROCESSES.stat(parent.get()).orElseThrow();
            assertThat(tini.parentPid()).isEqualTo(state.pid());
        }
        // once it exits, tini reaps it: no zombie is left behind
        await().atMost(TIMEOUT).until(() -> AgentFixture.PROCESSES.stat(orphan).isEmpty());
        assertThat(AgentFixture.PROCESSES.sessionMembers(state.pid())).hasSize(3); // shim, tini, sleep
    }

    @Test
    void crashingTaskIsRestartedWithBackoffThenFails() throws Exception {
        var instance = instance();
        var policy = new RestartPolicy(2, Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofSeconds(5));
        InstanceRunner runner = fixture.start(instance, service(policy,
                shell("crash", "date +%s%N >> \"$HERD_ALLOC_DIR/runs\"; echo boom >&2; exit 3")));

        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        assertThat(runner.status().reason()).isEqualTo("task crash exited with code 3 after 2 restarts");
        TaskState crashed = runner.tasks().get("crash");
        assertThat(crashed.status()).isEqualTo(TaskStatus.DEAD);
        assertThat(crashed.restarts()).isEqualTo(2);
        assertThat(crashed.exitCode()).isEqualTo(3);
        assertThat(crashed.reason()).isEqualTo(InstanceRunner.ERROR);

        long[] runs = Files.readAllLines(fixture.store.allocDir(instance.id()).resolve("runs")).stream()
                .mapToLong(Long::parseLong).toArray();
        assertThat(runs).hasSize(3);
        // the delay doubles: 200 ms, then 400 ms
        assertThat(Duration.ofNanos(runs[1] - runs[0])).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(runs[2] - runs[1])).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(Files.readString(fixture.store.logFile(instance.id(), "crash", "stderr")))
                .isEqualTo("boom\nboom\nboom\n");
        assertThat(fixture.updates).anyMatch(update -> update.tasks().get("crash").status() == TaskStatus.PENDING
                && update.tasks().get("crash").restarts() == 1);
    }

    @Test
    void restartsOutsideTheIntervalDoNotCountAgainstAttempts() throws Exception {
        FakeClock clock = new FakeClock();
        var instance = instance();
        var policy = new RestartPolicy(1, Duration.ofMinutes(1), Duration.ofMillis(10), Duration.ofMillis(10));
        // run n waits for the file gate-n, then crashes
        InstanceRunner runner = fixture.start(instance, service(policy, shell("crash",
                "echo run >> runs; n=$(wc -l < runs); while [ ! -f gate-$n ]; do sleep 0.02; done; exit 1")),
                fixture.context(clock));
        Path taskDir = fixture.store.taskDir(instance.id(), "crash");

        awaitRun(runner, taskDir, 1);
        Files.createFile(taskDir.resolve("gate-1"));
        awaitRun(runner, taskDir, 2);
        clock.advance(Duration.ofMinutes(2));
        Files.createFile(taskDir.resolve("gate-2"));
        awaitRun(runner, taskDir, 3);
        assertThat(runner.tasks().get("crash").restarts()).isEqualTo(2);
        Files.createFile(taskDir.resolve("gate-3"));

        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        assertThat(runner.status().reason()).isEqualTo("task crash exited with code 1 after 2 restarts");
    }

    private static InstanceSpec withCheck(InstanceSpec spec, io.herd.api.Check check) {
        io.herd.api.Group group = spec.group();
        return new InstanceSpec(spec.jobType(), new io.herd.api.Group(group.name(), group.count(), group.constraints(),
                group.spread(), group.update(), group.restart(),
                List.of(new io.herd.api.Service("site", "http", check)), group.tasks()));
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void anHttpCheckReportsTheInstanceHealthyOnceItsServerAnswers() throws Exception {
        int port = freePort();
        var instance = instance(Map.of("http", port));
        // The server starts listening only after a gate file appears: until then the check fails.
        var spec = withCheck(service(noRestarts(), shell("server",
                "while [ ! -f gate ]; do sleep 0.05; done; exec python3 -m http.server --bind 127.0.0.1 \"$HERD_PORT_HTTP\"")),
                new io.herd.api.Check(io.herd.api.Check.HTTP, "/", null, List.of(), Duration.ofMillis(100),
                        Duration.ofSeconds(1), Duration.ZERO, 2, 2, io.herd.api.Check.NONE));
        InstanceRunner runner = fixture.start(instance, spec);
        Path taskDir = fixture.store.taskDir(instance.id(), "server");

        await().atMost(TIMEOUT).until(() -> runner.state() == InstanceState.RUNNING);
        assertThat(runner.status().healthy()).isFalse();
        fixture.trackPid(runner.tasks().get("server").pid());
        Files.createFile(taskDir.resolve("gate"));
        await().atMost(TIMEOUT).until(() -> Boolean.TRUE.equals(runner.status().healthy()));
        assertThat(fixture.updates).anyMatch(update -> Boolean.FALSE.equals(update.healthy())
                && update.state() == InstanceState.RUNNING);
        assertThat(runner.tasks().get("server").restarts()).as("readiness only").isZero();
    }

    @Test
    void aFailingLivenessCheckRestartsTheTasksUnderTheRestartPolicy() throws Exception {
        var instance = instance(Map.of("http", freePort()));
        var policy = new RestartPolicy(1, Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofSeconds(1));
        // The exec check passes only while the file "ok" exists, which never happens.
        var spec = withCheck(service(policy, shell("server", "exec sleep 1000")),
                new io.herd.api.Check(io.herd.api.Check.EXEC, null, "/bin/sh", List.of("-c", "test -f ok"),
                        Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofMillis(200), 1, 3,
                        io.herd.api.Check.RESTART));
        InstanceRunner runner = fixture.start(instance, spec);

        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        TaskState server = runner.tasks().get("server");
        assertThat(server.restarts()).isEqualTo(1);
        assertThat(server.reason()).isEqualTo(InstanceRunner.UNHEALTHY);
        assertThat(server.message()).startsWith("killed: health check of site failed");
        assertThat(runner.status().reason()).startsWith("task server exited with code");
    }

    private static void awaitRun(InstanceRunner runner, Path taskDir, int run) {
        await().atMost(TIMEOUT).until(() -> runner.tasks().get("crash").status() == TaskStatus.RUNNING
                && Files.exists(taskDir.resolve("runs")) && Files.readAllLines(taskDir.resolve("runs")).size() == run);
    }

    @Test
    void batchInstanceCompletesWhenEveryTaskExitsZero() throws Exception {
        var instance = instance();
        InstanceRunner runner = fixture.start(instance, batch(noRestarts(),
                shell("first", "echo one"), shell("second", "sleep 0.2; echo two")));
        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.COMPLETE);
        assertThat(runner.tasks().values()).allSatisfy(task -> {
            assertThat(task.status()).isEqualTo(TaskStatus.DEAD);
            assertThat(task.exitCode()).isZero();
            assertThat(task.reason()).isEqualTo(InstanceRunner.COMPLETED);
            assertThat(task.restarts()).isZero();
        });
        assertThat(Files.readString(fixture.store.logFile(instance.id(), "second", "stdout"))).isEqualTo("two\n");
    }

    @Test
    void serviceTaskExitingZeroIsRestarted() throws Exception {
        var policy = new RestartPolicy(1, Duration.ofMinutes(5), Duration.ofMillis(10), Duration.ofMillis(10));
        InstanceRunner runner = fixture.start(instance(), service(policy, shell("once", "exit 0")));
        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        assertThat(runner.tasks().get("once").restarts()).isEqualTo(1);
        assertThat(runner.status().reason()).isEqualTo("task once exited with code 0 after 1 restart");
    }

    @Test
    void failingTaskStopsTheOtherTasks() throws Exception {
        var instance = instance();
        InstanceRunner runner = fixture.start(instance, service(noRestarts(),
                shell("sidecar", "exec sleep 1000"),
                shell("main", "while [ ! -f \"$HERD_ALLOC_DIR/crash\" ]; do sleep 0.02; done; exit 2")));
        TaskState sidecar = runningTask(runner, "sidecar");
        fixture.trackPid(sidecar.pid());
        runningTask(runner, "main");
        Files.createFile(fixture.store.allocDir(instance.id()).resolve("crash"));

        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        assertThat(runner.status().reason()).isEqualTo("task main exited with code 2 after 0 restarts");
        assertThat(alive(sidecar.pid())).isFalse();
        assertThat(runner.tasks().get("sidecar").reason()).isEqualTo(InstanceRunner.KILLED);
    }

    @Test
    void missingCommandFailsTheInstanceAtStart() throws Exception {
        InstanceRunner runner = fixture.start(instance(), service(RestartPolicy.DEFAULT_SERVICE,
                task("server", "no-such-command-here", List.of())));
        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        assertThat(runner.status().reason()).startsWith("task server failed to start: command no-such-command-here not found");
        assertThat(runner.tasks().get("server").reason()).isEqualTo(InstanceRunner.START_FAILED);
    }

    @Test
    void memoryHogIsOomKilled() throws Exception {
        assumeTrue(AgentFixture.CGROUPS.enabled(), "no writable cgroup hierarchy (not root?): OOM cannot be enforced");
        var instance = instance();
        var hog = task("hog", "/bin/sh", List.of("-c", "x=$(head -c 300000000 /dev/zero | tr '\\0' a); sleep 5"),
                Map.of(), new Resources(0, 64L << 20, 0), Duration.ofSeconds(5));
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), hog));

        runner.terminated().get(60, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.FAILED);
        TaskState state = runner.tasks().get("hog");
        assertThat(state.reason()).isEqualTo(InstanceRunner.OOM_KILLED);
        assertThat(state.message()).contains("64Mi");
        assertThat(runner.status().reason()).isEqualTo("task hog OOMKilled (memory limit 64Mi) after 0 restarts");
    }

    @Test
    void reattachAdoptsTheLiveProcessAndCanStopIt() throws Exception {
        var instance = instance();
        InstanceRunner first = fixture.start(instance, service(noRestarts(), shell("server", "exec sleep 1000")));
        TaskState running = runningTask(first, "server");
        fixture.trackPid(running.pid());
        long startTicks = AgentFixture.PROCESSES.startTicks(running.pid());

        fixture.detach(first); // the agent dies

        InstanceRunner second = fixture.restore(fixture.context());
        TaskState adopted = second.tasks().get("server");
        assertThat(adopted.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(adopted.pid()).isEqualTo(running.pid());
        assertThat(second.state()).isEqualTo(InstanceState.RUNNING);
        assertThat(AgentFixture.PROCESSES.isAlive(running.pid(), startTicks)).isTrue();
        assertThat(AgentFixture.PROCESSES.sessionMembers(running.pid())).hasSizeGreaterThanOrEqualTo(2);

        second.stop("test");
        second.terminated().get(30, TimeUnit.SECONDS);
        assertThat(alive(running.pid())).isFalse();
        assertThat(second.state()).isEqualTo(InstanceState.COMPLETE);
        assertThat(second.tasks().get("server").reason()).isEqualTo(InstanceRunner.KILLED);
    }

    @Test
    void exitWhileNoAgentWatchedIsReadFromTheShimsExitFile() throws Exception {
        var instance = instance();
        InstanceRunner first = fixture.start(instance, service(noRestarts(),
                shell("server", "while [ ! -f go ]; do sleep 0.02; done; exit 7")));
        TaskState running = runningTask(first, "server");
        fixture.trackPid(running.pid());
        fixture.detach(first);

        Files.createFile(fixture.store.taskDir(instance.id(), "server").resolve("go"));
        await().atMost(TIMEOUT).until(() -> !alive(running.pid()));
        assertThat(first.tasks().get("server").status()).isEqualTo(TaskStatus.RUNNING); // nobody watched

        InstanceRunner second = fixture.restore(fixture.context());
        second.terminated().get(30, TimeUnit.SECONDS);
        TaskState ended = second.tasks().get("server");
        assertThat(ended.exitCode()).isEqualTo(7);
        assertThat(ended.reason()).isEqualTo(InstanceRunner.ERROR);
        assertThat(second.state()).isEqualTo(InstanceState.FAILED);
        assertThat(second.status().reason()).isEqualTo("task server exited with code 7 after 0 restarts");
    }

    @Test
    void reattachedRunnerSeesLaterExitAndRestartsPerPolicy() throws Exception {
        var instance = instance();
        var policy = new RestartPolicy(1, Duration.ofMinutes(5), Duration.ofMillis(10), Duration.ofMillis(10));
        InstanceRunner first = fixture.start(instance, service(policy, shell("server",
                "echo run >> runs; if [ $(wc -l < runs) -eq 1 ]; then while [ ! -f go ]; do sleep 0.02; done; exit 5; fi;"
                        + " exec sleep 1000")));
        TaskState running = runningTask(first, "server");
        fixture.trackPid(running.pid());
        fixture.detach(first);

        InstanceRunner second = fixture.restore(fixture.context());
        assertThat(second.tasks().get("server").pid()).isEqualTo(running.pid());
        Files.createFile(fixture.store.taskDir(instance.id(), "server").resolve("go"));

        await().atMost(TIMEOUT).until(() -> {
            TaskState state = second.tasks().get("server");
            return state.status() == TaskStatus.RUNNING && state.restarts() == 1;
        });
        TaskState restarted = second.tasks().get("server");
        fixture.trackPid(restarted.pid());
        assertThat(restarted.pid()).isNotEqualTo(running.pid());
        assertThat(fixture.updates).anyMatch(update -> update.tasks().get("server").exitCode() != null
                && update.tasks().get("server").exitCode() == 5);
    }

    @Test
    void persistedRecordRoundTrips() {
        var instance = instance(Map.of("http", 20001));
        InstanceRunner runner = fixture.start(instance, service(noRestarts(), shell("server", "exec sleep 1000")));
        TaskState running = runningTask(runner, "server");
        fixture.trackPid(running.pid());
        var record = fixture.store.loadAll().getFirst();
        assertThat(record.instance()).isEqualTo(instance);
        assertThat(record.group()).isEqualTo(runner.spec().group());
        assertThat(record.tasks().get("server").process().pid()).isEqualTo(running.pid());
        assertThat(record.tasks().get("server").process().startTicks())
                .isEqualTo(AgentFixture.PROCESSES.startTicks(running.pid()));
        assertThat(Arrays.asList(record.tasks().get("server").state().status())).containsExactly(TaskStatus.RUNNING);
    }
}
