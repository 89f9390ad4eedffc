package io.herd.agent;

import io.herd.client.HerdClient;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class NodeRegistrationTest {
    private final FakeServer server = FakeServer.start();
    private final HerdClient client = new HerdClient(List.of(server.address()));
    private NodeRegistration registration;

    @AfterEach
    void stop() {
        if (registration != null) {
            registration.close();
        }
        client.close();
        server.close();
    }

    @Test
    void heartbeatsWithoutProblemDetectionGoThroughAndAreNotReportedAsFailing() throws Exception {
        // As the hollow agents of the benchmark run: no problem detection. A method reference on the missing
        // detector used to throw after every heartbeat the server took, so each looked failed.
        registration = new NodeRegistration(client, Nodes.node("agent-1").build(), Clock.systemUTC(), () -> {});
        registration.registerUntilDone();
        registration.startHeartbeats();

        int before = server.heartbeats.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.heartbeats.get() >= before + 2);

        assertThat(registration.heartbeatsFailing()).isFalse();
    }

    @Test
    void aNodeTheServerForgotRegistersAgain() throws Exception {
        registration = new NodeRegistration(client, Nodes.node("agent-1").build(), Clock.systemUTC(), () -> {});
        registration.registerUntilDone();
        registration.startHeartbeats();
        int registrations = server.registrations.size();

        server.forgetNode();

        await().atMost(Duration.ofSeconds(10)).until(() -> server.registrations.size() > registrations);
        assertThat(registration.heartbeatsFailing()).isFalse();
    }
}
