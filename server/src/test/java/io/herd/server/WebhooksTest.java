package io.herd.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.herd.api.ErrorCode;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.EventSubscription;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import io.herd.api.WebhookFormat;
import io.herd.api.wire.SubscribeRequest;
import io.herd.client.HerdClient;
import io.herd.testkit.Nodes;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Event webhooks of a real server delivering to a real HTTP receiver that refuses at will: retried with backoff,
 * acknowledged through Raft, resumed after a server restart.
 */
class WebhooksTest {
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
    private ServerConfig config;
    private HerdServer server;
    private HerdClient client;
    private HttpServer receiver;
    /** How many requests the receiver still answers with 500. */
    private final AtomicInteger refusals = new AtomicInteger();
    private final AtomicInteger attempts = new AtomicInteger();
    private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            attempts.incrementAndGet();
            int status = refusals.getAndUpdate(left -> Math.max(0, left - 1)) > 0 ? 500 : 200;
            if (status == 200) {
                accepted.add(Json.read(body, JsonNode.class));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        config = new ServerConfig("server-1", dataDir, "127.0.0.1:0", "127.0.0.1:" + TestingCluster.freePort(),
                List.of(), Duration.ofSeconds(30), Duration.ofSeconds(1), 2);
        startServer();
        client.registerNode(Nodes.node("node-a").address("127.0.0.1:1").build());
    }

    private void startServer() {
        server = HerdServer.start(config);
        client = new HerdClient(List.of(server.httpAddress()));
        await().atMost(Duration.ofSeconds(30)).until(() -> server.isLeader() && !client.status().servers().isEmpty());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private Instance placedInstance() {
        client.submitJob(SPEC);
        await().atMost(Duration.ofSeconds(20)).until(() -> !client.nodeInstances("node-a", 0, Duration.ZERO)
                .value().isEmpty());
        return client.nodeInstances("node-a", 0, Duration.ZERO).value().getFirst();
    }

    private List<String> acceptedReasons() {
        return accepted.stream().flatMap(body -> java.util.stream.StreamSupport.stream(body.get("events")
                .spliterator(), false)).map(event -> event.get("reason").asText()).toList();
    }

    @Test
    void matchingEventsAreRetriedUntilTheReceiverTakesThemAndSurviveARestart() {
        EventSubscription subscription = client.subscribeEvents(new SubscribeRequest(hookUrl(), "json",
                new EventFilter("trade_", null, null, null, EventLevel.WARNING, "Failed", null, null)));
        assertThat(subscription.format()).isEqualTo(WebhookFormat.JSON);
        assertThat(client.eventSubscriptions()).extracting(EventSubscription::id).containsExactly(subscription.id());

        refusals.set(2);
        Instance instance = placedInstance();
        client.reportInstances("node-a", List.of(new InstanceStatusUpdate(instance.id(), InstanceState.FAILED,
                "task server exited with code 3 after 0 restarts", Map.of())));

        await().atMost(Duration.ofSeconds(20)).until(() -> !accepted.isEmpty());
        assertThat(attempts.get()).isEqualTo(3); // two refusals, then the same batch again
        // Normal events, other reasons (the DeploymentFailed that follows) and other apps are filtered out
        assertThat(acceptedReasons()).containsExactly("Failed");
        assertThat(accepted.getFirst().get("subscription").asText()).isEqualTo(subscription.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> client.eventSubscriptions().getFirst()
                .deliveredSequence() >= client.events(new HerdClient.EventQuery(null, null, null, null, null, "Failed",
                        null, null), null).getLast().sequence());

        // The receiver is down while another warning happens; the server restarts before it could deliver.
        refusals.set(Integer.MAX_VALUE);
        Instance replacement = await().atMost(Duration.ofSeconds(20)).until(() -> client.nodeInstances("node-a", 0,
                Duration.ZERO).value().stream().filter(candidate -> !candidate.state().isTerminal()).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        client.reportInstances("node-a", List.of(new InstanceStatusUpdate(replacement.id(), InstanceState.FAILED,
                "task server exited with code 4 after 0 restarts", Map.of())));
        await().atMost(Duration.ofSeconds(10)).until(() -> attempts.get() > 3);
        client.close();
        server.close();
        refusals.set(0);
        startServer();

        await().atMost(Duration.ofSeconds(30)).until(() -> acceptedReasons().size() >= 2);
        assertThat(acceptedReasons()).containsExactly("Failed", "Failed");
        assertThat(accepted.get(1).get("events").get(0).get("message").asText()).contains("code 4");
    }

    @Test
    void readyFormatsForAlertmanagerAndChatRobots() {
        client.subscribeEvents(new SubscribeRequest(hookUrl(), "alertmanager", new EventFilter(null, null, null, null,
                null, "Scheduled", null, null)));
        client.subscribeEvents(new SubscribeRequest(hookUrl(), "dingtalk", new EventFilter(null, null, null, null,
                null, "Scheduled", null, null)));
        client.subscribeEvents(new SubscribeRequest(hookUrl(), "slack", new EventFilter(null, null, null, null,
                null, "Scheduled", null, null)));

        placedInstance();

        await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() == 3);
        JsonNode alertmanager = accepted.stream().filter(body -> body.has("alerts")).findFirst().orElseThrow();
        assertThat(alertmanager.get("version").asText()).isEqualTo("4");
        JsonNode alert = alertmanager.get("alerts").get(0);
        assertThat(alert.get("status").asText()).isEqualTo("firing");
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("Scheduled");
        assertThat(alert.get("labels").get("severity").asText()).isEqualTo("info");
        assertThat(alert.get("labels").get("app").asText()).isEqualTo("trade_checkout");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("placed on node node-a at version 1");
        String line = "[Normal] Scheduled instance/trade_checkout/web.main[0]: placed on node node-a at version 1";
        assertThat(accepted).anySatisfy(body -> assertThat(body.path("text").asText()).isEqualTo(line));
        assertThat(accepted).anySatisfy(body -> {
            assertThat(body.path("msgtype").asText()).isEqualTo("text");
            assertThat(body.path("text").path("content").asText()).isEqualTo(line);
        });
    }

    @Test
    void badSubscriptionsAreRejectedAndUnknownOnesAreNotFound() {
        assertThatThrownBy(() -> client.subscribeEvents(new SubscribeRequest("ftp://x/y", null, null)))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.getMessage())
                        .contains("url must be an http or https URL"));
        assertThatThrownBy(() -> client.subscribeEvents(new SubscribeRequest(hookUrl(), "teams", null)))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.getMessage())
                        .contains("format must be json, alertmanager, slack or dingtalk"));
        assertThatThrownBy(() -> client.unsubscribeEvents("nope"))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.SUBSCRIPTION_NOT_FOUND));
        assertThat(client.eventSubscriptions()).isEmpty();

        EventSubscription subscription = client.subscribeEvents(new SubscribeRequest(hookUrl(), null, null));
        client.unsubscribeEvents(subscription.id());
        assertThat(client.eventSubscriptions()).isEmpty();

        // With an id the request is idempotent: resent, it adds nothing.
        SubscribeRequest named = new SubscribeRequest("alerts-1", hookUrl(), "slack", null);
        EventSubscription first = client.subscribeEvents(named);
        assertThat(client.subscribeEvents(named)).isEqualTo(first);
        assertThat(client.eventSubscriptions()).containsExactly(first);
        assertThatThrownBy(() -> client.subscribeEvents(named.withId("no spaces")))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.getMessage())
                        .contains("a subscription id is 1 to 64 letters"));
    }
}
