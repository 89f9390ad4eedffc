package io.herd.server;

import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /metrics} of a real single-replica server: HTTP requests by route template, Raft, the state. */
class ServerMetricsEndpointTest {
    @TempDir
    Path dataDir;
    private HerdServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = HerdServer.start(new ServerConfig("server-1", dataDir, "127.0.0.1:0",
                "127.0.0.1:" + TestingCluster.freePort(), List.of(), Duration.ofSeconds(2), Duration.ofMillis(500), 2));
        HerdClient client = new HerdClient(List.of(server.httpAddress()));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeader() && !client.status().servers().isEmpty());
        client.close();
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + server.httpAddress() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsAreCountedByRouteTemplateNotByPath() throws Exception {
        assertThat(get("/v1/jobs/demo/missing").statusCode()).isEqualTo(404);
        assertThat(get("/v1/jobs/demo/other").statusCode()).isEqualTo(404);
        assertThat(get("/v1/no/such/route").statusCode()).isEqualTo(404);
        assertThat(get("/v1/jobs?index=abc").statusCode()).isEqualTo(400);
        HttpResponse<String> tooLarge = http.send(HttpRequest.newBuilder(URI.create("http://" + server.httpAddress()
                        + "/v1/jobs")).header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString("#".repeat(5 << 20))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(413);

        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains(
                "herd_http_requests_total{method=\"GET\",route=\"/v1/jobs/{app}/{job}\",status=\"404\"} 2.0\n",
                "herd_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1.0\n",
                "herd_http_requests_total{method=\"GET\",route=\"/v1/jobs\",status=\"400\"} 1.0\n",
                "herd_http_request_duration_seconds_count{method=\"GET\",route=\"/v1/jobs/{app}/{job}\"} 2\n",
                "herd_raft_role{role=\"leader\"} 1.0\n",
                "herd_raft_role{role=\"follower\"} 0.0\n",
                "herd_raft_term ",
                "herd_raft_commit_index ",
                "herd_raft_applied_index ",
                "herd_raft_apply_duration_seconds_count{command=\"RegisterServer\"} 1\n",
                "herd_nodes{status=\"ready\"} 0.0\n",
                "herd_http_requests_total{method=\"POST\",route=\"/v1/jobs\",status=\"413\"} 1.0\n",
                "herd_http_requests_rejected_total{method=\"POST\",reason=\"too_large\",route=\"/v1/jobs\"} 1.0\n");
        assertThat(metrics.body()).doesNotContain("/v1/jobs/demo/missing");
        // Only the scrape itself is being served (earlier requests are done, and no agent holds a blocking read).
        assertThat(metrics.body()).contains("herd_http_requests_in_flight 1.0\n");
    }
}
