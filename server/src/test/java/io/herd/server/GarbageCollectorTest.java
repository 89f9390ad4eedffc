package io.herd.server;

import io.herd.api.Instance;
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
    private final FakeClock clock = new FakeClock();
    private final ClusterState state = new ClusterState();
    private long index;

    @Test
    void keepsTheNewestTerminalInstancesOfEachIndexAndEverythingLive() {
        Job job = Jobs.job("crash").group(Jobs.group("web").count(1)).build();
        state.apply(++index, new UpsertNode(Nodes.node("n1").build(), "c0", clock.instant()));
        state.apply(++index, new RegisterJob(job, "e0", clock.instant()));
        List<String> failed = new ArrayList<>();
        for (int attempt = 0; attempt < GarbageCollector.TERMINAL_INSTANCES_KEPT + 5; attempt++) {
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
        assertThat(state.view().instancesOfJob(job.id())).hasSize(GarbageCollector.TERMINAL_INSTANCES_KEPT + 1);
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

    private void place(Job job, Instance instance) {
        String evaluationId = "place-" + instance.id();
        state.apply(++index, new ApplyPlan(new Plan(evaluationId, job.id(), 1, List.of(instance), List.of(), List.of()),
                false, "p-" + instance.id(), clock.instant()));
    }
}
