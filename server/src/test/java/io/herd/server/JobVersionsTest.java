package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.EvaluationStatus;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobDiff.Action;
import io.herd.api.wire.JobDiff.ChangeType;
import io.herd.api.wire.JobDiff.FieldChange;
import io.herd.api.wire.SubmitJobResponse;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Versions, history, rollback and diff against a real single-replica server, through HTTP. */
class JobVersionsTest {
    private static final String SPEC = """
            job: web
            app: demo
            groups:
              - name: main
                count: %d
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/sleep, args: ["%s"]}
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
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void historyListsEveryKeptVersionNewestFirst() {
        client.submitJob(spec(2, "1000"));
        client.submitJob(spec(3, "1000"));
        client.submitJob(spec(3, "2000"));

        List<Job> versions = client.jobVersions("demo/web");
        assertThat(versions).extracting(Job::version).containsExactly(3L, 2L, 1L);
        assertThat(versions.get(1).group("main").orElseThrow().count()).isEqualTo(3);
        assertThat(versions).allMatch(version -> version.submitTime() != null);

        assertThatThrownBy(() -> client.jobVersions("demo/nope"))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOB_NOT_FOUND));
    }

    @Test
    void rollbackSubmitsAnOldSpecAsANewVersion() {
        client.submitJob(spec(2, "1000"));
        client.submitJob(spec(3, "1000"));
        client.submitJob(spec(3, "2000"));

        // Default: the version before the current one.
        SubmitJobResponse back = client.rollbackJob("demo/web", null);
        assertThat(back.changed()).isTrue();
        assertThat(back.version()).isEqualTo(4);
        assertThat(back.evaluationId()).isNotNull();
        Job current = client.jobStatus("demo/web").job();
        assertThat(current.version()).isEqualTo(4);
        assertThat(current.sameSpecAs(client.jobVersion("demo/web", 2))).isTrue();

        SubmitJobResponse first = client.rollbackJob("demo/web", 1L);
        assertThat(first.version()).isEqualTo(5);
        assertThat(client.jobStatus("demo/web").job().sameSpecAs(JobSpecParser.parse(spec(2, "1000")))).isTrue();
        assertThat(client.jobVersions("demo/web")).extracting(Job::version).containsExactly(5L, 4L, 3L, 2L, 1L);

        // To the spec that is already current: nothing changes.
        SubmitJobResponse same = client.rollbackJob("demo/web", 1L);
        assertThat(same.changed()).isFalse();
        assertThat(same.version()).isEqualTo(5);
        assertThat(same.evaluationId()).isNull();
    }

    @Test
    void rollbackToAnUnknownVersionIsNotFoundAndListsTheKeptOnes() {
        client.submitJob(spec(2, "1000"));
        assertThatThrownBy(() -> client.rollbackJob("demo/web", null))
                .isInstanceOfSatisfying(HerdException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.JOB_NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo(
                            "job demo/web has no version before version 1 to roll back to (versions kept: 1)");
                });
        client.submitJob(spec(3, "1000"));
        assertThatThrownBy(() -> client.rollbackJob("demo/web", 9L))
                .isInstanceOfSatisfying(HerdException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.JOB_NOT_FOUND);
                    assertThat(e.getMessage()).isEqualTo("job demo/web has no version 9; the versions kept are 2, 1");
                });
        assertThatThrownBy(() -> client.rollbackJob("demo/nope", null))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOB_NOT_FOUND));
        assertThat(client.jobStatus("demo/web").job().version()).isEqualTo(2);
    }

    @Test
    void rollbackBodyIsCheckedStrictly() throws Exception {
        client.submitJob(spec(2, "1000"));
        client.submitJob(spec(3, "1000"));
        assertThat(post("/v1/jobs/demo/web/rollback", "{\"version\": 1}"))
                .startsWith("400 ").contains("unknown field version in the rollback request");
        assertThat(post("/v1/jobs/demo/web/rollback", "{\"to_version\": \"one\"}"))
                .startsWith("400 ").contains("to_version must be a version number");
        assertThat(client.jobStatus("demo/web").job().version()).isEqualTo(2);

        assertThat(post("/v1/jobs/demo/web/rollback", "")).startsWith("200 ").contains("\"version\":3");
        assertThat(post("/v1/jobs/demo/web/rollback", "{\"to_version\": 3}")).startsWith("200 ")
                .contains("\"changed\":false");
    }

    @Test
    void diffOfACountChangeKeepsInstancesAndChangesNothing() {
        register("node-a");
        register("node-b");
        client.submitJob(spec(2, "1000"));
        awaitScheduled(2);
        long index = client.status().appliedIndex();

        JobDiff diff = client.diffJob(spec(3, "1000"));

        assertThat(diff.currentVersion()).isEqualTo(1);
        assertThat(diff.version()).isEqualTo(2);
        assertThat(diff.changes()).extracting(FieldChange::type, FieldChange::path)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(ChangeType.CHANGED, "groups[main].count"));
        assertThat(diff.count(Action.PLACE)).isEqualTo(1);
        assertThat(diff.count(Action.IN_PLACE)).isEqualTo(2);
        assertThat(diff.count(Action.REPLACE) + diff.count(Action.STOP)).isZero();
        assertNothingChanged(index, 1, 2);
    }

    @Test
    void diffOfATaskChangeReplacesEveryInstance() {
        register("node-a");
        register("node-b");
        client.submitJob(spec(2, "1000"));
        awaitScheduled(2);
        long index = client.status().appliedIndex();

        JobDiff diff = client.diffJob(spec(2, "2000"));

        assertThat(diff.changes()).extracting(FieldChange::path).containsExactly("groups[main].tasks[server].config.args");
        assertThat(diff.changes().getFirst().newValue().toString()).isEqualTo("[\"2000\"]");
        assertThat(diff.count(Action.REPLACE)).isEqualTo(2);
        // A rolling update with max_parallel 1: one replacement is placed now, the other later.
        assertThat(diff.instances().getFirst().targetNode()).isIn("node-a", "node-b");
        assertThat(diff.instances().get(1).reason()).isEqualTo("replaced by version 2 later in the rolling update");
        assertThat(diff.summary()).isEqualTo("0 to place, 2 to replace, 0 to stop");
        assertNothingChanged(index, 1, 2);
    }

    @Test
    void diffOfANewJobPlacesEverythingAndSaysWhatCannotBePlaced() {
        register("node-a");
        long index = client.status().appliedIndex();

        JobDiff diff = client.diffJob(spec(2, "1000").replace("memory: 256Mi", "memory: 6Gi"));

        assertThat(diff.createsJob()).isTrue();
        assertThat(diff.changed()).isTrue();
        assertThat(diff.changes()).allMatch(change -> change.type() == ChangeType.ADDED).isNotEmpty();
        assertThat(diff.count(Action.PLACE)).isEqualTo(1);
        assertThat(diff.summary()).isEqualTo("1 to place, 0 to replace, 0 to stop; 1 unplaceable: 1 node: insufficient memory");
        assertThat(client.status().appliedIndex()).isEqualTo(index);
        assertThat(client.listJobs()).isEmpty();
    }

    @Test
    void diffRejectsABadSpecLikeSubmit() {
        assertThatThrownBy(() -> client.diffJob("job: web\napp: demo\ngroups: []\n"))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JOB_SPEC));
    }

    private void assertNothingChanged(long index, long version, int instances) {
        assertThat(client.status().appliedIndex()).isEqualTo(index);
        assertThat(client.jobStatus("demo/web").job().version()).isEqualTo(version);
        assertThat(client.jobVersions("demo/web")).hasSize((int) version);
        assertThat(client.jobStatus("demo/web").instances()).hasSize(instances);
        assertThat(client.jobStatus("demo/web").evaluations()).allMatch(evaluation -> !evaluation.id().startsWith("dry-run"));
    }

    private void awaitScheduled(int live) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            var status = client.jobStatus("demo/web");
            return status.instances().stream().filter(Instance::isLive).count() == live
                    // A waiting evaluation is the deployment's timer (its instances never report here), not work.
                    && status.evaluations().stream().allMatch(evaluation -> evaluation.status() == EvaluationStatus.COMPLETE
                            || evaluation.waitUntil() != null);
        });
    }

    /** Registers a node; its heartbeat timeout (30s) outlasts the test, so no heartbeats are needed. */
    private void register(String name) {
        client.registerNode(new Node("id-" + name, name, "127.0.0.1:1", new Resources(4000, 8L << 30, 100L << 30),
                Map.of(), Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, Instant.now(), Instant.now()));
    }

    private String post(String path, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://" + server.httpAddress() + path))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        }
    }

    private static String spec(int count, String sleep) {
        return SPEC.formatted(count, sleep);
    }
}
