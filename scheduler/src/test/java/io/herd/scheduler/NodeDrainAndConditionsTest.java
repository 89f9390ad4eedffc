package io.herd.scheduler;

import io.herd.api.Check;
import io.herd.api.ConditionStatus;
import io.herd.api.Deployment;
import io.herd.api.DeploymentGroup;
import io.herd.api.DeploymentStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeDrain;
import io.herd.api.NodeEligibility;
import io.herd.api.Plan;
import io.herd.api.Service;
import io.herd.api.UpdatePolicy;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.herd.scheduler.SchedulerHarness.countByNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Ineligible nodes, severe node conditions and drains, as the scheduler sees them. */
class NodeDrainAndConditionsTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static NodeCondition condition(String type, ConditionStatus status) {
        return new NodeCondition(type, status, "Test", "as the test says", FakeClockStart.AT);
    }

    /** A fixed time for conditions; the scheduler never looks at it. */
    private static final class FakeClockStart {
        static final java.time.Instant AT = java.time.Instant.parse("2026-01-01T00:00:00Z");
    }

    @Test
    void ineligibleNodesAndSevereConditionsTakeNothingNewAndSaySo() {
        harness.cluster.add(
                Nodes.node("n1").build(),
                Nodes.node("n2").build().withEligibility(NodeEligibility.INELIGIBLE),
                Nodes.node("n3").build().withConditions(List.of(condition(NodeCondition.DISK_PRESSURE, ConditionStatus.TRUE))),
                Nodes.node("n4").build().withConditions(List.of(condition(NodeCondition.MEMORY_PRESSURE, ConditionStatus.TRUE))),
                // Only warnings, or a problem that cleared: the node takes instances.
                Nodes.node("n5").build().withConditions(List.of(
                        condition(NodeCondition.CLOCK_UNSYNCHRONIZED, ConditionStatus.TRUE),
                        condition(NodeCondition.DISK_PRESSURE, ConditionStatus.FALSE),
                        condition(NodeCondition.PID_PRESSURE, ConditionStatus.UNKNOWN))));

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(6).task(Jobs.task("server").cpu("2"))).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("n1", 2L), entry("n5", 2L));
        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.unplaced()).isEqualTo(2);
            assertThat(failure.summary()).contains("1 node: node ineligible", "1 node: node has disk pressure",
                    "1 node: node has memory pressure", "2 nodes: insufficient cpu");
        });
    }

    @Test
    void thePlanApplierRefusesANodeThatBecameIneligibleOrUnderPressure() {
        Node node = Nodes.node("n1").build();
        Instance placement = Instances.instance(Jobs.job("hello").build(), "web", 0).node(node).build();

        assertThat(NodeFit.check(node, List.of(), List.of(placement))).isEmpty();
        assertThat(NodeFit.check(node.withEligibility(NodeEligibility.INELIGIBLE), List.of(), List.of(placement)))
                .contains("node ineligible");
        assertThat(NodeFit.check(node.withConditions(List.of(condition(NodeCondition.PID_PRESSURE,
                ConditionStatus.TRUE))), List.of(), List.of(placement))).contains("node has pid pressure");
        assertThat(NodeFit.check(node.withConditions(List.of(condition(NodeCondition.DRIVER_UNAVAILABLE,
                ConditionStatus.TRUE))), List.of(), List.of(placement))).contains("node has a driver unavailable");
    }

    // ---------------------------------------------------------------------------------------------- drains

    private static final Duration MIN_HEALTHY = Duration.ofSeconds(10);

    private Job service(int count, int maxParallel) {
        return Jobs.job("hello").version(1)
                .group(Jobs.group("web").count(count)
                        .update(new UpdatePolicy(maxParallel, MIN_HEALTHY, Duration.ofMinutes(1), false, 0,
                                Duration.ofMinutes(5), 0, false))
                        .service(new Service("site", "http", new Check(Check.HTTP, "/", null, null)))
                        .task(Jobs.task("server").memory("128Mi").ports("http")))
                .build();
    }

    /** Version 1 running healthy: {@code onDrained} instances on n1, the rest on n2 and n3; n1 then drains. */
    private Job seedAndDrain(int count, int onDrained, int maxParallel) {
        Node drained = Nodes.node("n1").build();
        harness.cluster.add(drained, Nodes.node("n2").build(), Nodes.node("n3").build());
        Job job = service(count, maxParallel);
        harness.cluster.register(job);
        for (int index = 0; index < count; index++) {
            harness.cluster.add(Instances.instance(job, "web", index).node(index < onDrained ? "n1" : "n" + (2 + index % 2))
                    .healthy(true).readySince(harness.clock.instant()).build());
        }
        harness.cluster.put(new Deployment("d1", job.id(), 1, DeploymentStatus.SUCCESSFUL, null,
                Map.of("web", new DeploymentGroup(count, 0, true, count, count, 0, false, null)), null, null, null,
                harness.clock.instant(), harness.clock.instant()));
        harness.clock.advance(Duration.ofMinutes(10));
        harness.cluster.add(drained.withDrain(new NodeDrain(harness.clock.instant(),
                harness.clock.instant().plus(Duration.ofMinutes(10)), false)).withEligibility(NodeEligibility.INELIGIBLE));
        return job;
    }

    private List<Instance> live() {
        return harness.cluster.instancesOfJob("demo/hello").stream().filter(Instance::isLive).toList();
    }

    private long liveOn(String nodeId) {
        return live().stream().filter(instance -> instance.nodeId().equals(nodeId)).count();
    }

    /** Ready indices of the group: what serves. */
    private long readyIndices() {
        return live().stream().filter(Instance::isReady).map(Instance::index).distinct().count();
    }

    /** The agents: every pending (or unhealthy) instance runs, healthy as given. */
    private void runPending(boolean healthy) {
        for (Instance instance : live()) {
            if (instance.state() == InstanceState.PENDING || healthy && Boolean.FALSE.equals(instance.healthy())) {
                harness.cluster.add(instance.withState(InstanceState.RUNNING, null, harness.clock.instant())
                        .withHealth(healthy, healthy ? harness.clock.instant() : null));
            }
        }
    }

    /** The agents stop what the plans asked to stop. */
    private void stopStopped() {
        for (Instance instance : harness.cluster.instancesOfJob("demo/hello")) {
            if (!instance.isLive() && !instance.state().isTerminal()) {
                harness.cluster.add(instance.withState(InstanceState.COMPLETE, null, harness.clock.instant()));
            }
        }
    }

    @Test
    void aDrainReplacesAtMostMaxParallelAtATimeAndStopsTheOldOnlyOnceTheNewIsHealthy() {
        Job job = seedAndDrain(6, 4, 2);

        Plan first = harness.processAndApply(job);
        // Two replacements start beside their old instances; nothing stops yet.
        assertThat(first.placements()).hasSize(2).allSatisfy(placement -> {
            assertThat(placement.nodeId()).isNotEqualTo("n1");
            assertThat(placement.previousInstanceId()).isNotNull();
        });
        assertThat(first.stops()).isEmpty();
        assertThat(readyIndices()).isEqualTo(6);

        // Nothing more while the replacements are not healthy.
        Plan waiting = harness.processAndApply(job);
        assertThat(waiting.placements()).isEmpty();
        assertThat(waiting.stops()).isEmpty();
        runPending(false);
        assertThat(harness.processAndApply(job).stops()).isEmpty();

        int rounds = 0;
        while (liveOn("n1") > 0 && rounds++ < 10) {
            runPending(true);
            Plan plan = harness.processAndApply(job);
            stopStopped();
            assertThat(plan.stops()).extracting(InstanceStop::reason)
                    .allSatisfy(reason -> assertThat(reason).startsWith("migrated to node n"));
            assertThat(plan.placements()).hasSizeLessThanOrEqualTo(2);
            // Every index is served all along: the old instance runs until its replacement is healthy.
            assertThat(readyIndices()).isEqualTo(6);
            assertThat(live()).extracting(Instance::index).containsOnly(0, 1, 2, 3, 4, 5);
        }
        assertThat(liveOn("n1")).isZero();
        assertThat(live()).hasSize(6).extracting(Instance::index).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
    }

    @Test
    void aReplacementThatFailsIsPlacedAgainAndTheOldInstanceKeepsServing() {
        Job job = seedAndDrain(2, 1, 1);
        Plan first = harness.processAndApply(job);
        assertThat(first.placements()).singleElement();
        Instance replacement = first.placements().getFirst();
        harness.cluster.add(replacement.withState(InstanceState.FAILED, "exit 1", harness.clock.instant()));

        Plan again = harness.processAndApply(job);

        assertThat(again.stops()).isEmpty();
        assertThat(again.placements()).singleElement().satisfies(placement -> {
            assertThat(placement.index()).isZero();
            assertThat(placement.nodeId()).isNotEqualTo("n1");
        });
        assertThat(liveOn("n1")).isEqualTo(1);
    }

    @Test
    void batchInstancesAreLeftToFinish() {
        harness.cluster.add(Nodes.node("n1").build().withDrain(new NodeDrain(harness.clock.instant(),
                harness.clock.instant().plus(Duration.ofMinutes(10)), false)), Nodes.node("n2").build());
        Job batch = Jobs.job("report").type(JobType.BATCH)
                .group(Jobs.group("run").count(1).task(Jobs.task("main").memory("64Mi"))).build();
        harness.cluster.register(batch);
        harness.cluster.add(Instances.instance(batch, "run", 0).node("n1").state(InstanceState.RUNNING).build());

        Plan plan = harness.process(batch);

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.stops()).isEmpty();
    }
}
