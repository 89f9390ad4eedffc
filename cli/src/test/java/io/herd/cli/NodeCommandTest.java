package io.herd.cli;

import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.NodeDrain;
import io.herd.api.NodeEligibility;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.herd.cli.FakeHerdApi.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code herd node eligibility} and {@code herd node drain} against a hand-written API over real HTTP. */
class NodeCommandTest {
    private final FakeHerdApi api = new FakeHerdApi();
    private final Node node = Nodes.node("node-a").id("aaaaaaaa-1111").build();
    private final Job job = Jobs.job("web").app("demo").group(Jobs.group("main").count(1)).build();


    @AfterEach
    void stop() {
        api.close();
    }

    private CliResult run(String... args) {
        return CliResult.run(api.address(), args);
    }

    @Test
    void eligibilityOffAndOn() {
        api.on("POST", "/v1/nodes/node-a/eligibility", request -> json(
                Json.read(request.body(), Map.class).get("eligible").equals(Boolean.TRUE)
                        ? node : node.withEligibility(NodeEligibility.INELIGIBLE)));

        CliResult off = run("node", "eligibility", "node-a", "off");
        assertThat(off.exitCode()).isZero();
        assertThat(off.out()).isEqualTo("Node node-a is ineligible: it keeps its instances and gets no new ones\n");
        assertThat(api.requests().getLast().body()).isEqualTo("{\"eligible\":false}");

        CliResult on = run("node", "eligibility", "node-a", "on", "-o", "json");
        assertThat(on.exitCode()).isZero();
        assertThat(Json.read(on.out(), Node.class).eligibility()).isEqualTo(NodeEligibility.ELIGIBLE);

        CliResult bad = run("node", "eligibility", "node-a", "maybe");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("the second argument is on or off, got 'maybe'");
    }

    @Test
    void drainPrintsTheInstancesLeftUntilTheNodeIsEmpty() {
        Instant deadline = Instant.now().plusSeconds(600);
        Node draining = node.withDrain(new NodeDrain(Instant.now(), deadline, false))
                .withEligibility(NodeEligibility.INELIGIBLE);
        Node drained = node.withEligibility(NodeEligibility.INELIGIBLE);
        Instance running = Instances.instance(job, "main", 0).id("i1").node(node).state(InstanceState.RUNNING).build();
        AtomicInteger reads = new AtomicInteger();
        api.on("POST", "/v1/nodes/node-a/drain", request -> json(draining));
        // The first look finds the instance; the next ones find it stopped and the drain over.
        api.on("GET", "/v1/instances", request -> json(reads.getAndIncrement() == 0 ? List.of(running)
                : List.of(running.withState(InstanceState.COMPLETE, "migrated", Instant.now())), 2 + reads.get()));
        api.on("GET", "/v1/nodes/aaaaaaaa-1111", request -> json(reads.get() <= 1 ? draining : drained));

        CliResult result = run("node", "drain", "node-a", "--deadline", "10m");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("Draining node node-a until " + deadline + "\n  1 instance left on node-a\n")
                .contains("  0 instances left on node-a\n")
                .containsPattern("Node node-a drained in [0-9.]+ s; it stays ineligible until 'herd node eligibility node-a on'\n");
        assertThat(api.requests().getFirst().body()).isEqualTo("{\"deadline\":\"10m\"}");
        assertThat(api.requests()).filteredOn(request -> request.path().equals("/v1/instances"))
                .allSatisfy(request -> assertThat(request.query()).containsEntry("node", "aaaaaaaa-1111"));
    }

    @Test
    void cancelAndDetach() {
        api.on("POST", "/v1/nodes/node-a/drain", request -> json(request.body().contains("cancel")
                ? node.withEligibility(NodeEligibility.INELIGIBLE)
                : node.withDrain(new NodeDrain(Instant.now(), Instant.now().plusSeconds(3600), false))));

        CliResult cancel = run("node", "drain", "node-a", "--cancel");
        assertThat(cancel.exitCode()).isZero();
        assertThat(cancel.out()).isEqualTo("Drain of node node-a cancelled; it stays ineligible\n");
        assertThat(api.requests().getLast().body()).isEqualTo("{\"cancel\":true}");

        CliResult detached = run("node", "drain", "node-a", "--detach", "-o", "json");
        assertThat(detached.exitCode()).isZero();
        assertThat(Json.read(detached.out(), Node.class).isDraining()).isTrue();
        assertThat(api.requests().getLast().body()).isEqualTo("{}");

        CliResult both = run("node", "drain", "node-a", "--cancel", "--deadline", "5m");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--cancel and --deadline do not go together");
    }
}
