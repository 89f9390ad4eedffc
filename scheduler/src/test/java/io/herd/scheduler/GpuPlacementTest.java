package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GpuPlacementTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static Job gpuJob(String name, int count, String gpu) {
        return Jobs.job(name).app("ml").group(Jobs.group("train").count(count)
                .task(Jobs.task("main").cpu("1").memory("1Gi").gpu(gpu))).build();
    }

    @Test
    void wholeGpusTakeWholeFreeDevicesAndNeverTheSameTwice() {
        harness.cluster.add(Nodes.node("g1").cpu("32").memory("64Gi").gpus(4, "V100").build());

        Plan plan = harness.processAndApply(gpuJob("big", 2, "2"));

        assertThat(plan.failures()).isEmpty();
        assertThat(plan.placements()).extracting(Instance::gpuDevices)
                .containsExactlyInAnyOrder(List.of(0, 1), List.of(2, 3));
        Plan more = harness.process(gpuJob("more", 1, "1"));
        assertThat(more.placements()).isEmpty();
        assertThat(more.failures().getFirst().reasons()).containsEntry("insufficient gpu", 1);
    }

    @Test
    void aWholeGpuRequestSkipsADevicePartlyTakenByAShare() {
        Node node = Nodes.node("g1").cpu("32").memory("64Gi").gpus(2, "T4").build();
        Job share = gpuJob("share", 1, "0.25");
        harness.cluster.add(node).add(Instances.instance(share, "train", 0).node(node).gpuDevices(0).build());

        Plan plan = harness.process(gpuJob("whole", 1, "1"));

        assertThat(plan.placements()).singleElement().extracting(Instance::gpuDevices).isEqualTo(List.of(1));
        assertThat(harness.process(gpuJob("two", 1, "2")).failures()).singleElement()
                .satisfies(failure -> assertThat(failure.reasons()).containsEntry("insufficient gpu", 1));
    }

    @Test
    void sharesPackOntoTheFullestDeviceThatStillFits() {
        Node node = Nodes.node("g1").cpu("32").memory("64Gi").gpus(3, "T4").build();
        Job existing = gpuJob("existing", 2, "0.5");
        harness.cluster.add(node)
                .add(Instances.instance(existing, "train", 0).node(node).gpuDevices(1).build())
                .add(Instances.instance(existing, "train", 1).node(node).resources(
                        existing.groups().getFirst().resources().withGpu(800, null)).gpuDevices(2).build());

        Plan plan = harness.process(gpuJob("small", 1, "0.2"));
        Plan larger = harness.process(gpuJob("larger", 1, "0.3"));

        // Device 2 has 200 free: the 0.2 share fills it exactly; 0.3 fits only device 1 (500 free) before the empty 0.
        assertThat(plan.placements().getFirst().gpuDevices()).containsExactly(2);
        assertThat(larger.placements().getFirst().gpuDevices()).containsExactly(1);
    }

    @Test
    void sharesNeverSpanDevices() {
        harness.cluster.add(Nodes.node("g1").cpu("32").memory("64Gi").gpus(2, "T4").build());

        Plan plan = harness.processAndApply(gpuJob("shares", 4, "0.6"));

        // 0.6 + 0.6 would exceed one device: one share per device, the other two wait.
        assertThat(plan.placements()).hasSize(2).extracting(Instance::gpuDevices)
                .containsExactlyInAnyOrder(List.of(0), List.of(1));
        assertThat(plan.failures().getFirst().unplaced()).isEqualTo(2);
    }

    @Test
    void theModelConstraintPicksDevicesOfThatModelOnly() {
        Node t4 = Nodes.node("a-t4").cpu("32").memory("64Gi").gpus(2, "T4").build();
        Node mixed = Nodes.node("b-mixed").cpu("32").memory("64Gi").gpus(1, "T4").gpus(1, "V100").build();
        Node plain = Nodes.node("c-plain").cpu("32").memory("64Gi").build();
        harness.cluster.add(t4, mixed, plain);
        Job job = Jobs.job("v100").app("ml").group(Jobs.group("train").count(2)
                .task(Jobs.task("main").cpu("1").memory("1Gi").gpu("1").gpuModel("V100"))).build();

        Plan plan = harness.process(job);

        assertThat(plan.placements()).singleElement().satisfies(instance -> {
            assertThat(instance.nodeId()).isEqualTo("b-mixed");
            assertThat(instance.gpuDevices()).containsExactly(1);
        });
        assertThat(plan.failures().getFirst().reasons())
                .containsEntry("no gpu of model V100", 1)
                .containsEntry("no gpus", 1)
                .containsEntry("insufficient gpu", 1);
    }

    @Test
    void instancesWithoutGpusKeepOffGpuNodesWhileOtherNodesHaveRoom() {
        harness.cluster.add(Nodes.node("a-gpu").gpus(4, "T4").build(), Nodes.node("b-plain").build());
        Job web = Jobs.job("web").group(Jobs.group("web").count(2).task(Jobs.task("main").cpu("500m"))).build();

        Plan plan = harness.process(web);

        assertThat(plan.placements()).extracting(Instance::nodeId).containsOnly("b-plain");
    }

    @Test
    void nodeFitRefusesADeviceGivenTwiceOrPastItsThousandMilliGpus() {
        Node node = Nodes.node("g1").cpu("32").memory("64Gi").gpus(1, "T4").build();
        Job shares = gpuJob("shares", 2, "0.6");
        Instance first = Instances.instance(shares, "train", 0).node(node).gpuDevices(0).build();
        Instance second = Instances.instance(shares, "train", 1).node(node).gpuDevices(0).build();
        Instance nowhere = Instances.instance(shares, "train", 1).node(node).gpuDevices(7).build();

        assertThat(NodeFit.check(node, List.of(first), List.of(second))).contains("insufficient gpu");
        assertThat(NodeFit.check(node, List.of(), List.of(nowhere))).get().asString().contains("does not exist");
        assertThat(NodeFit.check(node, List.of(), List.of(first))).isEmpty();
    }
}
