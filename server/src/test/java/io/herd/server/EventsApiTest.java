package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.Event;
import io.herd.api.EventLevel;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.wire.EventStats;
import io.herd.client.HerdClient;
import io.herd.client.HerdClient.EventQuery;
import io.herd.testkit.Nodes;
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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** The events endpoints of a real single-replica server, through HTTP; the test plays the agent of one node. */
class EventsApiTest {
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

    private void report(Instance instance, InstanceState state, String reason, TaskState task) {
        client.reportInstances("node-a", List.of(new InstanceStatusUpdate(instance.id(), state, reason,
                Map.of("server", task))));
    }

    private static TaskState task(TaskStatus status, String reason, Integer exitCode) {
        return new TaskState(status, status == TaskStatus.RUNNING ? 4242L : null, exitCode, reason, null, 0, null, null);
    }

    @Test
    void aJobsEventsAreListedWithFilters() {
        Instance instance = placedInstance();
        report(instance, InstanceState.RUNNING, "running", task(TaskStatus.RUNNING, null, null));
        report(instance, InstanceState.FAILED, "task server OOMKilled (memory limit 256Mi) after 0 restarts",
                task(TaskStatus.DEAD, "OOMKilled", 137));

        List<Event> ofJob = client.events(new EventQuery("trade", "web", null, null, null, null, null, null), null);
        assertThat(ofJob).extracting(Event::level, Event::reason, Event::object).startsWith(
                tuple(EventLevel.NORMAL, "Registered", "job/trade_checkout/web"),
                tuple(EventLevel.NORMAL, "Scheduled", "instance/trade_checkout/web.main[0]"),
                tuple(EventLevel.NORMAL, "DeploymentStarted", "job/trade_checkout/web"),
                tuple(EventLevel.NORMAL, "Started", "instance/trade_checkout/web.main[0]"),
                tuple(EventLevel.WARNING, "OOMKilled", "instance/trade_checkout/web.main[0]"));
        assertThat(client.events(new EventQuery(null, null, instance.id().substring(0, 8), null, "warning", null,
                "1h", null), null)).singleElement().satisfies(event -> {
                    assertThat(event.reason()).isEqualTo("OOMKilled");
                    assertThat(event.message()).isEqualTo("task server OOMKilled (memory limit 256Mi) after 0 restarts");
                    assertThat(event.count()).isEqualTo(1);
                    assertThat(event.node()).isEqualTo("node-a");
                });
        assertThat(client.events(new EventQuery("trade_check", null, null, null, null, null, null, null), null))
                .isEmpty();
        assertThat(client.events(EventQuery.ALL, 2)).hasSize(2);

        // The JSON a user gets carries the documented fields.
        String json = get("/v1/events?reason=Scheduled").body();
        assertThat(json).contains("\"level\":\"Normal\"", "\"reason\":\"Scheduled\"", "\"object\":", "\"message\":",
                "\"count\":1", "\"first\":", "\"last\":");
    }

    @Test
    void badQueriesAreRejectedWithTheReason() {
        assertThatThrownBy(() -> client.events(new EventQuery(null, null, null, null, "loud", null, null, null), null))
                .isInstanceOfSatisfying(HerdException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("level must be Normal or Warning");
                });
        assertThatThrownBy(() -> client.events(new EventQuery(null, null, null, null, null, null, "yesterday", null),
                null)).isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.getMessage())
                        .contains("since must be a time"));
        assertThat(get("/v1/events?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/v1/events/stats?since=-1h").statusCode()).isEqualTo(400);
        assertThat(get("/v1/events/stream?level=loud").statusCode()).isEqualTo(400);
    }

    @Test
    void theStreamDeliversNewEventsAsTheyHappen() throws Exception {
        Instance instance = placedInstance();
        List<Event> received = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(1);
        Thread listener = Thread.ofVirtual().start(() -> {
            try (HerdClient streaming = new HerdClient(List.of(server.httpAddress()))) {
                streaming.streamEvents(new EventQuery(null, "trade_checkout/web", null, null, null, null, null, null),
                        null, connected::countDown, event -> {
                            received.add(event);
                            return !event.reason().equals("Failed");
                        });
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        // Events from before the stream opened are not "new": the Scheduled event must not arrive.
        assertThat(connected.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        report(instance, InstanceState.RUNNING, "running", task(TaskStatus.RUNNING, null, null));
        report(instance, InstanceState.FAILED, "task server exited with code 3 after 0 restarts",
                task(TaskStatus.DEAD, "Error", 3));

        listener.join(Duration.ofSeconds(20));
        assertThat(failure.get()).isNull();
        assertThat(listener.isAlive()).isFalse();
        assertThat(received).extracting(Event::reason).containsExactly("Started", "Failed");
        assertThat(received.get(1).level()).isEqualTo(EventLevel.WARNING);
    }

    @Test
    void statsCountByReasonAndLevelAgainstThePreviousPeriod() {
        Instance instance = placedInstance();
        report(instance, InstanceState.RUNNING, "running", task(TaskStatus.RUNNING, null, null));

        EventStats stats = client.eventStats(EventQuery.ALL, "1h");
        // node registered, job registered, scheduled, deployment started, started
        assertThat(stats.total()).isEqualTo(5);
        assertThat(stats.previousTotal()).isZero();
        assertThat(stats.rows()).extracting(EventStats.Row::level, EventStats.Row::reason, EventStats.Row::count,
                EventStats.Row::previousCount).containsExactly(
                        tuple("Normal", "Registered", 2L, 0L),
                        tuple("Normal", "DeploymentStarted", 1L, 0L),
                        tuple("Normal", "Scheduled", 1L, 0L),
                        tuple("Normal", "Started", 1L, 0L));
        assertThat(java.time.Duration.between(stats.since(), stats.until())).isEqualTo(Duration.ofHours(1));
    }

    private HttpResponse<String> get(String path) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + server.httpAddress() + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
