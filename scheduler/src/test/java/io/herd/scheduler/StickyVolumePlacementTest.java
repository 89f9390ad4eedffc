package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import io.herd.api.StickyVolume;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Stateful groups: volumes take disk, and an index whose volume exists goes back to its node or waits. */
class StickyVolumePlacementTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static Job database(int count, String volumeSize) {
        return Jobs.job("db").group(Jobs.group("mysql").count(count).volume("data", volumeSize)
                .task(Jobs.task("main").disk("1Gi"))).build();
    }

    private void addNodes(int count) {
        for (int i = 1; i <= count; i++) {
            harness.cluster.add(Nodes.node("n" + i).disk("10Gi").build());
        }
    }

    private Instance only(Plan plan) {
        assertThat(plan.placements()).hasSize(1);
        return plan.placements().getFirst();
    }

    @Test
    void aNewIndexAsksForItsVolumesOnTopOfItsTasksDisk() {
        addNodes(2);

        // 1Gi of task disk and 6Gi of volume: two instances do not fit on one 10Gi node.
        Plan plan = harness.processAndApply(database(2, "6Gi"));

        assertThat(SchedulerHarness.countByNode(plan.placements())).isEqualTo(Map.of("n1", 1L, "n2", 1L));
        assertThat(harness.cluster.volumesOfJob("demo/db")).extracting(StickyVolume::index, StickyVolume::nodeId)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, plan.placements().stream()
                                .filter(instance -> instance.index() == 0).findFirst().orElseThrow().nodeId()),
                        org.assertj.core.groups.Tuple.tuple(1, plan.placements().stream()
                                .filter(instance -> instance.index() == 1).findFirst().orElseThrow().nodeId()));
    }

    @Test
    void aThirdIndexWaitsWhenEveryNodeIsTakenByVolumes() {
        addNodes(2);
        harness.processAndApply(database(2, "6Gi"));

        Plan plan = harness.process(database(3, "6Gi").withVersion(1, null));

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).singleElement().satisfies(failure ->
                assertThat(failure.reasons()).containsEntry("insufficient disk", 2));
    }

    @Test
    void aFailedInstanceIsReplacedOnTheNodeHoldingItsVolumeThoughThatIsWhereItFailed() {
        addNodes(3);
        Instance first = only(harness.processAndApply(database(1, "1Gi")));
        harness.cluster.update(first.withState(InstanceState.FAILED, "exit 1", harness.clock.instant()));
        harness.clock.advance(Duration.ofMinutes(1));

        Instance replacement = only(harness.processAndApply(database(1, "1Gi")));

        assertThat(replacement.index()).isZero();
        assertThat(replacement.nodeId()).isEqualTo(first.nodeId());
        assertThat(replacement.previousInstanceId()).isEqualTo(first.id());
        assertThat(harness.cluster.volumesOfJob("demo/db")).hasSize(1);
    }

    @Test
    void anIndexWhoseVolumeNodeIsDownWaitsWithAReasonNamingTheNode() {
        addNodes(3);
        Instance first = only(harness.processAndApply(database(1, "1Gi")));
        harness.cluster.add(harness.cluster.node(first.nodeId()).orElseThrow()
                .withStatus(NodeStatus.DOWN, harness.clock.instant()));
        harness.cluster.update(first.withState(InstanceState.LOST, "node down", harness.clock.instant()));

        Plan plan = harness.process(database(1, "1Gi"));

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.unplaced()).isEqualTo(1);
            assertThat(failure.reasons()).containsExactly(
                    Map.entry("sticky volume on " + first.nodeName() + ": node down", 1));
        });
    }

    @Test
    void anIndexWhoseVolumeNodeIsFullWaitsWhileNewIndicesGoElsewhere() {
        addNodes(2);
        Instance first = only(harness.processAndApply(database(1, "1Gi")));
        harness.cluster.update(first.withState(InstanceState.FAILED, "exit 1", harness.clock.instant()));
        // Meanwhile something else fills the volume's node: 1Gi of volume and 8.5Gi leave too little.
        Job filler = Jobs.job("filler").type(JobType.BATCH).group(Jobs.group("fill")
                .constraint("node.id", io.herd.api.Constraint.Operator.EQUAL, first.nodeId())
                .task(Jobs.task("main").disk("8704Mi"))).build();
        assertThat(harness.processAndApply(filler).placements()).hasSize(1);
        harness.clock.advance(Duration.ofMinutes(1));

        Plan plan = harness.process(database(2, "1Gi").withVersion(1, null));

        assertThat(plan.placements()).extracting(Instance::index, Instance::nodeId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, first.nodeId().equals("n1") ? "n2" : "n1"));
        assertThat(plan.failures()).singleElement().satisfies(failure -> assertThat(failure.reasons())
                .containsEntry("sticky volume on " + first.nodeName() + ": insufficient disk", 1));
    }

    @Test
    void aVolumeTakesItsNodesDiskFromOtherJobsEvenWithoutAnInstance() {
        harness.cluster.add(Nodes.node("n1").disk("10Gi").build());
        Instance first = only(harness.processAndApply(database(1, "8Gi")));
        harness.cluster.update(first.withState(InstanceState.COMPLETE, "stopped", harness.clock.instant()));

        Plan plan = harness.process(Jobs.job("other").group(Jobs.group("web").task(Jobs.task("main").disk("3Gi")))
                .build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures().getFirst().reasons()).containsEntry("insufficient disk", 1);
    }

    @Test
    void thePlanCheckCountsTheVolumesAPlanCreatesAndTheOnesTheNodeKeeps() {
        harness.cluster.add(Nodes.node("n1").disk("10Gi").build());
        // Two plans made from the same snapshot, each with a new index and its 6Gi volume: the second no longer fits.
        Job job = database(1, "6Gi");
        Plan first = harness.process(job);
        Job other = Jobs.job("db2").group(Jobs.group("mysql").volume("data", "6Gi")
                .task(Jobs.task("main").disk("1Gi"))).build();
        Plan second = harness.process(other);
        assertThat(PlanCheck.check(first, harness.cluster).rejections()).isEmpty();
        harness.cluster.apply(first, harness.clock.instant());

        PlanCheck.Result check = PlanCheck.check(second, harness.cluster);

        assertThat(check.rejections()).containsExactly(Map.entry("n1", "insufficient disk"));
        assertThat(PlanCheck.volumeDisk(harness.cluster, second, "n1", second.placements())).isEqualTo(12L << 30);
    }

    @Test
    void scalingAStatefulGroupKeepsItsInstancesAndAnIndexScaledBackUpReturnsToItsVolume() {
        addNodes(3);
        Plan initial = harness.processAndApply(database(2, "1Gi"));
        Job scaled = database(3, "1Gi").withVersion(2, null);
        harness.cluster.register(scaled);

        Plan up = harness.process(scaled);

        assertThat(up.stops()).isEmpty();
        assertThat(up.placements()).extracting(Instance::index).containsExactly(2);

        // Down to 1: index 1 stops, its volume stays; back up to 2: index 1 returns to that node.
        harness.cluster.apply(up, harness.clock.instant());
        Job down = database(1, "1Gi").withVersion(3, null);
        harness.cluster.register(down);
        harness.cluster.apply(harness.process(down), harness.clock.instant());
        harness.cluster.finishStopped(harness.clock.instant());
        Job again = database(2, "1Gi").withVersion(4, null);
        harness.cluster.register(again);

        Plan back = harness.process(again);

        String index1Node = initial.placements().stream().filter(instance -> instance.index() == 1).findFirst()
                .orElseThrow().nodeId();
        assertThat(back.placements()).extracting(Instance::index, Instance::nodeId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, index1Node));
        assertThat(harness.cluster.volumesOfJob("demo/db")).hasSize(3);
    }
}
