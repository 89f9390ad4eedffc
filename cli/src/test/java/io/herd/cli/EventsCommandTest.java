package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.ErrorKind;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.client.HerdClient;
import io.herd.server.HerdServer;
import io.herd.server.ServerConfig;
import io.herd.testkit.Nodes;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code herd events} against a real single-replica server; the test reports for one node as its agent would. */
class EventsCommandTest {
    private static final String SPEC = """
            job: web
            app: trade_checkout
            groups:
              - name: main
                count: 1
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 500m, memory: 256Mi}
            """;

    @TempDir
    Path dataDir;
    private HerdServer server;
    private HerdClient client;


    @BeforeEach
    void start() {
        server = HerdServer.start(new ServerConfig("server-1", dataDir, "127.0.0.1:0",
                "127.0.0.1:" + TestingCluster.freePort(), List.of(), Duration.ofSeconds(30), Duration.ofSeconds(1), 2));
        client = new HerdClient(List.of(server.httpAddress()));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeader() && !client.status().servers().isEmpty());
        client.registerNode(Nodes.node("node-a").address("127.0.0.1:1").build());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private Instance placedInstance() {
        client.submitJob(SPEC);
        await().atMost(Duration.ofSeconds(20)).until(() -> !client.nodeInstances("node-a", 0, Duration.ZERO)
                .value().isEmpty());
        return client.nodeInstances("node-a", 0, Duration.ZERO).value().getFirst();
    }

    private void report(Instance instance, InstanceState state, String reason, TaskStatus status, String taskReason,
            int restarts) {
        TaskState task = new TaskState(status, null, taskReason == null ? null : 137, taskReason, null, restarts,
                null, null);
        client.reportInstances("node-a", List.of(new InstanceStatusUpdate(instance.id(), state, reason,
                Map.of("server", task))));
    }

    @Test
    void listsEventsAsATableWithRepeatsFolded() {
        Instance instance = placedInstance();
        report(instance, InstanceState.RUNNING, "running", TaskStatus.RUNNING, null, 0);
        report(instance, InstanceState.RUNNING, "running", TaskStatus.PENDING, "OOMKilled", 1);
        report(instance, InstanceState.RUNNING, "running", TaskStatus.PENDING, "OOMKilled", 2);

        CliResult result = run("events", "--app", "trade");

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.getFirst()).matches("LAST +LEVEL +REASON +OBJECT +COUNT +MESSAGE");
        assertThat(lines).hasSize(6); // registered, scheduled, deployment started, started, OOM-killed twice
        assertThat(lines.get(1)).matches("\\d+s +Normal +Registered +job/trade_checkout/web +1 +version 1 registered");
        assertThat(lines.get(5)).matches("\\d+s +Warning +OOMKilled +instance/trade_checkout/web\\.main\\[0] +2 +"
                + "task server was killed at its memory limit; restarting it");

        CliResult warnings = run("events", "--level", "warning", "--node", "node-a", "--since", "1h");
        assertThat(warnings.out().lines().skip(1)).singleElement().asString().contains("OOMKilled");

