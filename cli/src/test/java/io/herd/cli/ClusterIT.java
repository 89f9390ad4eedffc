package io.herd.cli;

import com.sun.net.httpserver.HttpServer;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.EventSubscription;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.LogTime;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.TaskState;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.SubscribeRequest;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One server and three agents, each a separate JVM on loopback, running real processes. The scenarios share
 * the cluster and run in order; the agent kill comes last because it removes a node for good.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(5);
    private static final String WEB = """
            job: web
            app: demo
            type: service
            groups:
              - name: main
                count: 6
                restart: {attempts: 5, interval: 1m, delay: 200ms}
                tasks:
                  - name: sleeper
                    driver: exec
                    config: {command: /bin/sh, args: ["-c", "echo started $HERD_INSTANCE_INDEX on $HERD_PORT_HTTP; exec sleep 100000"]}
                    resources: {cpu: 100m, memory: 32Mi}
                    ports: [http]
                    kill_timeout: 1s
            """;

    /** Writes to both streams, waits, writes again and ends: its logs outlive it. */
    private static final String CHATTY = """
            job: chatty
            app: demo
            type: batch
            groups:
              - name: main
                count: 1
                tasks:
                  - name: talk
                    driver: exec
                    config: {command: /bin/sh, args: ["-c", "echo early; echo err-early >&2; sleep 3; echo late; echo err-late >&2"]}
                    resources: {cpu: 100m, memory: 32Mi}
            """;

    private static TestingCluster cluster;
    private static HerdClient client;

    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, NODE_TIMEOUT);
        for (int i = 1; i <= 3; i++) {
            cluster.startAgent("agent-" + i, "2", "2Gi", "rack=r" + i);
        }
        client = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void invariants() {
        // No node holds more than its capacity, whatever happened in the test.
        List<Node> nodes = client.listNodes();
        for (Node node : nodes) {
            // Every job's instances on the node, not only demo/web's (a job may be purged while they still stop).
            List<Instance> holding = client.nodeInstances(node.id(), 0, Duration.ZERO).value().stream()
                    .filter(Instance::holdsResources).toList();
            long cpu = holding.stream().mapToLong(instance -> instance.resources().cpuMillis()).sum();
            long memory = holding.stream().mapToLong(instance -> instance.resources().memoryBytes()).sum();
            assertThat(cpu).as("cpu committed on %s", node.name()).isLessThanOrEqualTo(node.capacity().cpuMillis());
            assertThat(memory).as("memory committed on %s", node.name()).isLessThanOrEqualTo(node.capacity().memoryBytes());
        }
    }

    @Test
    @Order(1)
    void jobOfSixInstancesRunsSpreadOverTheNodes() {
        Instant submitted = Instant.now();
        client.submitJob(WEB);
        awaitRunning("demo/web", 6);
        System.out.printf("6 instances running %d ms after submission%n", Duration.between(submitted, Instant.now()).toMillis());

        List<Instance> live = live("demo/web");
        assertThat(live).hasSize(6);
        assertThat(live.stream().map(Instance::index).collect(Collectors.toSet())).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        Map<String, Long> perNode = live.stream().collect(Collectors.groupingBy(Instance::nodeName, Collectors.counting()));
        assertThat(perNode).as("anti-affinity spreads the job").containsOnlyKeys("agent-1", "agent-2", "agent-3");
        for (Instance instance : live) {
            long pid = task(instance).pid();
            assertThat(ProcessHandle.of(pid)).as("process of %s", instance.name()).isPresent();
            assertThat(instance.ports()).containsKey("http");
        }
    }

    @Test
    @Order(2)
    void killedTaskProcessIsRestartedInPlace() {
        Instance victim = live("demo/web").getFirst();
        long pid = task(victim).pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        cluster.awaitCondition("task of " + victim.name() + " restarted", Duration.ofSeconds(30), () -> {
            Instance now = client.instance(victim.id());
            TaskState task = task(now);
            return now.state() == InstanceState.RUNNING && task.restarts() >= 1 && task.pid() != null && task.pid() != pid
                    && ProcessHandle.of(task.pid()).isPresent();
        });
        assertThat(live("demo/web")).hasSize(6).extracting(Instance::id).contains(victim.id());
    }

    @Test
    @Order(3)
    void restartedAgentKeepsItsTasksPids() {
        TestingCluster.Member agent = cluster.agent("agent-2");
        Map<String, Long> before = pidsOn("agent-2");
        assertThat(before).isNotEmpty();

        cluster.kill(agent);
        before.values().forEach(pid -> assertThat(ProcessHandle.of(pid)).as("task survives its agent").isPresent());
        cluster.restart(agent);

        cluster.awaitCondition("agent-2 back and reporting", Duration.ofSeconds(40), () ->
                cluster.node("agent-2").map(node -> node.status() == NodeStatus.READY).orElse(false)
                        && pidsOn("agent-2").equals(before));
        // Still the same instances, none duplicated, none restarted.
        assertThat(live("demo/web")).hasSize(6);
        before.forEach((instanceId, pid) -> {
            assertThat(ProcessHandle.of(pid)).isPresent();
            assertThat(task(client.instance(instanceId)).pid()).isEqualTo(pid);
        });
    }

    @Test
    @Order(4)
    void memoryHogIsOomKilled() throws IOException {
        assumeTrue(Files.isWritable(Path.of("/sys/fs/cgroup/memory")) || Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")),
                "needs writable cgroups (root)");
        // A chat-robot style receiver subscribed to Warning OOMKilled events of app demo, as an operator would.
        List<String> delivered = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            delivered.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        EventSubscription subscription = client.subscribeEvents(new SubscribeRequest(
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", "slack",
                new EventFilter("demo", null, null, null, EventLevel.WARNING, "OOMKilled", null, null)));
        client.submitJob("""
                job: hog
                app: demo
                groups:
                  - name: main
                    count: 1
                    restart: {attempts: 0}
                    tasks:
                      - name: hog
                        driver: exec
                        config: {command: /usr/bin/tail, args: [/dev/zero]}
                        resources: {cpu: 100m, memory: 32Mi}
                """);
        cluster.awaitCondition("the hog to be OOM-killed", Duration.ofSeconds(60), () ->
                client.jobStatus("demo/hog").instances().stream().anyMatch(instance ->
                        instance.state() == InstanceState.FAILED && "OOMKilled".equals(task(instance).reason())));
        // The same, as the events center tells it: a Warning event of the instance.
        cluster.awaitCondition("an OOMKilled warning event", Duration.ofSeconds(10), () ->
                client.events(new HerdClient.EventQuery("demo", "hog", null, null, "Warning", "OOMKilled", null, null),
                        null).stream().anyMatch(event -> event.object().equals("instance/demo/hog.main[0]")
                                && event.message().contains("OOMKilled")));
        // ... and delivered to the webhook by the leader.
        try {
            cluster.awaitCondition("the OOMKilled warning delivered to the webhook", Duration.ofSeconds(30), () ->
                    delivered.stream().anyMatch(body -> body.contains("OOMKilled") && body.contains("hog.main[0]")));
        } finally {
            client.unsubscribeEvents(subscription.id());
            receiver.stop(0);
        }
        client.stopJob("demo/hog", true);
    }

    @Test
    @Order(5)
    void killedAgentsInstancesAreLostAndReplacedWithinTwentySeconds() {
        TestingCluster.Member agent = cluster.agent("agent-3");
        Set<String> onAgent = pidsOn("agent-3").keySet();
        assertThat(onAgent).isNotEmpty();
        Instant killed = Instant.now();
        cluster.kill(agent);

        cluster.awaitCondition("instances of agent-3 lost and replaced", Duration.ofSeconds(20), () -> {
            JobStatus status = client.jobStatus("demo/web");
            boolean allLost = status.instances().stream().filter(instance -> onAgent.contains(instance.id()))
                    .allMatch(instance -> instance.state() == InstanceState.LOST);
            List<Instance> running = status.instances().stream()
                    .filter(instance -> instance.isLive() && instance.state() == InstanceState.RUNNING).toList();
            return allLost && running.size() == 6 && running.stream().noneMatch(instance -> instance.nodeName().equals("agent-3"));
        });
        System.out.printf("agent killed -> replacements running in %d ms%n", Duration.between(killed, Instant.now()).toMillis());
        assertThat(cluster.node("agent-3").orElseThrow().status()).isEqualTo(NodeStatus.DOWN);
        List<Instance> replacements = live("demo/web").stream().filter(instance -> instance.previousInstanceId() != null
                && onAgent.contains(instance.previousInstanceId())).toList();
        assertThat(replacements).hasSize(onAgent.size());
    }

    @Test
    @Order(6)
    void downWithPurgeReturnsOnlyOnceTheTasksEnded() {
        List<Long> pids = live("demo/web").stream().map(instance -> task(instance).pid())
                .filter(java.util.Objects::nonNull).toList();
        assertThat(pids).isNotEmpty().allMatch(ClusterIT::running);
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();

        int exitCode = Main.run(new String[] {"down", "demo/web", "--purge", "--address",
                cluster.servers().getFirst().httpAddress()}, new java.io.PrintWriter(out, true),
                new java.io.PrintWriter(err, true));

        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Stopping and purging job demo/web").contains("Stopped job demo/web");
        // The job is gone at once, but "Stopped" must mean the processes ended, not that the job was forgotten.
        assertThat(pids).as(out.toString()).noneMatch(ClusterIT::running);
    }

    @Test
    @Order(7)
    @Timeout(90)
    void logsOfAFinishedInstanceSinceATimeOnBothStreams() {
        client.submitJob(CHATTY);
        cluster.awaitCondition("demo/chatty complete", Duration.ofSeconds(30), () -> client.jobStatus("demo/chatty")
                .instances().stream().anyMatch(instance -> instance.state() == InstanceState.COMPLETE));
        String id = client.jobStatus("demo/chatty").instances().getFirst().id();

        // the task is gone, its logs are not: read through the server, which asks the agent
        assertThat(logs(id)).isEqualTo("early\nlate\n");
        assertThat(logs(id, "--stderr")).isEqualTo("err-early\nerr-late\n");
        assertThat(logs(id, "--stream", "all")).isEqualTo("early\nerr-early\nlate\nerr-late\n");
        assertThat(logs(id, "--stream", "all", "--tail", "1")).isEqualTo("err-late\n");
        // -f on a finished instance prints what is there and returns
        assertThat(logs(id, "-f")).isEqualTo("early\nlate\n");

        // the agent's time index: "late" was written 3 s after "early"
        List<LogTime> times = client.logTimes(id, "talk", "stdout", 0, Long.MAX_VALUE);
        assertThat(times).isNotEmpty();
        Instant early = times.getFirst().time();
        assertThat(times.getLast().time()).isAfterOrEqualTo(early.plusSeconds(2));
        assertThat(logs(id, "--since", early.plusMillis(1500).toString())).isEqualTo("late\n");
        assertThat(logs(id, "--since", early.plusMillis(1500).toString(), "--stream", "all"))
                .isEqualTo("late\nerr-late\n");
        assertThat(logs(id, "--since", "1h")).isEqualTo("early\nlate\n");
        assertThat(logs(id, "--timestamps", "--tail", "1"))
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ late\n");
        client.stopJob("demo/chatty", true);
    }

    /** {@code herd logs} through the first server; what it printed, after checking it succeeded. */
    private static String logs(String... args) {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.StringWriter err = new java.io.StringWriter();
        String[] command = new String[args.length + 3];
        command[0] = "logs";
        System.arraycopy(args, 0, command, 1, args.length);
        command[args.length + 1] = "--address";
        command[args.length + 2] = cluster.servers().getFirst().httpAddress();
        int exitCode = Main.run(command, new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err, true), new picocli.CommandLine.IFactory() {
                    @Override
                    public <K> K create(Class<K> type) throws Exception {
                        K created = picocli.CommandLine.defaultFactory().create(type);
                        if (created instanceof LogsCommand logsCommand) {
                            logsCommand.sink = printed;
                        }
                        return created;
                    }
                });
        assertThat(exitCode).as("herd %s: %s", String.join(" ", args), err).isZero();
        return printed.toString(StandardCharsets.UTF_8);
    }

    /**
     * Whether the process runs: it exists and is not a zombie. A task's process that just ended may stay a zombie
     * for a moment until its parent (the agent, or init for tasks adopted after an agent restart) reaps it.
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false; // gone
        }
    }

    private static void awaitRunning(String jobId, int count) {
        cluster.awaitCondition(count + " running instances of " + jobId, Duration.ofSeconds(60), () ->
                live(jobId).stream().filter(instance -> instance.state() == InstanceState.RUNNING).count() == count);
    }

    private static List<Instance> live(String jobId) {
        return client.jobStatus(jobId).instances().stream().filter(Instance::isLive).toList();
    }

    private static Map<String, Long> pidsOn(String nodeName) {
        Map<String, Long> pids = new HashMap<>();
        for (Instance instance : live("demo/web")) {
            TaskState task = task(instance);
            if (instance.nodeName().equals(nodeName) && task.pid() != null) {
                pids.put(instance.id(), task.pid());
            }
        }
        return pids;
    }

    private static TaskState task(Instance instance) {
        return instance.tasks().values().iterator().next();
    }
}
