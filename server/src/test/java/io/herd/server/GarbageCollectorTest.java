package io.herd.server;

import io.herd.api.GcPolicy;
import io.herd.api.Instance;
import io.herd.api.JobType;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.state.ApplyPlan;
import io.herd.state.ClusterState;
import io.herd.state.DeregisterJob;
import io.herd.state.GarbageCollect;
import io.herd.state.RegisterJob;
import io.herd.state.UpdateInstances;
import io.herd.state.UpsertNode;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GarbageCollectorTest {
    private static final int KEPT_BY_DEFAULT = GcPolicy.CLUSTER_DEFAULT.keepFinished();
    private final FakeClock clock = new FakeClock();
    private final ClusterState state = new ClusterState();
    private long index;

    @Test
    void keepsTheNewestTerminalInstancesOfEachIndexAndEverythingLive() {
        Job job = Jobs.job("crash").group(Jobs.group("web").count(1)).build();
        state.apply(++index, new UpsertNode(Nodes.node("n1").build(), "c0", clock.instant()));
        state.apply(++index, new RegisterJob(job, "e0", clock.instant()));
        List<String> failed = new ArrayList<>();
        for (int attempt = 0; attempt < KEPT_BY_DEFAULT + 5; attempt++) {
            Instance instance = Instances.instance(job, "web", 0).id("i" + attempt).node("n1")
                    .state(InstanceState.PENDING).createTime(clock.instant()).build();
            place(job, instance);
            clock.advance(Duration.ofSeconds(1));
            state.apply(++index, new UpdateInstances("n1", List.of(new InstanceStatusUpdate(instance.id(),
                    InstanceState.FAILED, "exit 1", Map.of())), "u" + attempt, clock.instant()));
            failed.add(instance.id());
        }
        Instance live = Instances.instance(job, "web", 0).id("live").node("n1").state(InstanceState.PENDING).build();
        place(job, live);

        GarbageCollect garbage = GarbageCollector.garbage(state.view(), clock);

        assertThat(garbage.instanceIds()).containsExactlyInAnyOrderElementsOf(failed.subList(0, 5));
        state.apply(++index, garbage);
        assertThat(state.view().instancesOfJob(job.id())).hasSize(KEPT_BY_DEFAULT + 1);
        assertThat(GarbageCollector.garbage(state.view(), clock).instanceIds()).isEmpty();
    }

    @Test
    void instancesOfAPurgedJobGoOnceTerminal() {
        Job job = Jobs.job("gone").group(Jobs.group("web").count(2)).build();
        state.apply(++index, new UpsertNode(Nodes.node("n1").build(), "c0", clock.instant()));
        state.apply(++index, new RegisterJob(job, "e0", clock.instant()));
        Instance done = Instances.instance(job, "web", 0).id("done").node("n1").state(InstanceState.PENDING).build();
        Instance stopping = Instances.instance(job, "web", 1).id("stopping").node("n1").state(InstanceState.PENDING).build();
        place(job, done);
        place(job, stopping);
        state.apply(++index, new UpdateInstances("n1", List.of(new InstanceStatusUpdate("done", InstanceState.COMPLETE,
                "stopped", Map.of())), "u1", clock.instant()));
        state.apply(++index, new DeregisterJob(job.id(), true, "e9", clock.instant()));

        assertThat(GarbageCollector.garbage(state.view(), clock).instanceIds()).containsExactly("done");
    }

    @Test
    void finishedEvaluationsOfAJobThatIsGoneAllGo() {
        Job job = Jobs.job("gone").group(Jobs.group("web").count(1)).build();
        state.apply(++index, new RegisterJob(job, "e0", clock.instant()));
        state.apply(++index, new ApplyPlan(new Plan("e0", job.id(), 1, List.of(), List.of(), List.of()), false, "p0",
                clock.instant()));
        assertThat(GarbageCollector.garbage(state.view(), clock).evaluationIds()).as("the job still exists").isEmpty();

        state.apply(++index, new DeregisterJob(job.id(), true, "e9", clock.instant()));

        // e9, the purge's own evaluation, is still pending: only finished ones go.
        assertThat(GarbageCollector.garbage(state.view(), clock).evaluationIds()).containsExactly("e0");
    }

    /** Registers {@code job} and runs {@code runs} instances of its index 0 to {@code end}, one second apart. */
    private List<String> runs(Job job, int runs, InstanceState end) {
        state.apply(++index, new UpsertNode(Nodes.node("n1").build(), "c0", clock.instant()));
        state.apply(++index, new RegisterJob(job, "e0", clock.instant()));
        List<String> ids = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            Instance instance = Instances.instance(job, "web", 0).id("run" + run).node("n1")
                    .state(InstanceState.PENDING).createTime(clock.instant()).build();
            place(job, instance);
            clock.advance(Duration.ofSeconds(1));
            state.apply(++index, new UpdateInstances("n1", List.of(new InstanceStatusUpdate(instance.id(), end,
                    "exit", Map.of())), "u" + run, clock.instant()));
            ids.add(instance.id());
        }
        return ids;
    }

    @Test
    void aJobsOwnPolicyKeepsItsNewestFinishedInstancesPerIndex() {
        Job job = Jobs.job("crash").gc(2, null).build();
        List<String> failed = runs(job, 5, InstanceState.FAILED);
        place(job, Instances.instance(job, "web", 0).id("live").node("n1").state(InstanceState.PENDING).build());

        GarbageCollect garbage = GarbageCollector.garbage(state.view(), clock, new GcPolicy(10, null));

        assertThat(garbage.instanceIds()).containsExactlyInAnyOrderElementsOf(failed.subList(0, 3));
    }

    @Test
    void theClusterDefaultAppliesToWhatTheJobLeavesOut() {
        Job job = Jobs.job("crash").gc(null, Duration.ofHours(1)).build();
        List<String> failed = runs(job, 5, InstanceState.FAILED);
        place(job, Instances.instance(job, "web", 0).id("live").node("n1").state(InstanceState.PENDING).build());

        // keep_finished from the default (3), keep_for from the job: all are younger than an hour.
        assertThat(GarbageCollector.garbage(state.view(), clock, new GcPolicy(3, Duration.ofMinutes(1)))
                .instanceIds()).containsExactlyInAnyOrderElementsOf(failed.subList(0, 2));
        clock.advance(Duration.ofMinutes(59).plusSeconds(58).plusMillis(500));
        // Now run0..run2 ended more than an hour ago; run3 and run4 not.
        assertThat(GarbageCollector.garbage(state.view(), clock, new GcPolicy(3, Duration.ofMinutes(1)))
                .instanceIds()).containsExactlyInAnyOrderElementsOf(failed.subList(0, 3));
    }

    @Test
    void theNewestFinishedInstanceOfAnIndexWithoutALiveOneIsKeptWhateverThePolicy() {
        // A batch index that completed: without its instance the scheduler would run it again.
        Job job = Jobs.job("report").type(JobType.BATCH).gc(0, Duration.ofMinutes(1)).build();
        List<String> completed = runs(job, 3, InstanceState.COMPLETE);
        clock.advance(Duration.ofHours(2));

        assertThat(GarbageCollector.garbage(state.view(), clock).instanceIds())
                .containsExactlyInAnyOrderElementsOf(completed.subList(0, 2));

        // Once the job is purged, nothing is kept.
        state.apply(++index, new DeregisterJob(job.id(), true, "e9", clock.instant()));
        assertThat(GarbageCollector.garbage(state.view(), clock).instanceIds())
                .containsExactlyInAnyOrderElementsOf(completed);
    }

    @Test
    void keepFinishedZeroRemovesEveryFinishedInstanceOfAnIndexThatRunsAgain() {
        Job job = Jobs.job("crash").gc(0, null).build();
        List<String> failed = runs(job, 3, InstanceState.FAILED);
        place(job, Instances.instance(job, "web", 0).id("live").node("n1").state(InstanceState.PENDING).build());

        assertThat(GarbageCollector.garbage(state.view(), clock).instanceIds())
                .containsExactlyInAnyOrderElementsOf(failed);
    }

    private void place(Job job, Instance instance) {
        String evaluationId = "place-" + instance.id();
        state.apply(++index, new ApplyPlan(new Plan(evaluationId, job.id(), 1, List.of(instance), List.of(), List.of()),
                false, "p-" + instance.id(), clock.instant()));
    }
}
