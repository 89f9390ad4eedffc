package io.herd.bench;

import io.herd.api.Node;
import io.herd.api.Resources;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays Alibaba's openb trace (see {@link OpenbTrace}): every pod, in creation order, as a one-instance job,
 * placed by each contender on the trace's 1,523 nodes. Herd's model has no GPUs yet, so placement uses cpu and
 * memory only ({@code "gpu_modeled": false}); the figures say how much that ignores: GPU pods that landed on nodes
 * without GPUs, and GPUs asked of nodes beyond what they have.
 */
final class OpenbBenchmark {
    private OpenbBenchmark() {}

    static Figures run(Options options, PrintStream log) {
        Path directory = OpenbTrace.locate(options.string("data").orElse(null))
                .orElseThrow(() -> new IllegalArgumentException(
                        "cannot find the openb trace (shared/data/openb); pass --data DIR or set HERD_OPENB_DIR"));
        long seed = options.longValue("seed", 1);
        List<Contender> contenders = Contenders.parse(options.string("policies", Contenders.ALL), options);
        options.requireAllUsed();

        OpenbTrace trace = OpenbTrace.read(directory);
        List<Node> nodes = trace.herdNodes();
        var jobs = trace.jobs();
        Map<String, OpenbTrace.TracePod> podByInstance = new HashMap<>();
        for (OpenbTrace.TracePod pod : trace.pods()) {
            podByInstance.put("openb/" + pod.name() + "/pod/0", pod);
        }
        Map<String, OpenbTrace.TraceNode> nodeByName = new HashMap<>();
        trace.nodes().forEach(node -> nodeByName.put(node.name(), node));
        Resources capacity = nodes.stream().map(Node::capacity).reduce(Resources.ZERO, Resources::plus);
        log.printf("openb: %,d nodes, %,d pods from %s (cpu and memory only: GPUs are not in Herd's model yet)%n",
                nodes.size(), jobs.size(), directory);

        Figures results = new Figures();
        for (Contender contender : contenders) {
            Contender.Summary summary = contender.run(nodes, jobs, seed);
            CompactionBenchmark.requireNoViolations(contender, summary);
            Resources used = summary.usedByNode().values().stream().reduce(Resources.ZERO, Resources::plus);
            GpuIgnored ignored = gpuIgnored(summary, podByInstance, nodeByName);
            Figures result = new Figures()
                    .put("placed", summary.placed())
                    .put("unplaced_pods", summary.unplaced())
                    .put("cpu_allocation", (double) used.cpuMillis() / capacity.cpuMillis())
                    .put("memory_allocation", (double) used.memoryBytes() / capacity.memoryBytes())
                    .put("nodes_used", summary.nodesInUse())
                    .put("wall_s", summary.wallNanos() / 1e9)
                    .put("placements_per_s", summary.placementsPerSecond())
                    .put("gpu_pods_on_nodes_without_gpus", ignored.podsOnNodesWithoutGpus())
                    .put("gpus_asked_beyond_node_gpus", ignored.gpusBeyondCapacity());
            if (summary.digest() != 0) {
                result.put("placement_digest", Long.toHexString(summary.digest()));
            }
            results.put(contender.name(), result);
            log.printf("  %-12s %,d placed, %,d unplaced, cpu %.1f%%, memory %.1f%%, %.2f s (%,.0f placements/s); "
                            + "%,d GPU pods on nodes without GPUs%n", contender.name(), summary.placed(),
                    summary.unplaced(), 100.0 * used.cpuMillis() / capacity.cpuMillis(),
                    100.0 * used.memoryBytes() / capacity.memoryBytes(), summary.wallNanos() / 1e9,
                    summary.placementsPerSecond(), ignored.podsOnNodesWithoutGpus());
        }
        double gpusAsked = trace.pods().stream().mapToDouble(OpenbTrace.TracePod::gpuDemand).sum();
        return new Figures()
                .put("benchmark", "openb")
                .put("gpu_modeled", false)
                .put("nodes", nodes.size())
                .put("pods", jobs.size())
                .put("gpus", trace.nodes().stream().mapToInt(OpenbTrace.TraceNode::gpus).sum())
                .put("gpus_asked", gpusAsked)
                .put("seed", seed)
                .put("policies", results);
    }

    private record GpuIgnored(int podsOnNodesWithoutGpus, double gpusBeyondCapacity) {}

    /** How far a cpu/memory-only placement is from one that respects GPUs (shares counted as fractions). */
    private static GpuIgnored gpuIgnored(Contender.Summary summary, Map<String, OpenbTrace.TracePod> podByInstance,
            Map<String, OpenbTrace.TraceNode> nodeByName) {
        int onNodesWithoutGpus = 0;
        Map<String, Double> askedByNode = new HashMap<>();
        for (Map.Entry<String, String> placement : summary.nodeByInstance().entrySet()) {
            OpenbTrace.TracePod pod = podByInstance.get(placement.getKey());
            if (pod == null || pod.gpuDemand() == 0) {
                continue;
            }
            OpenbTrace.TraceNode node = nodeByName.get(placement.getValue());
            if (node.gpus() == 0) {
                onNodesWithoutGpus++;
            }
            askedByNode.merge(node.name(), pod.gpuDemand(), Double::sum);
        }
        double beyond = 0;
        for (Map.Entry<String, Double> entry : askedByNode.entrySet()) {
            beyond += Math.max(0, entry.getValue() - nodeByName.get(entry.getKey()).gpus());
        }
        return new GpuIgnored(onNodesWithoutGpus, beyond);
    }
}
