package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PreemptionTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static Job job(String name, int priority, int count, String cpu) {
        return Jobs.job(name).app("demo").type(JobType.SERVICE).priority(priority)
                .group(Jobs.group("g").count(count).task(Jobs.task("main").cpu(cpu).memory("128Mi"))).build();
    }

    private Instance running(Job job, int index, Node node) {
        harness.cluster.register(job);
        Instance instance = Instances.instance(job, "g", index).node(node).build();
        harness.cluster.add(instance);
        return instance;
    }

    @Test
    void aProductionInstanceEvictsTheLowestPriorityVictimsAndIsPlacedInTheSamePlan() {
        Node node = Nodes.node("n1").cpu("4").build();
        harness.cluster.add(node);
        Instance bestEffort = running(job("scavenger", 10, 1, "2"), 0, node);
        Instance batch = running(job("nightly", 150, 1, "2"), 0, node);

        Plan plan = harness.process(job("checkout", 200, 1, "2"));

        assertThat(plan.failures()).isEmpty();
        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n1");
        assertThat(plan.preemptions()).containsExactly(
                new InstanceStop(bestEffort.id(), "Preempted by demo/checkout.g[0]"));
        assertThat(batch.id()).isNotIn(plan.preemptions().stream().map(InstanceStop::instanceId).toList());
    }

    @Test
    void ofEqualPriorityTheFewestInstancesAreEvicted() {
        Node node = Nodes.node("n1").cpu("4").build();
        harness.cluster.add(node);
        Job small = job("small", 50, 2, "1");
        running(small, 0, node);
        running(small, 1, node);
        Instance large = running(job("large", 50, 1, "2"), 0, node);

        Plan plan = harness.process(job("prod", 250, 1, "2"));

        assertThat(plan.preemptions()).extracting(InstanceStop::instanceId).containsExactly(large.id());
    }

    @Test
    void theCheapestNodeIsChosen() {
        Node batchNode = Nodes.node("a").cpu("2").build();
        Node bestEffortNode = Nodes.node("b").cpu("2").build();
        harness.cluster.add(batchNode, bestEffortNode);
        running(job("batchy", 120, 1, "2"), 0, batchNode);
        Instance scavenger = running(job("scavenger", 5, 1, "2"), 0, bestEffortNode);

        Plan plan = harness.process(job("prod", 200, 1, "1"));

        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("b");
        assertThat(plan.preemptions()).extracting(InstanceStop::instanceId).containsExactly(scavenger.id());
    }

    @Test
    void productionNeverPreemptsProduction() {
        Node node = Nodes.node("n1").cpu("2").build();
        harness.cluster.add(node);
        running(job("other-prod", 200, 1, "2"), 0, node);

        Plan plan = harness.process(job("prod", 299, 1, "1"));

        assertThat(plan.preemptions()).isEmpty();
        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.preemptibleNodes()).isZero();
            assertThat(failure.preemptionSummary()).hasValueSatisfying(text ->
                assertThat(text).contains("no lower-priority instances to preempt"));
        });
    }

    @Test
    void anEqualBandIsNeverPreemptedAndBestEffortPreemptsNothing() {
        Node node = Nodes.node("n1").cpu("2").build();
        harness.cluster.add(node);
        running(job("batch-a", 100, 1, "2"), 0, node);

        assertThat(harness.process(job("batch-b", 199, 1, "1")).preemptions()).isEmpty();
        assertThat(harness.process(job("scavenger", 99, 1, "1")).preemptions()).isEmpty();
    }

    @Test
    void systemMayPreemptProduction() {
        Node node = Nodes.node("n1").cpu("2").build();
        harness.cluster.add(node);
        Instance prod = running(job("prod", 250, 1, "2"), 0, node);

        Plan plan = harness.process(job("agent-daemon", 300, 1, "1"));

        assertThat(plan.preemptions()).extracting(InstanceStop::instanceId).containsExactly(prod.id());
    }

    @Test
    void gpuRequestsPreemptTheInstancesHoldingTheDevices() {
        Node node = Nodes.node("g").cpu("32").memory("64Gi").gpus(2, "V100").build();
        harness.cluster.add(node);
        Job shares = Jobs.job("notebooks").app("demo").priority(20).group(Jobs.group("g").count(2)
                .task(Jobs.task("main").cpu("1").memory("1Gi").gpu("0.5"))).build();
        harness.cluster.register(shares);
        Instance onZero = Instances.instance(shares, "g", 0).node(node).gpuDevices(0).build();
        Instance onOne = Instances.instance(shares, "g", 1).node(node).gpuDevices(1).build();
        harness.cluster.add(onZero, onOne);
        Job training = Jobs.job("training").app("demo").priority(200).group(Jobs.group("g").count(1)
                .task(Jobs.task("main").cpu("1").memory("1Gi").gpu("1"))).build();

        Plan plan = harness.process(training);

        assertThat(plan.preemptions()).hasSize(1);
        String victim = plan.preemptions().getFirst().instanceId();
        assertThat(plan.placements().getFirst().gpuDevices())
                .containsExactly(victim.equals(onZero.id()) ? 0 : 1);
    }

    @Test
    void severalPlacementsNeverPickTheSameVictimTwice() {
        Node node = Nodes.node("n1").cpu("4").build();
        harness.cluster.add(node);
        Job filler = job("filler", 10, 4, "1");
        for (int index = 0; index < 4; index++) {
            running(filler, index, node);
        }

        Plan plan = harness.process(job("prod", 200, 3, "1"));

        assertThat(plan.placements()).hasSize(3);
        assertThat(plan.preemptions()).hasSize(3).extracting(InstanceStop::instanceId).doesNotHaveDuplicates();
        assertThat(PlanCheck.check(plan, harness.cluster).rejections()).isEmpty();
    }

    @Test
    void theSameSeedGivesTheSamePlanWithPreemptions() {
        Node node = Nodes.node("n1").cpu("4").build();
        harness.cluster.add(node);
        running(job("filler", 10, 1, "4"), 0, node);
        Job prod = job("prod", 200, 2, "1");
        harness.cluster.register(prod);
        var evaluation = io.herd.api.Evaluation.pending("e", prod.id(), io.herd.api.EvaluationTrigger.JOB_REGISTER,
                harness.clock.instant());
        Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);

        Plan first = scheduler.process(evaluation, prod, harness.cluster, harness.clock.instant(), new SplittableRandom(3));
        Plan second = scheduler.process(evaluation, prod, harness.cluster, harness.clock.instant(), new SplittableRandom(3));

        assertThat(first.preemptions()).hasSize(1);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void thePlanCheckRefusesAPreemptionOfAVictimWhoseJobMovedToAHigherBand() {
        Node node = Nodes.node("n1").cpu("2").build();
        harness.cluster.add(node);
        Job victimJob = job("victim", 50, 1, "2");
        running(victimJob, 0, node);
        Plan plan = harness.process(job("prod", 200, 1, "1"));
        assertThat(plan.preemptions()).hasSize(1);

        // The victim's job version is re-registered at production priority before the plan is applied.
        harness.cluster.register(Jobs.job("victim").app("demo").version(victimJob.version()).priority(200)
                .group(Jobs.group("g").count(1).task(Jobs.task("main").cpu("2").memory("128Mi"))).build());

        PlanCheck.Result check = PlanCheck.check(plan, harness.cluster);
        assertThat(check.accepted().placements()).isEmpty();
        assertThat(check.accepted().preemptions()).isEmpty();
        assertThat(check.rejections()).containsKey("n1");
    }
}
