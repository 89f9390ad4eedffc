package io.herd.bench;

import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorTest {
    /** A small, fairly full cell: 60 nodes, 12 jobs of 30 to 80 instances with two host ports each. */
    private static final Workload WORKLOAD = Workload.load("scale").withNodeCount(60).withJobCount(12)
            .withInstancesPerJob(30);

    static Stream<Arguments> policiesAndWorkers() {
        List<PlacementPolicy> policies = new ArrayList<>();
        policies.add(HerdPolicy.withDefaults());
        policies.addAll(ReferencePolicy.all());
        return policies.stream().flatMap(policy -> Stream.of(Arguments.of(policy, 1), Arguments.of(policy, 3)));
    }

    @ParameterizedTest(name = "{0}, {1} worker(s)")
    @MethodSource("policiesAndWorkers")
    void noNodeIsEverOverCommittedAndEveryInstanceIsAccountedFor(PlacementPolicy policy, int workers) {
        Workload tight = new Workload(new Workload.NodeSpec(60, "4", "8Gi", "50Gi", 3),
                new Workload.JobSpec(12, 30, 80, 2), WORKLOAD.sizes());
        List<Job> jobs = tight.buildJobs(3);
        SimulatedCluster cluster = new SimulatedCluster(tight.buildNodes());

        Simulator.Result result = new Simulator(cluster, policy, workers, 3).run(jobs);

        assertThat(ClusterInvariants.violations(cluster)).isEmpty();
        int wanted = jobs.stream().flatMap(job -> job.groups().stream()).mapToInt(Group::count).sum();
        assertThat(result.placed()).isEqualTo(cluster.instanceCount());
        assertThat(result.placed() + result.unplaced()).isEqualTo(wanted);
        assertThat(result.unplaced()).as("the cell is full enough that some do not fit").isPositive();
        assertThat(result.evaluationNanos()).hasSize(result.evaluations());
    }

    @ParameterizedTest(name = "{0}, {1} worker(s)")
    @MethodSource("policiesAndWorkers")
    void theSameSeedGivesTheSamePlacements(PlacementPolicy policy, int workers) {
        List<Job> jobs = WORKLOAD.buildJobs(5);

        Map<String, String> first = placements(policy, workers, jobs, 11);
        Map<String, String> second = placements(policy, workers, jobs, 11);

        assertThat(second).isEqualTo(first);
        assertThat(placements(policy, workers, jobs, 12)).as("instance ids come from the seed").isNotEqualTo(first);
    }

    /** Instance id and index to node, for every instance placed. */
    private static Map<String, String> placements(PlacementPolicy policy, int workers, List<Job> jobs, long seed) {
        SimulatedCluster cluster = new SimulatedCluster(WORKLOAD.buildNodes());
        new Simulator(cluster, policy, workers, seed).run(jobs);
        Map<String, String> placements = new TreeMap<>();
        for (int position = 0; position < cluster.size(); position++) {
            for (Instance instance : cluster.instancesOnNode(position)) {
                placements.put(instance.id() + " " + instance.name() + " " + instance.ports(), instance.nodeId());
            }
        }
        return placements;
    }

    @Test
    void plansMadeFromTheSameStateThatNoLongerFitAreRefusedAndPlacedAgain() {
        List<Node> nodes = List.of(Nodes.node("a").cpu("1").memory("1Gi").build(),
                Nodes.node("b").cpu("1").memory("1Gi").build());
        List<Job> jobs = List.of(oneCpuJob("first"), oneCpuJob("second"));
        SimulatedCluster cluster = new SimulatedCluster(nodes);

        // Two workers plan both jobs from the empty cell: both choose node a; the applier refuses the second.
        Simulator.Result result = new Simulator(cluster, HerdPolicy.withDefaults(), 2, 1).run(jobs);

        assertThat(result.refused()).isEqualTo(1);
        assertThat(result.evaluations()).isEqualTo(3);
        assertThat(result.placed()).isEqualTo(2);
        assertThat(result.unplaced()).isZero();
        assertThat(cluster.instancesOnNode("a")).hasSize(1);
        assertThat(cluster.instancesOnNode("b")).hasSize(1);
        assertThat(ClusterInvariants.violations(cluster)).isEmpty();
    }

    private static Job oneCpuJob(String name) {
        return Jobs.job(name).app("bench").group(Jobs.group("main").task(Jobs.task("main").cpu("1").memory("512Mi")))
                .build();
    }
}
