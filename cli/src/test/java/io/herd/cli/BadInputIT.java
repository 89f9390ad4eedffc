package io.herd.cli;

import io.herd.api.ErrorResponse;
import io.herd.api.Json;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad specs and bad API bodies get a 4xx naming the problem, and change nothing. */
class BadInputIT {
    private static TestingCluster cluster;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
        base = "http://" + cluster.servers().getFirst().httpAddress();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void badInputIsRejectedWithEveryReasonAndChangesNothing() throws Exception {
        HerdClient client = cluster.client();
        long indexBefore = client.status().appliedIndex();

        Response spec = send("POST", "/v1/jobs", "application/yaml", """
                job: Bad_Name
                app: demo
                groups:
                  - name: web
                    count: -1
                    tasks:
                      - name: server
                        driver: exec
                        config: {command: /bin/true}
                        resources: {memory: 12XB}
                      - name: other
                        driver: docker
                """);
        assertThat(spec.status()).isEqualTo(400);
        assertThat(spec.error().error().code()).isEqualTo("INVALID_JOB_SPEC");
        assertThat(spec.error().error().details()).extracting(detail -> detail.path())
                .contains("job", "groups[0].count", "groups[0].tasks[0].resources.memory", "groups[0].tasks[1].driver");
        assertThat(spec.error().error().details()).anySatisfy(detail ->
                assertThat(detail.message()).isEqualTo("\"12XB\" is not a size (e.g. 128Mi, 1Gi)"));

        assertThat(send("POST", "/v1/jobs", "application/yaml", "job: [unclosed").status()).isEqualTo(400);
        assertThat(send("POST", "/v1/jobs", "application/yaml", "").status()).isEqualTo(400);
        assertThat(send("POST", "/v1/jobs", "image/png", "job: x").error().error().code()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        Response node = send("POST", "/v1/nodes/register", "application/json", "{\"node\": {\"name\": 5}}");
        assertThat(node.status()).isEqualTo(400);
        assertThat(node.error().error().code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(send("POST", "/v1/nodes/register", "application/json", "not json").status()).isEqualTo(400);
        assertThat(send("POST", "/v1/nodes/nope/instances/status", "application/json", "[{}]").status()).isEqualTo(400);
        assertThat(send("POST", "/v1/nodes/nope/instances/status", "application/json", "[]").status()).isEqualTo(404);
        assertThat(send("GET", "/v1/jobs/demo/missing", null, null).status()).isEqualTo(404);
        assertThat(send("DELETE", "/v1/jobs/demo/missing", null, null).status()).isEqualTo(404);
        assertThat(send("GET", "/v1/instances/zzz", null, null).error().error().code()).isEqualTo("INSTANCE_NOT_FOUND");
        assertThat(send("GET", "/v1/jobs?index=abc", null, null).status()).isEqualTo(400);
        assertThat(send("GET", "/v1/nowhere", null, null).status()).isEqualTo(404);

        assertThat(client.listJobs()).isEmpty();
        assertThat(client.listNodes()).isEmpty();
        assertThat(client.status().appliedIndex()).isEqualTo(indexBefore);
    }

    private record Response(int status, ErrorResponse error) {}

    private static Response send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (body != null) {
            request.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s never answers 5xx", method, path).isLessThan(500);
        ErrorResponse error = response.statusCode() >= 400 ? Json.read(response.body(), ErrorResponse.class) : null;
        return new Response(response.statusCode(), error);
    }
}
