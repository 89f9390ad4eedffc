package io.herd.server;

import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.NodeDrain;
import io.herd.api.Plan;
import io.herd.state.ApplyPlan;
import io.herd.state.ClusterState;
import io.herd.state.Command;
import io.herd.state.CompleteNodeDrain;
import io.herd.state.NodeDrainDeadline;
import io.herd.state.RegisterJob;
import io.herd.state.SetNodeDrain;
import io.herd.state.UpdateInstances;
import io.herd.state.UpsertNode;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeDrainerTest {
    private final FakeClock clock = new FakeClock();
    private final ClusterState state = new ClusterState();
    private long index;

    private void apply(Command command) {
        state.apply(++index, command);
    }

    private List<Command> due() {
        return NodeDrainer.due(state.view(), clock.instant());
    }

    @Test
    void theDeadlineStopsWhatIsLeftOnceAndAnEmptyNodeIsDrained() {
        Job job = Jobs.job("report").group(Jobs.group("run").count(1)).build();
        apply(new UpsertNode(Nodes.node("n1").build(), "c0", clock.instant()));
        apply(new UpsertNode(Nodes.node("n2").build(), "c1", clock.instant()));
        apply(new RegisterJob(job, "e0", clock.instant()));
        Instance instance = Instances.instance(job, "run", 0).id("i1").node("n1").state(InstanceState.PENDING).build();
        apply(new ApplyPlan(new Plan("e0", job.id(), job.version(), List.of(instance), List.of(), List.of()), false,
                "p0", clock.instant()));
        assertThat(due()).as("nothing drains").isEmpty();

        apply(new SetNodeDrain("n1", new NodeDrain(clock.instant(), clock.instant().plus(Duration.ofMinutes(1)), false),
                "d0", clock.instant()));
        assertThat(due()).as("before the deadline, with an instance left").isEmpty();

        clock.advance(Duration.ofMinutes(1));
        assertThat(due()).singleElement().isInstanceOf(NodeDrainDeadline.class);
        due().forEach(this::apply);
        assertThat(due()).as("the deadline is enforced once; the instance is still stopping").isEmpty();

        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.COMPLETE, null, Map.of())),
                "u0", clock.instant()));
        assertThat(due()).singleElement().isInstanceOf(CompleteNodeDrain.class);
        due().forEach(this::apply);
        assertThat(state.view().node("n1").orElseThrow().isDraining()).isFalse();
        assertThat(due()).isEmpty();
    }
}
