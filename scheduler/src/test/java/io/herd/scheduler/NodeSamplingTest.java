package io.herd.scheduler;

import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Relaxed randomization ({@link NodeSample}) and the allocations views keep between evaluations. */
class NodeSamplingTest {
    private static final SchedulerConfig NO_SAMPLING = SchedulerConfig.DEFAULT.withSampleNodes(false);

    private static Job oneOff(String name, String cpu) {
        return Jobs.job(name).group(Jobs.group("main").count(1).task(Jobs.task("main").cpu(cpu).memory("256Mi")))
                .build();
    }

    private static List<Node> nodes(int count) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            nodes.add(Nodes.node("n%04d".formatted(i)).build());
        }
        return nodes;
    }

    @Test
    void sampleSizeIsEveryNodeOnSmallCellsThenAShrinkingShareWithAFloor() {
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 10)).isEqualTo(10);
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 300)).isEqualTo(300);
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 301)).isEqualTo(300); // 48% of 301 is under the floor
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 1_523)).isEqualTo(578); // 38%
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 5_000)).isEqualTo(500); // 10%
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 10_000)).isEqualTo(500); // 5%, the lowest share
        assertThat(NodeSample.size(SchedulerConfig.DEFAULT, 100_000)).isEqualTo(5_000);
        assertThat(NodeSample.size(NO_SAMPLING, 10_000)).isEqualTo(10_000);
    }

    @Test
    void oneOffPlacementsOnALargeCellLandOnSeveralNodesAndTheSameSeedGivesTheSamePlan() {
        Set<String> sampledChoices = new HashSet<>();
        Set<String> fullChoices = new HashSet<>();
        for (long seed = 1; seed <= 10; seed++) {
            sampledChoices.add(place(SchedulerConfig.DEFAULT, seed, oneOff("web", "1")).nodeId());
            fullChoices.add(place(NO_SAMPLING, seed, oneOff("web", "1")).nodeId());
            assertThat(planOn(SchedulerConfig.DEFAULT, seed, oneOff("web", "1")))
                    .isEqualTo(planOn(SchedulerConfig.DEFAULT, seed, oneOff("web", "1")));
        }
        // Identical empty nodes: scoring all of them always picks the smallest id; a sample starts anywhere.
        assertThat(fullChoices).containsExactly("n0000");
        assertThat(sampledChoices).hasSizeGreaterThan(1);
    }

    @Test
    void theOnlyNodeThatFitsIsFoundAndWhenNoneFitsEveryNodeIsCountedInTheReasons() {
        SchedulerHarness harness = new SchedulerHarness();
        List<Node> nodes = new ArrayList<>(nodes(999));
        nodes.add(Nodes.node("z-big").cpu("64").build());
        harness.cluster.add(nodes);

        Plan fits = harness.process(oneOff("big", "32"));
        Plan fitsNowhere = harness.process(oneOff("huge", "100"));

        assertThat(fits.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("z-big");
        assertThat(fitsNowhere.placements()).isEmpty();
        assertThat(fitsNowhere.failures()).singleElement()
                .satisfies(failure -> assertThat(failure.reasons()).containsEntry("insufficient cpu", 1_000));
    }

    @Test
    void gpuRequestsAndSpreadGroupsScoreEveryNode() {
        for (long seed = 1; seed <= 5; seed++) {
            SchedulerHarness harness = new SchedulerHarness().seed(seed);
            List<Node> gpuNodes = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                gpuNodes.add(Nodes.node("g%04d".formatted(i)).cpu("16").memory("64Gi").gpus(4, "T4").build());
            }
            harness.cluster.add(gpuNodes);
            Job gpu = Jobs.job("train").group(Jobs.group("main").count(1)
                    .task(Jobs.task("main").cpu("1").memory("1Gi").gpu("1"))).build();
            assertThat(harness.process(gpu).placements()).singleElement().extracting(Instance::nodeId)
                    .isEqualTo("g0000");

            SchedulerHarness spread = new SchedulerHarness().seed(seed);
            spread.cluster.add(nodes(400));
            Job spreadJob = Jobs.job("web").group(Jobs.group("main").count(1).spread("node.name")
                    .task(Jobs.task("main").cpu("1").memory("256Mi"))).build();
            assertThat(spread.process(spreadJob).placements()).singleElement().extracting(Instance::nodeId)
                    .isEqualTo("n0000");
        }
    }

    @Test
    void aViewThatKeepsAllocationsAndTheirRememberedScoresPlansExactlyAsAFreshOne() {
        SplittableRandom shapes = new SplittableRandom(5);
        InMemoryCluster fresh = new InMemoryCluster();
        InMemoryCluster backing = new InMemoryCluster();
        KeepingAllocations keeping = new KeepingAllocations(backing);
        List<Node> cell = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            cell.add(Nodes.node("n%02d".formatted(i)).cpu(String.valueOf(4 + i % 3 * 4))
                    .memory((8 + i % 2 * 8) + "Gi").gpus(i % 4 == 0 ? 2 : 0, "T4").build());
        }
        fresh.add(cell);
        backing.add(cell);
        Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
        String[] cpus = {"250m", "500m", "1", "2"};
        String[] gpus = {null, null, "1", "0.5"};
        for (int round = 0; round < 120; round++) {
            String gpu = gpus[shapes.nextInt(gpus.length)];
            var task = Jobs.task("main").cpu(cpus[shapes.nextInt(cpus.length)]).memory("512Mi");
            if (gpu != null) {
                task = task.gpu(gpu);
            }
            Job job = Jobs.job("job" + round).group(Jobs.group("main").count(1 + shapes.nextInt(3)).task(task))
                    .build();
            fresh.register(job);
            backing.register(job);
            var evaluation = io.herd.api.Evaluation.pending("eval-" + round, job.id(),
                    io.herd.api.EvaluationTrigger.JOB_REGISTER, io.herd.testkit.FakeClock.DEFAULT_START);
            Plan expected = scheduler.process(evaluation, job, fresh, io.herd.testkit.FakeClock.DEFAULT_START,
                    new SplittableRandom(round));
            Plan actual = scheduler.process(evaluation, job, keeping, io.herd.testkit.FakeClock.DEFAULT_START,
                    new SplittableRandom(round));
            assertThat(actual).isEqualTo(expected);
            fresh.apply(expected, io.herd.testkit.FakeClock.DEFAULT_START);
            backing.apply(actual, io.herd.testkit.FakeClock.DEFAULT_START);
        }
        assertThat(keeping.reused).isGreaterThan(keeping.replaced);
    }

    private static Instance place(SchedulerConfig config, long seed, Job job) {
        return planOn(config, seed, job).placements().getFirst();
    }

    private static Plan planOn(SchedulerConfig config, long seed, Job job) {
        SchedulerHarness harness = new SchedulerHarness().config(config).seed(seed);
        harness.cluster.add(nodes(1_000));
        return harness.process(job);
    }

    /** As the server's cache: a node's allocation is kept until its instances change. */
    private static final class KeepingAllocations implements ClusterView {
        private final InMemoryCluster cluster;
        private final Map<String, List<Instance>> instancesSeen = new HashMap<>();
        private final Map<String, NodeAllocation> kept = new HashMap<>();
        int reused;
        int replaced;

        KeepingAllocations(InMemoryCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public List<NodeAllocation> allocations() {
            List<NodeAllocation> allocations = new ArrayList<>();
            cluster.nodes().stream().sorted(java.util.Comparator.comparing(Node::id)).forEach(node -> {
                List<Instance> instances = cluster.instancesOnNode(node.id());
                if (instances.equals(instancesSeen.get(node.id()))) {
                    reused++;
                } else {
                    replaced++;
                    instancesSeen.put(node.id(), instances);
                    kept.put(node.id(), NodeAllocation.of(node, instances));
                }
                allocations.add(kept.get(node.id()));
            });
            return allocations;
        }

        @Override
        public java.util.Collection<Node> nodes() {
            return cluster.nodes();
        }

        @Override
        public java.util.Optional<Node> node(String nodeId) {
            return cluster.node(nodeId);
        }

        @Override
        public List<Instance> instancesOnNode(String nodeId) {
            return cluster.instancesOnNode(nodeId);
        }

        @Override
        public List<Instance> instancesOfJob(String jobId) {
            return cluster.instancesOfJob(jobId);
        }

        @Override
        public java.util.Optional<Job> jobVersion(String jobId, long version) {
            return cluster.jobVersion(jobId, version);
        }

        @Override
        public java.util.Optional<io.herd.api.Deployment> latestDeployment(String jobId) {
            return cluster.latestDeployment(jobId);
        }
    }
}
