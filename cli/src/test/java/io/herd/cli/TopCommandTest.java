package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.Json;
import io.herd.api.wire.UsageReport;
import io.herd.client.HerdClient;
import io.herd.server.HerdServer;
import io.herd.server.ServerConfig;
import io.herd.testkit.Nodes;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code herd top} and the usage endpoints against a real single-replica server; the test reports usage for one
 * node as its agent would ({@code POST /v1/nodes/{id}/usage}).
 */
class TopCommandTest {
    private static final String SPEC = """
            job: web
            app: trade_checkout
            groups:
              - name: main
                count: 2
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 500m, memory: 256Mi}
                  - name: sidecar
                    driver: exec
                    config: {command: /bin/sleep, args: ["1000"]}
                    resources: {cpu: 100m, memory: 32Mi}
            """;

    @TempDir
    Path dataDir;
    private HerdServer server;
    private HerdClient client;


    private void start(Duration usageRetention) {
        server = HerdServer.start(new ServerConfig("server-1", dataDir, "127.0.0.1:0",
                "127.0.0.1:" + TestingCluster.freePort(), List.of(), Duration.ofSeconds(30), Duration.ofSeconds(1), 2,
                null, usageRetention, null, null));
        client = new HerdClient(List.of(server.httpAddress()));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeader() && !client.status().servers().isEmpty());
        client.registerNode(Nodes.node("node-a").address("127.0.0.1:1").build());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private List<Instance> placedInstances() {
        client.submitJob(SPEC);
        await().atMost(Duration.ofSeconds(20)).until(() -> client.nodeInstances("node-a", 0, Duration.ZERO)
                .value().size() == 2);
        return client.nodeInstances("node-a", 0, Duration.ZERO).value().stream()
                .sorted(java.util.Comparator.comparing(Instance::index)).toList();
    }

    @Test
    void showsEachInstanceAsTheSumOfItsTasksAndTheNodes() {
        start(Duration.ofDays(7));
        List<Instance> instances = placedInstances();
        int accepted = client.reportUsage("node-a", new UsageReport(new UsageReport.Sample(1.5, 3L << 30), List.of(
                new UsageReport.TaskSample(instances.get(0).id(), "server", 0.25, 100L << 20),
                new UsageReport.TaskSample(instances.get(0).id(), "sidecar", 0.05, 20L << 20),
                new UsageReport.TaskSample(instances.get(1).id(), "server", 0.125, 64L << 20),
                new UsageReport.TaskSample("not-on-this-node", "server", 9, 1))));
        assertThat(accepted).as("the node and three tasks; the unknown instance is ignored").isEqualTo(4);
        await().atMost(Duration.ofSeconds(20)).until(() -> run("top", "web").out().contains("web.main[1]"));

        CliResult top = run("top", "web");
        assertThat(top.exitCode()).as(top.err()).isZero();
        List<String> lines = top.out().lines().toList();
        assertThat(lines.getFirst()).matches(
                "INSTANCE +NODE +CPU +CPU AVG 5M +CPU MAX 5M +MEMORY +MEM AVG 5M +MEM MAX 5M +SEEN");
        assertThat(lines.get(1)).matches("web\\.main\\[0] +node-a +300m +300m +300m +120Mi +120Mi +120Mi +\\d+s ago");
        assertThat(lines.get(2)).matches("web\\.main\\[1] +node-a +125m +125m +125m +64Mi +64Mi +64Mi +\\d+s ago");
        assertThat(lines.get(3)).isEqualTo("2 instances: cpu 425m, memory 184Mi");

        assertThat(run("top", "--by", "task", "--instance", "web.main[0]").out().lines().skip(1).toList())
                .satisfiesExactly(line -> assertThat(line).startsWith("web.main[0]/server "),
                        line -> assertThat(line).startsWith("web.main[0]/sidecar "),
                        line -> assertThat(line).startsWith("2 tasks: cpu 300m"));
        assertThat(run("top", "--app", "trade", "--by", "job").out().lines().toList().get(1))
                .matches("trade_checkout/web +425m +425m +425m +184Mi .*");
        assertThat(run("top", "--nodes").out().lines().toList().get(1)).matches("node-a +1500m +1500m +1500m +3Gi .*");

        // the server tells how big its history is
        String metrics = http("/metrics");
        assertThat(metrics).contains("herd_usage_series 4.0\n").contains("herd_usage_samples 4.0\n")
                .contains("herd_usage_retention_seconds 604800.0\n");

        JsonNode json = Json.read(run("top", "web", "-o", "json").out(), JsonNode.class);
        assertThat(json.get("by").asText()).isEqualTo("instance");
        assertThat(json.get("series")).hasSize(2);
        // The server orders series by their key (here the instance id, random), not by name.
        JsonNode first = java.util.stream.StreamSupport.stream(json.get("series").spliterator(), false)
                .filter(series -> series.get("labels").get("instance_name").asText().equals("web.main[0]"))
                .findFirst().orElseThrow();
        assertThat(first.get("summary").get("latest_cpu_cores").asDouble()).isEqualTo(0.3);
    }

    @Test
    void badReportsAndQueriesAreRefusedWithTheReasonAndChangeNothing() {
        start(Duration.ofDays(7));
        HerdException negative = catchHerd(() -> client.reportUsage("node-a",
                new UsageReport(new UsageReport.Sample(-1, 1), List.of())));
        assertThat(negative.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(negative.details()).singleElement().satisfies(detail -> assertThat(detail.path()).isEqualTo("node"));
        assertThat(catchHerd(() -> client.reportUsage("nobody", new UsageReport(null, List.of()))).code())
                .isEqualTo(ErrorCode.NODE_NOT_FOUND);
        assertThat(catchHerd(() -> client.usage(new HerdClient.UsageQuery(null, null, null, null, null, null, null,
                null, "median", null))).getMessage()).isEqualTo("agg must be one of avg, max, min, p95, last, got median");
        assertThat(catchHerd(() -> client.usage(new HerdClient.UsageQuery(null, null, null, null, null, "7d", null,
                "1s", null, null))).getMessage()).contains("wider step");

        CliResult badBy = run("top", "--by", "pod");
        assertThat(badBy.exitCode()).isEqualTo(2);
        assertThat(badBy.err()).contains("by must be one of task, instance, job, app, node, got pod");
        CliResult badSince = run("top", "--since", "yesterday");
        assertThat(badSince.exitCode()).isEqualTo(2);
        assertThat(badSince.err()).contains("--since must be a duration such as 5m, 1h or 7d, got yesterday");
        assertThat(run("top").out()).startsWith("No usage in the last 5m.");
    }

    @Test
    void withTheHistoryOffReportsAreDroppedAndTopSaysSo() {
        start(Duration.ZERO);
        assertThat(client.reportUsage("node-a", new UsageReport(new UsageReport.Sample(1, 1), List.of()))).isZero();
        CliResult top = run("top");
        assertThat(top.exitCode()).isEqualTo(4);
        assertThat(top.err()).contains("the usage history is off on this server (herd server --usage-retention 0)");
    }

    private String http(String path) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + server.httpAddress()
                    + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static HerdException catchHerd(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(HerdException.class);
        try {
            call.run();
            throw new AssertionError("no error");
        } catch (HerdException e) {
            return e;
        }
    }

    private CliResult run(String... args) {
        return CliResult.run(server.httpAddress(), args);
    }
}
