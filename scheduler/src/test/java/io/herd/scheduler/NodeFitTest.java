package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NodeFitTest {
    private final Node node = Nodes.node("n1").cpu("2").memory("4Gi").disk("10Gi").ports(20000, 20010).build();
    private final Job job = Jobs.job("hello")
            .group(Jobs.group("web").task(Jobs.task("server").cpu("1").memory("1Gi").disk("1Gi").ports("http")))
            .build();

    private Instance instance(int port) {
        return Instances.instance(job, "web", 0).node(node).port("http", port).state(InstanceState.PENDING).build();
    }

    @Test
    void fitsWhenEverythingFits() {
        assertThat(NodeFit.check(node, List.of(instance(20000)), List.of(instance(20001)))).isEmpty();
        assertThat(NodeFit.check(node, List.of(), List.of())).isEmpty();
    }

    @Test
    void rejectsOverCommittedCpuMemoryAndDisk() {
        assertThat(NodeFit.check(node, List.of(instance(20000), instance(20001)), List.of(instance(20002))))
                .hasValue("insufficient cpu");
        Instance big = Instances.instance(job, "web", 1).node(node)
                .resources(new io.herd.api.Resources(100, 5L << 30, 0)).build();
        assertThat(NodeFit.check(node, List.of(), List.of(big))).hasValue("insufficient memory");
        Instance wide = Instances.instance(job, "web", 1).node(node)
                .resources(new io.herd.api.Resources(100, 1, 11L << 30)).build();
        assertThat(NodeFit.check(node, List.of(), List.of(wide))).hasValue("insufficient disk");
    }

    @Test
    void countsEveryProposedInstanceTogether() {
        assertThat(NodeFit.check(node, List.of(), List.of(instance(20000), instance(20001), instance(20002))))
                .hasValue("insufficient cpu");
    }

    @Test
    void onlyInstancesHoldingResourcesCount() {
        Instance finished = instance(20000).withState(InstanceState.COMPLETE, "done", null);
        Instance stopping = instance(20001).withDesired(DesiredStatus.STOP, "scaled down", null);

        assertThat(NodeFit.check(node, List.of(finished, finished, stopping), List.of(instance(20000))))
                .isEmpty();
        assertThat(NodeFit.check(node, List.of(stopping, instance(20002)), List.of(instance(20003))))
                .hasValue("insufficient cpu");
    }

    @Test
    void rejectsAPortInUse() {
        assertThat(NodeFit.check(node, List.of(instance(20001)), List.of(instance(20001))))
                .hasValue("port 20001 already in use");
        assertThat(NodeFit.check(node, List.of(), List.of(instance(20005), instance(20005))))
                .hasValue("port 20005 already in use");
    }

    @Test
    void rejectsAPortOutsideTheRangeOrGivenTwice() {
        assertThat(NodeFit.check(node, List.of(), List.of(instance(30000))))
                .hasValue("port 30000 is outside the node's range 20000-20010");
        Instance twice = Instances.instance(job, "web", 0).node(node).port("http", 20000).port("admin", 20000).build();
        assertThat(NodeFit.check(node, List.of(), List.of(twice))).get().asString().contains("gives one port to two names");
    }

    @Test
    void rejectsANodeThatIsNotReady() {
        assertThat(NodeFit.check(node.withStatus(NodeStatus.DOWN, null), List.of(), List.of(instance(20000))))
                .hasValue("node is down");
        assertThat(NodeFit.check(node.withStatus(NodeStatus.DRAINING, null), List.of(), List.of(instance(20000))))
                .hasValue("node is draining");
    }

    @Test
    void rejectsAnInstanceOfAnotherNode() {
        Instance elsewhere = Instances.instance(job, "web", 0).node("n2").build();

        assertThat(NodeFit.check(node, List.of(), List.of(elsewhere))).get().asString().contains("is placed on node n2");
    }

    @Test
    void anInstanceBothExistingAndProposedCountsOnce() {
        Instance placed = instance(20000);
        Instance other = instance(20001);

        assertThat(NodeFit.check(node, List.of(placed, other), List.of(placed))).isEmpty();
    }
}