        assertThat(run("events", "--reason", "NodeDown").out()).isEqualTo("No events match.\n");
    }

    @Test
    void jsonIsAnArrayOfEventsWithTheDocumentedFields() {
        placedInstance();

        CliResult result = run("events", "--job", "trade_checkout/web", "-o", "json");

        assertThat(result.exitCode()).isZero();
        JsonNode events = Json.read(result.out(), JsonNode.class);
        assertThat(events.isArray()).isTrue();
        assertThat(events).hasSize(3); // registered, scheduled, deployment started
        for (JsonNode event : events) {
            assertThat(event.has("level") && event.has("reason") && event.has("object") && event.has("message")
                    && event.has("count") && event.has("first") && event.has("last")).isTrue();
        }
        assertThat(events.get(1).get("reason").asText()).isEqualTo("Scheduled");
        assertThat(events.get(1).get("app").asText()).isEqualTo("trade_checkout");
    }

    @Test
    void statsCountByReasonWithTheChangeAgainstThePreviousPeriod() {
        Instance instance = placedInstance();
        report(instance, InstanceState.RUNNING, "running", TaskStatus.RUNNING, null, 0);

        CliResult result = run("events", "--stats", "--since", "2h");

        assertThat(result.exitCode()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("Events in the last 2h (").endsWith("compared with the 2h before:");
        assertThat(lines.get(1)).matches("LEVEL +REASON +COUNT +PREVIOUS +CHANGE");
        assertThat(lines.subList(2, lines.size())).satisfiesExactly(
                line -> assertThat(line).matches("Normal +Registered +2 +0 +new"),
                line -> assertThat(line).matches("Normal +DeploymentStarted +1 +0 +new"),
                line -> assertThat(line).matches("Normal +Scheduled +1 +0 +new"),
                line -> assertThat(line).matches("Normal +Started +1 +0 +new"),
                line -> assertThat(line).matches(" +TOTAL +5 +0 +new"));
        assertThat(EventsCommand.change(15, 10)).isEqualTo("+50%");
        assertThat(EventsCommand.change(0, 10)).isEqualTo("-100%");
        assertThat(EventsCommand.change(3, 3)).isEqualTo("0%");
    }

    @Test
    void followPrintsNewEventsAndGivesUpWhenNoServerIsLeft() throws Exception {
        Instance instance = placedInstance();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread follower = Thread.ofVirtual().start(() -> exitCode.set(Main.run(new String[] {"events", "-f",
                "--job", "web", "--address", server.httpAddress()}, new PrintWriter(out, true),
                new PrintWriter(err, true))));
        await().atMost(Duration.ofSeconds(10)).until(() -> err.toString().contains("Streaming events from"));

        report(instance, InstanceState.RUNNING, "running", TaskStatus.RUNNING, null, 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString().contains("Started"));
        assertThat(out.toString()).doesNotContain("Scheduled"); // it happened before the stream opened
        assertThat(out.toString().strip()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  Normal   Started "
                + "+instance/trade_checkout/web\\.main\\[0]  running on node node-a");

        server.close();
        follower.join(Duration.ofSeconds(30));
        assertThat(follower.isAlive()).isFalse();
        assertThat(exitCode.get()).isEqualTo(ErrorKind.UNAVAILABLE.exitCode());
        assertThat(err.toString()).contains("cannot connect to a Herd server at");
        server = HerdServer.start(new ServerConfig("server-1", dataDir, "127.0.0.1:0",
                "127.0.0.1:" + TestingCluster.freePort(), List.of(), Duration.ofSeconds(30), Duration.ofSeconds(1), 2));
    }

    @Test
    void badFiltersAreUsageErrors() {
        CliResult result = run("events", "--level", "loud");
        assertThat(result.exitCode()).isEqualTo(ErrorKind.USER_ERROR.exitCode());
        assertThat(result.err()).contains("--level must be Normal or Warning");
        assertThat(run("events", "--since", "yesterday").err()).contains("since must be a time");
        assertThat(run("events", "-f", "--stats").err()).contains("-f and --stats do not go together");
    }

    private CliResult run(String... args) {
        return CliResult.run(server.httpAddress(), args);
    }

    @Test
    void subscribeListAndUnsubscribeWebhooks() {
        CliResult subscribed = run("events", "subscribe", "--url", "http://127.0.0.1:9/hook", "--format", "slack",
                "--app", "trade_", "--level", "warning");
        assertThat(subscribed.exitCode()).isZero();
        assertThat(subscribed.out()).matches("Subscribed [0-9a-f-]{36}: slack to http://127.0.0.1:9/hook for "
                + "Warning events of app trade_, from now on.\n");
        String id = subscribed.out().substring("Subscribed ".length(), "Subscribed ".length() + 36);

        CliResult listed = run("events", "subscriptions");
        assertThat(listed.out().lines().toList()).satisfiesExactly(
                header -> assertThat(header).matches("ID +FORMAT +URL +EVENTS +DELIVERED"),
                row -> assertThat(row).matches(id + "  slack +http://127.0.0.1:9/hook +Warning events of app trade_ +-"));
        JsonNode json = Json.read(run("events", "subscriptions", "-o", "json").out(), JsonNode.class);
        assertThat(json.get(0).get("filter").get("level").asText()).isEqualTo("Warning");

        assertThat(run("events", "subscribe", "--url", "http://x/", "--format", "teams").err())
                .contains("format must be json, alertmanager, slack or dingtalk");
        assertThat(run("events", "unsubscribe", id).out()).isEqualTo("Unsubscribed " + id + ".\n");
        CliResult again = run("events", "unsubscribe", id);
        assertThat(again.exitCode()).isEqualTo(ErrorKind.NOT_FOUND.exitCode());
        assertThat(run("events", "subscriptions").out()).startsWith("No event subscriptions.");
    }
}
