package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Json;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Herd monitored by a real Prometheus (the Debian package's binary): a server and an agent as separate JVMs, a
 * job whose service marks its port {@code metrics: true} (a python http.server serving a metrics file), and a
 * Prometheus configured only with Herd's service discovery. It must find and scrape the server, the agent and
 * the task, with Herd's labels. Every process's {@code /metrics} must also pass {@code promtool check metrics}.
 * Both tools are required (CI installs the package), never skipped.
 */
class PrometheusIT {
    private static final String APP = "obs_demo";
    private static final String SPEC = """
            job: exporter
            app: obs_demo
            groups:
              - name: web
                count: 1
                services:
                  - {name: exporter, port: http, metrics: true}
                tasks:
                  - name: server
                    driver: exec
                    config:
                      command: /usr/bin/python3
                      args: ["-m", "http.server", "--bind", "127.0.0.1", "--directory", "%s", "${HERD_PORT_HTTP}"]
                    resources: {cpu: 200m, memory: 64Mi}
                    ports: [http]
                    kill_timeout: 1s
            """;

    private static TestingCluster cluster;
    private static Instance instance;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startClusterAndJob() throws IOException {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
        cluster.startAgent("agent-1", "2", "2Gi");
        Path site = Files.createDirectories(cluster.root().resolve("exporter-site"));
        Files.writeString(site.resolve("metrics"), """
                # HELP demo_requests_total Requests the demo served.
                # TYPE demo_requests_total counter
                demo_requests_total 42
                """);
        cluster.client().submitJob(SPEC.formatted(site));
        cluster.awaitCondition("the exporter runs", Duration.ofSeconds(60), () -> cluster.client()
                .jobStatus(APP + "/exporter").instances().stream().anyMatch(i -> i.state() == InstanceState.RUNNING));
        instance = cluster.client().jobStatus(APP + "/exporter").instances().stream()
                .filter(i -> i.state() == InstanceState.RUNNING).findFirst().orElseThrow();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        http.close();
    }

    private static String server() {
        return cluster.servers().getFirst().httpAddress();
    }

    /** The agent's HTTP address, as its node registered it. */
    private static String agent() {
        return cluster.node("agent-1").orElseThrow().address();
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A program from the PATH; the test fails (never skips) without it, naming the package to install. */
    private static Path required(String program) {
        for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(directory, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(program + " is not installed: apt-get install prometheus (.ci/run installs it)");
    }

    @Test
    void everyProcessServesMetricsThatPromtoolAccepts() throws Exception {
        Path promtool = required("promtool");
        // the agent's task metrics appear once it read the task's cgroup; wait for them so promtool sees them too
        await().atMost(Duration.ofSeconds(30)).until(() -> get("http://" + agent() + "/metrics").body()
                .contains("herd_task_restarts_total{app=\"" + APP + "\""));
        for (String target : List.of(server(), agent())) {
            String exposition = get("http://" + target + "/metrics").body();
            assertThat(exposition).contains("# TYPE ");
            Process check = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
            check.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
            check.getOutputStream().close();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(check.exitValue()).as("promtool check metrics of %s/metrics:%n%s", target, output).isZero();
            assertThat(output).as("promtool's findings for %s/metrics", target).isBlank();
        }
    }

    @Test
    void discoveryListsTheServerTheAgentAndTheTasksMetricsPort() throws Exception {
        JsonNode targets = Json.mapper().readTree(get("http://" + server() + "/v1/discovery/prometheus").body());
        Map<String, JsonNode> byJob = new TreeMap<>();
        targets.forEach(group -> byJob.put(group.get("labels").get("job").asText(), group));

        assertThat(byJob).containsOnlyKeys("herd-server", "herd-agent", "exporter");
        assertThat(byJob.get("herd-server").get("targets").get(0).asText()).isEqualTo(server());
        assertThat(byJob.get("herd-agent").get("targets").get(0).asText()).isEqualTo(agent());
        assertThat(byJob.get("herd-agent").get("labels").get("node").asText()).isEqualTo("agent-1");
        JsonNode task = byJob.get("exporter");
        assertThat(task.get("targets").get(0).asText()).isEqualTo("127.0.0.1:" + instance.ports().get("http"));
        assertThat(Json.mapper().convertValue(task.get("labels"), Map.class)).containsAllEntriesOf(Map.of(
                "app", APP, "job", "exporter", "group", "web", "instance", instance.id(), "task", "server",
                "node", "agent-1", "service", "exporter", "__metrics_path__", "/metrics"));
    }

    @Test
    void prometheusScrapesTheServerTheAgentAndTheTaskThroughHerdsDiscovery() throws Exception {
        Path prometheus = required("prometheus");
        Path directory = Files.createDirectories(cluster.root().resolve("prometheus"));
        int port = TestingCluster.freePort();
        Path config = directory.resolve("prometheus.yml");
        // The README's scrape config, with short intervals.
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: herd
                    honor_labels: true
                    http_sd_configs:
                      - url: http://%s/v1/discovery/prometheus
                        refresh_interval: 1s
                """.formatted(server()));
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String api = "http://127.0.0.1:" + port;
            String instanceLabels = "app=\"%s\",job=\"exporter\",group=\"web\",instance=\"%s\",task=\"server\",node=\"agent-1\""
                    .formatted(APP, instance.id());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(process.isAlive()).as("prometheus runs; its log:%n%s", read(log)).isTrue();
                // the server's own metrics, and the cluster state it serves
                assertThat(query(api, "herd_raft_role{job=\"herd-server\",server=\"server-1\",role=\"leader\"}"))
                        .containsExactly("1");
                assertThat(query(api, "herd_group_instances_running{app=\"" + APP + "\",job=\"exporter\",group=\"web\"}"))
                        .containsExactly("1");
                assertThat(query(api, "herd_http_requests_total{job=\"herd-server\",route=\"/v1/discovery/prometheus\"}"))
                        .isNotEmpty();
                // the agent: the machine and the task's cgroup
                assertThat(query(api, "herd_node_cpu_seconds_total{job=\"herd-agent\",node=\"agent-1\",mode=\"idle\"}"))
                        .hasSize(1);
                assertThat(query(api, "herd_task_restarts_total{" + instanceLabels + "}")).containsExactly("0");
                assertThat(query(api, "herd_task_memory_usage_bytes{" + instanceLabels + "} > 0")).hasSize(1);
                // the task's own metrics, scraped from its port with the labels discovery gave it
                assertThat(query(api, "demo_requests_total{" + instanceLabels + ",service=\"exporter\"}"))
                        .containsExactly("42");
                assertThat(query(api, "up")).hasSize(3).containsOnly("1");
            });
        } finally {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The values of an instant query's result, one per series. */
    private static List<String> query(String api, String promql) throws IOException, InterruptedException {
        HttpResponse<String> response = get(api + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("query %s: %s", promql, response.body()).isEqualTo(200);
        JsonNode result = Json.mapper().readTree(response.body()).get("data").get("result");
        List<String> values = new ArrayList<>();
        result.forEach(series -> values.add(series.get("value").get(1).asText()));
        return values;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
