package io.herd.bench;

import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Resources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Reads the real trace in shared/data/openb (beside the repository), as its README describes it. */
class OpenbTraceTest {
    private static OpenbTrace trace;

    @BeforeAll
    static void readTrace() {
        Optional<Path> directory = OpenbTrace.locate(null);
        assumeTrue(directory.isPresent(), "the openb trace (shared/data/openb) is not beside this checkout");
        trace = OpenbTrace.read(directory.get());
    }

    @Test
    void hasEveryNodeAndPodOfTheReadme() {
        assertThat(trace.nodes()).hasSize(1523);
        assertThat(trace.pods()).hasSize(8152);
        assertThat(trace.nodes().stream().mapToInt(OpenbTrace.TraceNode::gpus).sum()).isEqualTo(6212);
    }

    @Test
    void readsEveryFieldOfANodeAndAPod() {
        assertThat(trace.nodes().getFirst())
                .isEqualTo(new OpenbTrace.TraceNode("openb-node-0000", 32_000, 262_144, 0, ""));
        assertThat(trace.nodes()).anySatisfy(node -> {
            assertThat(node.gpus()).isPositive();
            assertThat(node.gpuModel()).isNotEmpty();
        });
        assertThat(trace.pods().getFirst()).isEqualTo(new OpenbTrace.TracePod("openb-pod-0000", 12_000, 16_384, 1,
                1000, List.of(), "LS", "Running", 0, 12_537_496L, 0L));
        // A share of one GPU: num_gpu 1 and gpu_milli 460.
        OpenbTrace.TracePod shared = trace.pods().get(1);
        assertThat(shared.numGpu()).isEqualTo(1);
        assertThat(shared.gpuMilli()).isEqualTo(460);
        assertThat(shared.gpuDemand()).isEqualTo(0.46);
    }

    @Test
    void podsAreInCreationOrder() {
        List<OpenbTrace.TracePod> pods = trace.pods();
        for (int i = 1; i < pods.size(); i++) {
            assertThat(pods.get(i).creationTime()).isGreaterThanOrEqualTo(pods.get(i - 1).creationTime());
        }
    }

    @Test
    void becomesHerdNodesWithGpuDevicesAndOneInstanceJobsAskingForGpus() {
        List<Node> nodes = trace.herdNodes();
        List<Job> jobs = trace.jobs();

        assertThat(nodes.getFirst().capacity()).isEqualTo(new Resources(32_000, 262_144L << 20, 0));
        assertThat(nodes.getFirst().labels()).containsEntry("gpu", "0");
        assertThat(jobs).hasSize(8152);
        Job first = jobs.getFirst();
        assertThat(first.id()).isEqualTo("openb/openb-pod-0000");
        assertThat(first.groups()).singleElement().satisfies(group -> {
            assertThat(group.count()).isEqualTo(1);
            assertThat(group.resources()).isEqualTo(new Resources(12_000, 16_384L << 20, 0, 1000, null));
        });
        // The second pod asks for 460 milli-GPUs: a share of one device.
        assertThat(jobs.get(1).groups().getFirst().resources().gpuMillis()).isEqualTo(460);
        assertThat(jobs.get(1).groups().getFirst().resources().isGpuShare()).isTrue();
        int gpus = nodes.stream().mapToInt(node -> node.gpus().size()).sum();
        assertThat(gpus).isEqualTo(6212);
        assertThat(nodes).filteredOn(node -> !node.gpus().isEmpty()).allSatisfy(node ->
                assertThat(node.gpus().getFirst().model()).isEqualTo(node.labels().get("gpu_model")));
        long cpu = jobs.stream().mapToLong(job -> job.groups().getFirst().resources().cpuMillis()).sum();
        long capacity = nodes.stream().mapToLong(node -> node.capacity().cpuMillis()).sum();
        // The README: the pods ask for about 68% of the cluster's cpu.
        assertThat((double) cpu / capacity).isBetween(0.67, 0.69);
    }
}
