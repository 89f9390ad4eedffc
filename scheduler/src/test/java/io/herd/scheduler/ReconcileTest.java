package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcileTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static Job hello(int count) {
        return Jobs.job("hello").group(Jobs.group("web").count(count)).build();
    }

    private List<Instance> running(Job job, int count) {
        List<Instance> instances = new java.util.ArrayList<>();
        for (int index = 0; index < count; index++) {
            Instance instance = Instances.instance(job, "web", index).node("n" + (index % 3 + 1)).build();
            harness.cluster.add(instance);
            instances.add(instance);
        }
        return instances;
    }

    @Test
    void scalesUpByPlacingTheMissingIndices() {
        harness.cluster.add(Nodes.nodes("n", 3));
        running(hello(2), 2);

        Plan plan = harness.process(hello(4).withVersion(1, null));

        assertThat(plan.stops()).isEmpty();
        assertThat(plan.placements()).extracting(Instance::index).containsExactly(2, 3);
    }

    @Test
    void scalesDownByStoppingTheHighestIndices() {
        harness.cluster.add(Nodes.nodes("n", 3));
        List<Instance> instances = running(hello(5), 5);

        Plan plan = harness.process(hello(3));

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.stops()).containsExactly(
                new InstanceStop(instances.get(3).id(), "scaled down"),
                new InstanceStop(instances.get(4).id(), "scaled down"));
    }

    @Test
    void aJobThatMatchesRealityNeedsNothing() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = hello(3);
        running(job, 3);

        Plan plan = harness.process(job);

        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.failures()).isEmpty();
    }

    @Test
    void aChangedGroupReplacesEveryInstanceAtTheSameIndex() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job version1 = hello(3);
        harness.cluster.register(version1);
        List<Instance> old = running(version1, 3);
        // max_parallel 3: the whole group may be replaced at once (RollingUpdateTest covers smaller steps).
        Job version2 = Jobs.job("hello").version(2)
                .group(Jobs.group("web").count(3).update(new io.herd.api.UpdatePolicy(3, Duration.ofSeconds(10),
                        Duration.ofMinutes(5), false)).task(Jobs.task("server").memory("256Mi"))).build();

        Plan plan = harness.process(version2);

        assertThat(plan.jobVersion()).isEqualTo(2);
        assertThat(plan.stops()).extracting(InstanceStop::instanceId).containsExactlyElementsOf(old.stream().map(Instance::id).toList());
        assertThat(plan.stops()).extracting(InstanceStop::reason).containsOnly("replaced by version 2");
        assertThat(plan.placements()).extracting(Instance::index).containsExactly(0, 1, 2);
        assertThat(plan.placements()).extracting(Instance::previousInstanceId)
                .containsExactlyElementsOf(old.stream().map(Instance::id).toList());
        assertThat(plan.placements()).extracting(Instance::jobVersion).containsOnly(2L);
        assertThat(plan.placements()).extracting(Instance::resources).containsOnly(version2.groups().getFirst().resources());
    }

    @Test
    void aCountOnlyChangeKeepsTheOlderInstances() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job version1 = hello(3);
        harness.cluster.register(version1);
        running(version1, 3);
        Job version2 = Jobs.job("hello").version(2).group(Jobs.group("web").count(4)).build();

        Plan plan = harness.process(version2);

        assertThat(plan.stops()).isEmpty();
        assertThat(plan.placements()).singleElement().satisfies(instance -> {
            assertThat(instance.index()).isEqualTo(3);
            assertThat(instance.jobVersion()).isEqualTo(2);
        });
    }

    @Test
    void anotherGroupChangingDoesNotReplaceThisOne() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job version1 = Jobs.job("hello").group(Jobs.group("web")).group(Jobs.group("worker")).build();
        harness.cluster.register(version1);
        Instance web = Instances.instance(version1, "web", 0).node("n1").build();
        Instance worker = Instances.instance(version1, "worker", 0).node("n2").build();
        harness.cluster.add(web, worker);
        Job version2 = Jobs.job("hello").version(2).group(Jobs.group("web"))
                .group(Jobs.group("worker").task(Jobs.task("server").cpu("200m"))).build();

        Plan plan = harness.process(version2);

        assertThat(plan.stops()).containsExactly(new InstanceStop(worker.id(), "replaced by version 2"));
        assertThat(plan.placements()).singleElement().extracting(Instance::group).isEqualTo("worker");
    }

    @Test
    void anInstanceOfAForgottenVersionIsReplaced() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Instance old = Instances.instance(hello(1), "web", 0).node("n1").build();
        harness.cluster.add(old);

        Plan plan = harness.process(hello(1).withVersion(2, null));

        assertThat(plan.stops()).containsExactly(new InstanceStop(old.id(), "replaced by version 2"));
        assertThat(plan.placements()).hasSize(1);
    }

    @Test
    void aChangedJobConstraintReplacesInstances() {
        harness.cluster.add(Nodes.node("n1").label("zone", "a").build(), Nodes.node("n2").label("zone", "b").build());
        Job version1 = hello(1);
        harness.cluster.register(version1);
        Instance old = Instances.instance(version1, "web", 0).node("n1").build();
        harness.cluster.add(old);
        Job version2 = Jobs.job("hello").version(2)
                .constraint("node.zone", io.herd.api.Constraint.Operator.EQUAL, "b").group(Jobs.group("web")).build();

        Plan plan = harness.process(version2);

        assertThat(plan.stops()).extracting(InstanceStop::instanceId).containsExactly(old.id());
        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n2");
    }

    @Test
    void aStoppedJobStopsEveryLiveInstance() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = hello(3);
        List<Instance> live = running(job, 2);
        Instance failed = Instances.instance(job, "web", 2).state(InstanceState.FAILED).build();
        Instance stopping = Instances.instance(job, "web", 2).desired(DesiredStatus.STOP).build();
        harness.cluster.add(failed, stopping);

        Plan plan = harness.process(job.withStopped(true));

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).isEmpty();
        assertThat(plan.stops()).containsExactlyInAnyOrder(
                new InstanceStop(live.get(0).id(), "job stopped"), new InstanceStop(live.get(1).id(), "job stopped"));
    }

    @Test
    void aPurgedJobStopsEveryLiveInstance() {
        Job job = hello(2);
        List<Instance> live = running(job, 2);

        Plan plan = harness.process(job.id(), null);

        assertThat(plan.jobId()).isEqualTo("demo/hello");
        assertThat(plan.jobVersion()).isZero();
        assertThat(plan.stops()).extracting(InstanceStop::instanceId)
                .containsExactlyInAnyOrderElementsOf(live.stream().map(Instance::id).toList());
        assertThat(plan.stops()).extracting(InstanceStop::reason).containsOnly("job stopped");
    }

    @Test
    void instancesOfARemovedGroupAreStopped() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job version1 = Jobs.job("hello").group(Jobs.group("web")).group(Jobs.group("cache")).build();
        Instance web = Instances.instance(version1, "web", 0).node("n1").build();
        Instance cache = Instances.instance(version1, "cache", 0).node("n2").build();
        harness.cluster.register(version1).add(web, cache);

        Plan plan = harness.process(Jobs.job("hello").version(2).group(Jobs.group("web")).build());

        assertThat(plan.stops()).containsExactly(new InstanceStop(cache.id(), "group removed"));
        assertThat(plan.placements()).isEmpty();
    }

    @Test
    void ofDuplicateIndicesTheRunningOneIsKept() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = hello(1);
        Instance running = Instances.instance(job, "web", 0).node("n1").build();
        Instance newerPending = Instances.instance(job, "web", 0).node("n2").state(InstanceState.PENDING)
                .createTime(harness.clock.instant().plusSeconds(60)).build();
        harness.cluster.add(running, newerPending);

        Plan plan = harness.process(job);

        assertThat(plan.stops()).containsExactly(new InstanceStop(newerPending.id(), "duplicate of hello.web[0]"));
        assertThat(plan.placements()).isEmpty();
    }

    @Test
    void ofDuplicateRunningInstancesTheNewestIsKept() {
        Job job = hello(1);
        Instance older = Instances.instance(job, "web", 0).node("n1").build();
        Instance newer = Instances.instance(job, "web", 0).node("n2")
                .createTime(harness.clock.instant().plusSeconds(60)).build();
        harness.cluster.add(newer, older);

        Plan plan = harness.process(job);

        assertThat(plan.stops()).extracting(InstanceStop::instanceId).containsExactly(older.id());
    }

    @Test
    void aFailedInstanceIsReplacedAtItsIndexPreferablyOnAnotherNode() {
        Node n1 = Nodes.node("n1").build();
        Node n2 = Nodes.node("n2").build();
        harness.cluster.add(n1, n2);
        Job job = hello(2);
        Instance first = Instances.instance(job, "web", 0).node(n2).build();
        // n1 is the best fit, and would win if the instance had not failed there.
        Instance failed = Instances.instance(job, "web", 1).node(n1).state(InstanceState.FAILED)
                .createTime(harness.clock.advance(Duration.ofMinutes(1))).build();
        Instance olderFailure = Instances.instance(job, "web", 1).node(n2).state(InstanceState.FAILED).build();
        Job other = Jobs.job("other").group(Jobs.group("db").task(Jobs.task("db").cpu("2"))).build();
        harness.cluster.add(first, failed, olderFailure, Instances.instance(other, "db", 0).node(n1).build());
        harness.clock.advance(Duration.ofMinutes(5)); // past the reschedule delay

        Plan plan = harness.process(job);

        assertThat(plan.stops()).isEmpty();
        assertThat(plan.placements()).singleElement().satisfies(instance -> {
            assertThat(instance.index()).isEqualTo(1);
            assertThat(instance.previousInstanceId()).isEqualTo(failed.id());
            assertThat(instance.nodeId()).isEqualTo("n2");
        });
    }

    @Test
    void aFailedIndexWaitsAGrowingDelayBeforeItsReplacement() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job job = hello(1);
        Instant firstFailure = harness.clock.instant();
        harness.cluster.add(Instances.instance(job, "web", 0).state(InstanceState.FAILED).createTime(firstFailure).build());

        Plan waiting = harness.process(job);
        assertThat(waiting.placements()).isEmpty();
        assertThat(waiting.failures()).isEmpty();
        assertThat(waiting.nextEvaluationAt()).isEqualTo(firstFailure.plus(Duration.ofSeconds(5)));

        harness.clock.advance(Duration.ofSeconds(5));
        assertThat(harness.process(job).placements()).hasSize(1);

        // A second failure at the index doubles the delay; a third doubles it again.
        Instant secondFailure = harness.clock.instant();
        harness.cluster.add(Instances.instance(job, "web", 0).state(InstanceState.FAILED).createTime(secondFailure).build());
        assertThat(harness.process(job).nextEvaluationAt()).isEqualTo(secondFailure.plus(Duration.ofSeconds(10)));
        harness.cluster.add(Instances.instance(job, "web", 0).state(InstanceState.FAILED).createTime(secondFailure).build());
        assertThat(harness.process(job).nextEvaluationAt()).isEqualTo(secondFailure.plus(Duration.ofSeconds(20)));
        assertThat(Reconciler.rescheduleDelay(100)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aLostInstanceIsReplacedEvenWhenOnlyItsNodeIsLeft() {
        harness.cluster.add(Nodes.node("n1").build());
        Job job = hello(1);
        Instance lost = Instances.instance(job, "web", 0).node("n1").state(InstanceState.LOST).build();
        harness.cluster.add(lost);

        Plan plan = harness.process(job);

        assertThat(plan.placements()).singleElement().satisfies(instance -> {
            assertThat(instance.index()).isZero();
            assertThat(instance.previousInstanceId()).isEqualTo(lost.id());
            assertThat(instance.nodeId()).isEqualTo("n1");
        });
    }

    @Test
    void aCompletedBatchIndexIsDoneButAFailedOneRunsAgain() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = Jobs.job("report").type(JobType.BATCH).group(Jobs.group("work").count(3)).build();
        Instance complete = Instances.instance(job, "work", 0).state(InstanceState.COMPLETE).build();
        Instance failed = Instances.instance(job, "work", 1).state(InstanceState.FAILED).build();
        Instance running = Instances.instance(job, "work", 2).build();
        harness.cluster.add(complete, failed, running);
        harness.clock.advance(Duration.ofMinutes(5)); // past the reschedule delay

        Plan plan = harness.process(job);

        assertThat(plan.stops()).isEmpty();
        assertThat(plan.placements()).singleElement().satisfies(instance -> {
            assertThat(instance.index()).isEqualTo(1);
            assertThat(instance.previousInstanceId()).isEqualTo(failed.id());
        });
    }

    @Test
    void aBatchIndexStoppedByTheServerOrOfAChangedSpecRunsAgain() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job version1 = Jobs.job("report").type(JobType.BATCH).group(Jobs.group("work").count(1)).build();
        harness.cluster.register(version1);
        Instance stoppedByServer = Instances.instance(version1, "work", 0).state(InstanceState.COMPLETE)
                .desired(DesiredStatus.STOP).build();
        harness.cluster.add(stoppedByServer);
        assertThat(harness.process(version1).placements()).hasSize(1);

        Instance completed = Instances.instance(version1, "work", 0).state(InstanceState.COMPLETE)
                .createTime(harness.clock.advance(Duration.ofMinutes(1))).build();
        harness.cluster.add(completed);
        assertThat(harness.process(version1).placements()).isEmpty();
        Job countOnly = Jobs.job("report").type(JobType.BATCH).version(2).group(Jobs.group("work").count(1)).build();
        assertThat(harness.process(countOnly).placements()).isEmpty();
        Job changed = Jobs.job("report").type(JobType.BATCH).version(3)
                .group(Jobs.group("work").task(Jobs.task("server").command("/bin/true"))).build();
        assertThat(harness.process(changed).placements()).singleElement()
                .extracting(Instance::previousInstanceId).isEqualTo(completed.id());
    }

    @Test
    void aCompletedServiceInstanceIsReplaced() {
        harness.cluster.add(Nodes.nodes("n", 1));
        Job job = hello(1);
        Instance complete = Instances.instance(job, "web", 0).state(InstanceState.COMPLETE).build();
        harness.cluster.add(complete);

        Plan plan = harness.process(job);

        assertThat(plan.placements()).singleElement().extracting(Instance::previousInstanceId).isEqualTo(complete.id());
    }

    @Test
    void aReplacementDoesNotCountOnResourcesTheOldInstanceStillHolds() {
        // The old instance holds its resources until its process has exited, so the new one waits rather than
        // over-committing the node; the stop goes out anyway so that the update makes progress.
        harness.cluster.add(Nodes.node("n1").cpu("1").build());
        Job version1 = Jobs.job("hello").group(Jobs.group("web").task(Jobs.task("server").cpu("1"))).build();
        harness.cluster.register(version1);
        Instance old = Instances.instance(version1, "web", 0).node("n1").build();
        harness.cluster.add(old);
        Job version2 = Jobs.job("hello").version(2)
                .group(Jobs.group("web").task(Jobs.task("server").cpu("1").env("MODE", "new"))).build();

        Plan plan = harness.processAndApply(version2);

        assertThat(plan.stops()).containsExactly(new InstanceStop(old.id(), "replaced by version 2"));
        assertThat(plan.failures()).singleElement().satisfies(failure ->
                assertThat(failure.summary()).isEqualTo("1 node: insufficient cpu"));

        harness.cluster.finishStopped(harness.clock.instant());
        Plan retry = harness.process(version2);
        assertThat(retry.placements()).singleElement().satisfies(instance -> {
            assertThat(instance.index()).isZero();
            assertThat(instance.previousInstanceId()).isEqualTo(old.id());
        });
    }

    @Test
    void repeatedEvaluationsConverge() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = Jobs.job("hello").group(Jobs.group("web").count(5)).build();

        assertThat(harness.processAndApply(job).placements()).hasSize(5);
        assertThat(harness.processAndApply(job).isEmpty()).isTrue();
        Job scaled = Jobs.job("hello").version(2).group(Jobs.group("web").count(2)).build();
        assertThat(harness.processAndApply(scaled).stops()).hasSize(3);
        assertThat(harness.processAndApply(scaled).isEmpty()).isTrue();
        assertThat(harness.cluster.liveInstancesOfJob(job.id())).extracting(Instance::index).containsExactlyInAnyOrder(0, 1);
    }
}
