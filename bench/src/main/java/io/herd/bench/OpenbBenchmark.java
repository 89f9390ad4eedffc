package io.herd.bench;

import io.herd.api.Node;
import io.herd.api.Resources;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays Alibaba's openb trace (see {@link OpenbTrace}): every pod, in creation order, as a one-instance job asking
 * for cpu, memory and GPUs (whole devices or a share of one, a model when the trace names one), placed by each
 * contender on the trace's 1,523 nodes and their 6,212 GPUs. The pods ask for more than the cell has, so what
 * matters is what is left unplaced: pods, and above all the GPUs they asked for (the FGD paper's measure of GPU
 * fragmentation); plus the cpu, memory and GPU allocation ratios and the speed.
 */
final class OpenbBenchmark {
    /** Pods of the trace's start each contender replays, untimed, before its measured run ({@code --warmup-pods}). */
    static final int WARMUP_PODS = 1_000;

    private OpenbBenchmark() {}

    static Figures run(Options options, PrintStream log) {
        Path directory = OpenbTrace.locate(options.string("data").orElse(null))
                .orElseThrow(() -> new IllegalArgumentException(
                        "cannot find the openb trace (shared/data/openb); pass --data DIR or set HERD_OPENB_DIR"));
        long seed = options.longValue("seed", 1);
        List<Contender> contenders = Contenders.parse(options.string("policies", Contenders.ALL), options);
        int warmupPods = options.integer("warmup-pods", WARMUP_PODS);
        options.requireAllUsed();

        OpenbTrace trace = OpenbTrace.read(directory);
        List<Node> nodes = trace.herdNodes();
        var jobs = trace.jobs();
        Map<String, OpenbTrace.TracePod> podByInstance = new LinkedHashMap<>();
        for (OpenbTrace.TracePod pod : trace.pods()) {
            podByInstance.put("openb/" + pod.name() + "/pod/0", pod);
        }
        Resources capacity = nodes.stream().map(Node::capacity).reduce(Resources.ZERO, Resources::plus);
        double gpusAsked = trace.pods().stream().mapToDouble(OpenbTrace.TracePod::gpuDemand).sum();
        log.printf("openb: %,d nodes with %,d GPUs, %,d pods asking for %,.1f GPUs, from %s%n", nodes.size(),
                capacity.gpuMillis() / 1000, jobs.size(), gpusAsked, directory);

        Figures results = new Figures();
        for (Contender contender : contenders) {
            if (warmupPods > 0) {
                // Each contender first replays the start of the trace on a fresh cell, untimed, so that none is
                // measured while the JIT still compiles it (the first in the JVM would pay for it otherwise).
                contender.run(nodes, jobs.subList(0, Math.min(warmupPods, jobs.size())), seed);
            }
            Contender.Summary summary = contender.run(nodes, jobs, seed);
            CompactionBenchmark.requireNoViolations(contender, summary);
            Outcome outcome = outcome(summary, podByInstance);
            Figures result = new Figures()
                    .put("placed", summary.placed())
                    .put("unplaced_pods", outcome.unplacedPods())
                    .put("unplaced_gpu_pods", outcome.unplacedGpuPods())
                    .put("unplaced_gpus", outcome.unplacedGpus())
                    .put("cpu_allocation", (double) outcome.cpuMillis() / capacity.cpuMillis())
                    .put("memory_allocation", (double) outcome.memoryBytes() / capacity.memoryBytes())
                    .put("gpu_allocation", outcome.placedGpus() * 1000 / capacity.gpuMillis())
                    .put("nodes_used", summary.nodesInUse())
                    .put("wall_s", summary.wallNanos() / 1e9)
                    .put("placements_per_s", summary.placementsPerSecond());
            if (summary.digest() != 0) {
                result.put("placement_digest", Long.toHexString(summary.digest()));
            }
            results.put(contender.name(), result);
            log.printf("  %-12s %,d placed, %,d unplaced (%,d asking GPUs), %,.1f GPUs unplaced; cpu %.1f%%, "
                            + "memory %.1f%%, gpu %.1f%%; %.2f s (%,.0f placements/s)%n", contender.name(),
                    summary.placed(), outcome.unplacedPods(), outcome.unplacedGpuPods(), outcome.unplacedGpus(),
                    100.0 * outcome.cpuMillis() / capacity.cpuMillis(),
                    100.0 * outcome.memoryBytes() / capacity.memoryBytes(),
                    100.0 * outcome.placedGpus() * 1000 / capacity.gpuMillis(), summary.wallNanos() / 1e9,
                    summary.placementsPerSecond());
        }
        return new Figures()
                .put("benchmark", "openb")
                .put("gpu_modeled", true)
                .put("nodes", nodes.size())
                .put("pods", jobs.size())
                .put("gpus", capacity.gpuMillis() / 1000)
                .put("gpus_asked", gpusAsked)
                .put("seed", seed)
                .put("warmup_pods", warmupPods)
                .put("policies", results);
    }

    /** What a contender placed and left, from its placements and the pods' requests. */
    private record Outcome(int unplacedPods, int unplacedGpuPods, double unplacedGpus, double placedGpus,
            long cpuMillis, long memoryBytes) {}

    private static Outcome outcome(Contender.Summary summary, Map<String, OpenbTrace.TracePod> podByInstance) {
        int unplacedPods = 0;
        int unplacedGpuPods = 0;
        double unplacedGpus = 0;
        double placedGpus = 0;
        long cpu = 0;
        long memory = 0;
        for (Map.Entry<String, OpenbTrace.TracePod> entry : podByInstance.entrySet()) {
            OpenbTrace.TracePod pod = entry.getValue();
            if (summary.nodeByInstance().containsKey(entry.getKey())) {
                placedGpus += pod.gpuDemand();
                cpu += pod.cpuMilli();
                memory += pod.memoryMib() << 20;
            } else {
                unplacedPods++;
                if (pod.gpuMillis() > 0) {
                    unplacedGpuPods++;
                    unplacedGpus += pod.gpuDemand();
                }
            }
        }
        return new Outcome(unplacedPods, unplacedGpuPods, unplacedGpus, placedGpus, cpu, memory);
    }
}
