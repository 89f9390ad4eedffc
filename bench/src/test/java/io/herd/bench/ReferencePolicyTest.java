package io.herd.bench;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ReferencePolicyTest {
    /** Four nodes with 8 cpu and 32Gi: a is down, b has 6 cpu and 6Gi used, c 2 cpu and 24Gi, d nothing. */
    private final SimulatedCluster cluster = new SimulatedCluster(List.of(
            Nodes.node("a").cpu("8").memory("32Gi").status(NodeStatus.DOWN).build(),
            Nodes.node("b").cpu("8").memory("32Gi").build(),
            Nodes.node("c").cpu("8").memory("32Gi").build(),
            Nodes.node("d").cpu("8").memory("32Gi").build()));

    ReferencePolicyTest() {
        load("b", "6", "6Gi");
        load("c", "2", "24Gi");
    }

    private void load(String nodeId, String cpu, String memory) {
        Job filler = Jobs.job("filler-" + nodeId).app("bench")
                .group(Jobs.group("main").task(Jobs.task("main").cpu(cpu).memory(memory))).build();
        Node node = cluster.node(nodeId).orElseThrow();
        cluster.register(filler);
        Plan plan = new ReferencePolicy(ReferencePolicy.Kind.FIRST_FIT).plan(evaluation(filler), filler,
                new SimulatedCluster(List.of(node)), FakeClock.DEFAULT_START, new SplittableRandom(1));
        cluster.commit(plan.placements());
    }

    private String choice(ReferencePolicy.Kind kind, String cpu, String memory) {
        Job job = Jobs.job("probe").app("bench").group(Jobs.group("main").task(Jobs.task("main").cpu(cpu).memory(memory)))
                .build();
        Plan plan = new ReferencePolicy(kind).plan(evaluation(job), job, cluster, FakeClock.DEFAULT_START,
                new SplittableRandom(1));
        return plan.placements().isEmpty() ? null : plan.placements().getFirst().nodeId();
    }

    private static Evaluation evaluation(Job job) {
        return Evaluation.pending("eval", job.id(), EvaluationTrigger.JOB_REGISTER, FakeClock.DEFAULT_START);
    }

    @Test
    void firstFitTakesTheFirstReadyNodeWithRoom() {
        assertThat(choice(ReferencePolicy.Kind.FIRST_FIT, "1", "1Gi")).isEqualTo("b");
        assertThat(choice(ReferencePolicy.Kind.FIRST_FIT, "4", "1Gi")).isEqualTo("c");
        assertThat(choice(ReferencePolicy.Kind.FIRST_FIT, "4", "16Gi")).isEqualTo("d");
    }

    @Test
    void bestFitLeavesTheLeastRoomAndWorstFitTheMost() {
        // Free after placing 1 cpu/1Gi, in shares of a machine: b 1/8 + 25/32, c 5/8 + 7/32, d 7/8 + 31/32.
        assertThat(choice(ReferencePolicy.Kind.BEST_FIT, "1", "1Gi")).isEqualTo("c");
        assertThat(choice(ReferencePolicy.Kind.WORST_FIT, "1", "1Gi")).isEqualTo("d");
    }

    @Test
    void dotProductPrefersTheNodeWhoseFreeResourcesLeastAlignWithTheRequest() {
        // A cpu-heavy request: c has little free memory but much free cpu, b the opposite; the product with the
        // request is smallest where the request's big dimension is scarce: b.
        assertThat(choice(ReferencePolicy.Kind.DOT_PRODUCT, "2", "1Gi")).isEqualTo("b");
        // A memory-heavy request that fits c: its free memory is what is scarce there.
        assertThat(choice(ReferencePolicy.Kind.DOT_PRODUCT, "500m", "6Gi")).isEqualTo("c");
    }

    @Test
    void randomFitOnlyChoosesNodesThatFit() {
        for (int seed = 0; seed < 20; seed++) {
            Job job = Jobs.job("probe").app("bench").group(Jobs.group("main").task(Jobs.task("main").cpu("4").memory("1Gi")))
                    .build();
            Plan plan = new ReferencePolicy(ReferencePolicy.Kind.RANDOM_FIT).plan(evaluation(job), job, cluster,
                    FakeClock.DEFAULT_START, new SplittableRandom(seed));
            assertThat(plan.placements()).extracting(Instance::nodeId).singleElement().isIn("c", "d");
        }
    }

    @Test
    void whatFitsNowhereIsReportedAsAFailure() {
        Job job = Jobs.job("huge").app("bench").group(Jobs.group("main").count(2).task(Jobs.task("main").cpu("9")))
                .build();

        Plan plan = new ReferencePolicy(ReferencePolicy.Kind.BEST_FIT).plan(evaluation(job), job, cluster,
                FakeClock.DEFAULT_START, new SplittableRandom(1));

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).singleElement().satisfies(failure -> assertThat(failure.unplaced()).isEqualTo(2));
    }
}
