package io.herd.agent;

import io.herd.api.DesiredStatus;
import io.herd.api.ErrorResponse;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Json;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HerdAgentTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable closeable : closeables.reversed()) {
            closeable.close();
        }
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        http.close();
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private AgentConfig config(String server, boolean stopTasksOnClose) {
        return new AgentConfig(List.of(server), dataDir, "agent-1", Map.of("zone", "a"), "127.0.0.1:0", null, 4000L,
                null, null, stopTasksOnClose);
    }

    private static Job job(String script) {
        var group = AgentFixture.group(AgentFixture.noRestarts(), AgentFixture.shell("server", script));
        return new Job("job", "test_app", JobType.SERVICE, 200, List.of(), List.of(group), 1, Instant.now(), false);
    }

    private static Instance instance(String nodeId) {
        Instant now = Instant.now();
        return new Instance("i-" + UUID.randomUUID(), "test_app", "job", "web", 0, 1, nodeId, "agent-1", Resources.ZERO,
                Map.of(), InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, now, now);
    }

    private InstanceStatusUpdate awaitReport(FakeServer server, String instanceId, InstanceState state) {
        await().atMost(TIMEOUT).until(() -> server.reportsFor(instanceId).stream().anyMatch(u -> u.state() == state));
        return server.reportsFor(instanceId).stream().filter(u -> u.state() == state).toList().getLast();
    }

    private long awaitRunningPid(FakeServer server, String instanceId) {
        await().atMost(TIMEOUT).until(() -> server.reportsFor(instanceId).stream().anyMatch(u ->
                u.state() == InstanceState.RUNNING && u.tasks().get("server").status() == TaskStatus.RUNNING));
        long pid = server.reportsFor(instanceId).stream()
                .filter(u -> u.state() == InstanceState.RUNNING).findFirst().orElseThrow().tasks().get("server").pid();
        pids.add(pid);
        return pid;
    }

    private HttpResponse<String> get(String address, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + address + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void registersRunsAssignedInstancesReportsAndServesLogs() throws Exception {
        FakeServer server = closeLater(FakeServer.start());
        server.addJob(job("echo hello from $HERD_INSTANCE_ID; exec sleep 1000"));
        HerdAgent agent = closeLater(HerdAgent.start(config(server.address(), true)));

        assertThat(server.registrations).hasSize(1);
        var node = server.registrations.getFirst();
        assertThat(node.id()).isEqualTo(agent.nodeId());
        assertThat(Files.readString(dataDir.resolve("node-id")).trim()).isEqualTo(agent.nodeId());
        assertThat(node.name()).isEqualTo("agent-1");
        assertThat(node.address()).isEqualTo(agent.httpAddress()).doesNotEndWith(":0");
        assertThat(node.drivers()).contains("exec");
        assertThat(node.capacity().cpuMillis()).isEqualTo(4000);
        assertThat(node.capacity().memoryBytes()).isPositive();
        assertThat(node.capacity().diskBytes()).isPositive();
        assertThat(node.labels()).containsEntry("zone", "a").containsEntry("os", "linux").containsKeys("arch", "kernel",
                "hostname");

        Instance instance = instance(agent.nodeId());
        server.put(instance);
        long pid = awaitRunningPid(server, instance.id());
        assertThat(AgentFixture.alive(pid)).isTrue();

        // logs, from the start and from the end
        String path = "/v1/instances/" + instance.id() + "/logs/server?stream=stdout&offset=0";
        await().atMost(TIMEOUT).until(() -> get(agent.httpAddress(), path).body().contains("hello from " + instance.id()));
        HttpResponse<String> logs = get(agent.httpAddress(), path);
        assertThat(logs.statusCode()).isEqualTo(200);
        assertThat(logs.headers().firstValueAsLong("X-Herd-Log-Offset")).hasValue(logs.body().length());
        HttpResponse<String> tail = get(agent.httpAddress(), "/v1/instances/" + instance.id()
                + "/logs/server?stream=stdout&offset=-3");
        assertThat(tail.body()).isEqualTo(logs.body().substring(logs.body().length() - 3));

        HttpResponse<String> missing = get(agent.httpAddress(), "/v1/instances/nope/logs/server?stream=stdout");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(Json.read(missing.body(), ErrorResponse.class).error().code()).isEqualTo("INSTANCE_NOT_FOUND");
        HttpResponse<String> noTask = get(agent.httpAddress(), "/v1/instances/" + instance.id() + "/logs/other");
        assertThat(Json.read(noTask.body(), ErrorResponse.class).error().code()).isEqualTo("LOG_NOT_FOUND");

        HttpResponse<String> status = get(agent.httpAddress(), "/v1/agent/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains(instance.id()).contains("\"pid\":" + pid).contains(agent.nodeId());
        assertThat(get(agent.httpAddress(), "/metrics").body()).contains("herd_agent_tasks_running 1.0\n")
                .contains("herd_agent_task_restarts_total 0.0\n");

        // the server forgets the node: the agent registers again and re-reports what it runs
        int reportsBefore = server.reportsFor(instance.id()).size();
        server.forgetNode();
        await().atMost(TIMEOUT).until(() -> server.registrations.size() == 2
                && server.reportsFor(instance.id()).size() > reportsBefore);
        assertThat(server.reportsFor(instance.id()).getLast().state()).isEqualTo(InstanceState.RUNNING);

        // the server stops it
        server.put(instance.withDesired(DesiredStatus.STOP, "job stopped", Instant.now()));
        InstanceStatusUpdate complete = awaitReport(server, instance.id(), InstanceState.COMPLETE);
        assertThat(complete.reason()).isEqualTo("job stopped");
        assertThat(complete.tasks().get("server").reason()).isEqualTo(InstanceRunner.KILLED);
        assertThat(AgentFixture.alive(pid)).isFalse();

        // and forgets it: the agent deletes its directory
        server.remove(instance.id());
        await().atMost(TIMEOUT).until(() -> !Files.exists(dataDir.resolve("instances").resolve(instance.id())));
    }

    @Test
    void aStatefulReplacementStartsOnlyOnceTheInstanceItReplacesEndedAndAPurgedVolumeGoes() throws Exception {
        FakeServer server = closeLater(FakeServer.start());
        // The first instance takes a second to stop after SIGTERM; the second must not start before.
        var group = AgentFixture.group(AgentFixture.noRestarts(), AgentFixture.shell("server",
                "trap 'sleep 1; exit 0' TERM; echo $HERD_INSTANCE_ID >> \"$HERD_VOLUME_DATA/ids\"; "
                        + "while true; do sleep 0.1; done"))
                .withVolumes(List.of(new io.herd.api.Volume("data", 1L << 20)));
        server.addJob(new Job("job", "test_app", JobType.SERVICE, 200, List.of(), List.of(group), 1, Instant.now(),
                false));
        HerdAgent agent = closeLater(HerdAgent.start(config(server.address(), true)));
        String volumeId = "test_app.job.web.0.data.0a1b2c3d";
        server.volumes.add(new io.herd.api.StickyVolume(volumeId, "test_app", "job", "web", 0, "data", 1L << 20,
                agent.nodeId(), "agent-1", Instant.now()));
        Instance first = instance(agent.nodeId());
        server.put(first);
        awaitRunningPid(server, first.id());

        Instance second = instance(agent.nodeId());
        server.put(first.withDesired(DesiredStatus.STOP, "replaced by version 1", Instant.now()));
        server.put(second);
        awaitRunningPid(server, second.id());

        TaskState ended = awaitReport(server, first.id(), InstanceState.COMPLETE).tasks().get("server");
        TaskState started = server.reportsFor(second.id()).stream().filter(u -> u.state() == InstanceState.RUNNING)
                .findFirst().orElseThrow().tasks().get("server");
        assertThat(started.startTime()).isAfterOrEqualTo(ended.finishTime());
        Path volume = dataDir.resolve("volumes").resolve(volumeId);
        await().atMost(TIMEOUT).until(() -> Files.readAllLines(volume.resolve("ids")).size() == 2);
        assertThat(Files.readAllLines(volume.resolve("ids"))).containsExactly(first.id(), second.id());

        // Purged: the server lists the volume no more; it goes once its instance stopped.
        server.volumes.clear();
        server.put(second.withDesired(DesiredStatus.STOP, "job stopped", Instant.now()));
        awaitReport(server, second.id(), InstanceState.COMPLETE);
        await().atMost(TIMEOUT).until(() -> !Files.exists(volume));
    }

    @Test
    void tasksSurviveAnAgentRestartAndAreAdoptedByTheNextAgent() throws Exception {
        FakeServer server = closeLater(FakeServer.start());
        server.addJob(job("exec sleep 1000"));
        HerdAgent first = HerdAgent.start(config(server.address(), false));
        String nodeId = first.nodeId();
        Instance instance = instance(nodeId);
        try {
            server.put(instance);
            awaitRunningPid(server, instance.id());
        } finally {
            first.close();
        }
        long pid = awaitRunningPid(server, instance.id());
        assertThat(AgentFixture.alive(pid)).isTrue();
        int reportsBefore = server.reportsFor(instance.id()).size();

        HerdAgent second = closeLater(HerdAgent.start(config(server.address(), true)));
        assertThat(second.nodeId()).isEqualTo(nodeId);
        await().atMost(TIMEOUT).until(() -> server.reportsFor(instance.id()).size() > reportsBefore);
        InstanceStatusUpdate adopted = server.reportsFor(instance.id()).getLast();
        assertThat(adopted.state()).isEqualTo(InstanceState.RUNNING);
        assertThat(adopted.tasks().get("server").pid()).isEqualTo(pid);
        assertThat(adopted.tasks().get("server").restarts()).isZero();
        assertThat(AgentFixture.alive(pid)).isTrue();

        server.put(instance.withDesired(DesiredStatus.STOP, "job stopped", Instant.now()));
        awaitReport(server, instance.id(), InstanceState.COMPLETE);
        assertThat(AgentFixture.alive(pid)).isFalse();
    }

    @Test
    void keepsTryingToRegisterUntilAServerAnswers() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        CompletableFuture<HerdAgent> starting = CompletableFuture.supplyAsync(() -> HerdAgent.start(config(address, true)));
        FakeServer server = closeLater(FakeServer.start(port));
        HerdAgent agent = closeLater(starting.get(60, TimeUnit.SECONDS));
        assertThat(server.registrations).extracting(node -> node.id()).containsExactly(agent.nodeId());
        await().atMost(TIMEOUT).until(() -> server.heartbeats.get() > 0);
    }
}
