package io.herd.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each benchmark end to end at a small size, through the same entry points as {@code bench/run}: it completes,
 * its figures are there, and no contender over-committed a node (the benchmarks check every run and fail if one
 * did). The figures themselves are measured by running the benchmarks, never asserted here.
 */
class BenchmarksTest {
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream());

    private static Options options(String... args) {
        return Options.parse(args, 0);
    }

    @Test
    void scaleComparesHerdWithFenzoOnTheSameNodesAndInstances() {
        Figures figures = ScaleBenchmark.run(options("--nodes", "200", "--jobs", "4", "--instances-per-job", "100",
                "--warmup", "false"), log);

        assertThat(figures.get("placed")).isEqualTo(400);
        assertThat(figures.get("unplaced")).isEqualTo(0);
        assertThat(figures.get("overcommitted_nodes")).isEqualTo(0);
        assertThat(figures.get("fenzo_placed")).isEqualTo(400);
        assertThat(figures.get("fenzo_overcommitted_nodes")).isEqualTo(0);
        assertThat(figures.get("ratio")).isNotNull();
        assertThat(figures.toJson()).startsWith("{\"benchmark\":\"scale\"").contains("\"placements_per_s\":");
    }

    @Test
    @SuppressWarnings("unchecked")
    void compactionFindsNoCellSmallerThanTheLowerBound() {
        Figures figures = CompactionBenchmark.run(options("--machines", "80", "--jobs", "10"), log);

        int lowerBound = (Integer) figures.get("lower_bound");
        Map<String, Object> policies = (Map<String, Object>) figures.toMap().get("policies");
        assertThat(policies).containsOnlyKeys("herd", "fenzo", "first_fit", "random_fit", "best_fit", "worst_fit",
                "dot_product");
        policies.forEach((name, value) -> {
            Map<String, Object> result = (Map<String, Object>) value;
            assertThat((Integer) result.get("min_machines")).as(name).isGreaterThanOrEqualTo(lowerBound);
            if ((Integer) result.get("unplaced") == 0) {
                assertThat((Integer) result.get("machines_used")).as(name).isGreaterThanOrEqualTo(lowerBound);
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void openbReplaysTheTraceWithGpusAndCountsUnplacedGpus() {
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenbTrace.locate(null).isPresent(), "no openb trace here");

        Figures figures = OpenbBenchmark.run(options("--policies", "herd,first_fit"), log);

        assertThat(figures.get("gpu_modeled")).isEqualTo(true);
        Map<String, Object> policies = (Map<String, Object>) figures.toMap().get("policies");
        Map<String, Object> herd = (Map<String, Object>) policies.get("herd");
        Map<String, Object> firstFit = (Map<String, Object>) policies.get("first_fit");
        assertThat(herd).containsKeys("unplaced_pods", "unplaced_gpus", "cpu_allocation", "memory_allocation",
                "gpu_allocation", "wall_s", "placements_per_s");
        assertThat((Integer) herd.get("placed") + (Integer) herd.get("unplaced_pods")).isEqualTo(8152);
        // The trace asks for 98% of the GPUs: some stay unplaced, and Herd leaves fewer than first fit.
        assertThat(((Number) herd.get("unplaced_gpus")).doubleValue()).isPositive()
                .isLessThan(((Number) firstFit.get("unplaced_gpus")).doubleValue());
    }

    @Test
    void unknownFlagsAreErrorsNotDefaults() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ScaleBenchmark.run(options("--node", "10"), log))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--node");
    }
}
