package io.herd.bench;

import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Resources;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Alibaba's openb GPU-cluster trace ({@code shared/data/openb}): 1,523 nodes and 8,152 pods in creation order.
 * Nodes become Herd nodes with their cpu, memory and GPU devices (count and model; each device 1000 milli-GPUs);
 * pods become one-instance jobs asking for cpu, memory and GPUs as the trace says: {@code num_gpu} whole GPUs, or
 * with {@code num_gpu = 1} and {@code gpu_milli < 1000} a share of one device. A {@code gpu_spec} naming one model
 * becomes the request's {@code gpu_model}; one naming several models (none in the default file) cannot be said in
 * Herd's model, which takes one, and is left unconstrained. The GPU count and model are also labels
 * {@code gpu} and {@code gpu_model}, for the figures.
 */
record OpenbTrace(List<TraceNode> nodes, List<TracePod> pods) {
    static final String NODE_FILE = "openb_node_list_all_node.csv";
    static final String POD_FILE = "openb_pod_list_default.csv";
    private static final String NODE_HEADER = "sn,cpu_milli,memory_mib,gpu,model";
    private static final String POD_HEADER = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,"
            + "creation_time,deletion_time,scheduled_time";

    OpenbTrace {
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
    }

    /** @param gpuModel empty for a node without GPUs */
    record TraceNode(String name, long cpuMilli, long memoryMib, int gpus, String gpuModel) {}

    /**
     * @param numGpu whole GPUs; when 1, {@code gpuMilli} below 1000 is a share of one GPU
     * @param gpuSpec the GPU models allowed, empty for any
     * @param deletionTime null when the pod was never deleted (likewise {@code scheduledTime})
     */
    record TracePod(String name, long cpuMilli, long memoryMib, int numGpu, int gpuMilli, List<String> gpuSpec,
            String qos, String phase, long creationTime, Long deletionTime, Long scheduledTime) {
        /** GPUs asked for, a share counting as its fraction. */
        double gpuDemand() {
            return gpuMillis() / 1000.0;
        }

        /** The request in milli-GPUs: a share of one device below 1000, else whole GPUs. */
        long gpuMillis() {
            return numGpu == 1 && gpuMilli > 0 && gpuMilli < 1000 ? gpuMilli : numGpu * 1000L;
        }

        /** The one GPU model the pod is limited to, or null. */
        String gpuModel() {
            return gpuSpec.size() == 1 ? gpuSpec.getFirst() : null;
        }
    }

    /**
     * Finds the trace: {@code explicit} when given, else {@code HERD_OPENB_DIR}, else {@code shared/data/openb} or
     * {@code ../shared/data/openb} (beside the repository) from the working directory or any directory above it.
     */
    static Optional<Path> locate(String explicit) {
        if (explicit != null) {
            return Optional.of(Path.of(explicit));
        }
        String fromEnvironment = System.getenv("HERD_OPENB_DIR");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.of(Path.of(fromEnvironment));
        }
        for (Path directory = Path.of("").toAbsolutePath(); directory != null; directory = directory.getParent()) {
            for (Path candidate : List.of(directory.resolve("shared/data/openb"), directory.resolve("../shared/data/openb"))) {
                if (Files.isRegularFile(candidate.resolve(NODE_FILE))) {
                    return Optional.of(candidate.normalize());
                }
            }
        }
        return Optional.empty();
    }

    static OpenbTrace read(Path directory) {
        List<TraceNode> nodes = new ArrayList<>();
        for (String[] fields : rows(directory.resolve(NODE_FILE), NODE_HEADER, 5)) {
            nodes.add(new TraceNode(fields[0], parseLong(fields[1]), parseLong(fields[2]), (int) parseLong(fields[3]),
                    fields[4]));
        }
        List<TracePod> pods = new ArrayList<>();
        for (String[] fields : rows(directory.resolve(POD_FILE), POD_HEADER, 11)) {
            List<String> spec = fields[5].isEmpty() ? List.of() : Arrays.asList(fields[5].split("\\|"));
            pods.add(new TracePod(fields[0], parseLong(fields[1]), parseLong(fields[2]), (int) parseLong(fields[3]),
                    (int) parseLong(fields[4]), spec, fields[6], fields[7], parseLong(fields[8]),
                    optionalLong(fields[9]), optionalLong(fields[10])));
        }
        // The file is in creation order already; a stable sort keeps it so and guards against a reordered copy.
        pods.sort(Comparator.comparingLong(TracePod::creationTime));
        return new OpenbTrace(nodes, pods);
    }

    /** Herd nodes: id and name the serial number, cpu, memory and GPU devices as in the trace, no disk. */
    List<Node> herdNodes() {
        return nodes.stream().map(node -> {
            Nodes.Builder builder = Nodes.node(node.name())
                    .capacity(new Resources(node.cpuMilli(), node.memoryMib() << 20, 0))
                    .label("gpu", Integer.toString(node.gpus()));
            if (!node.gpuModel().isEmpty()) {
                builder.label("gpu_model", node.gpuModel());
            }
            builder.gpus(node.gpus(), node.gpuModel().isEmpty() ? "unknown" : node.gpuModel());
            return builder.build();
        }).toList();
    }

    /** One job per pod, in creation order: app {@code openb}, job named after the pod, one instance. */
    List<Job> jobs() {
        return pods.stream().map(pod -> Jobs.job(pod.name()).app("openb")
                .group(Jobs.group("pod").count(1).task(Jobs.task("main")
                        .resources(new Resources(pod.cpuMilli(), pod.memoryMib() << 20, 0, pod.gpuMillis(),
                                pod.gpuModel()))))
                .build()).toList();
    }

    private static List<String[]> rows(Path file, String header, int columns) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (lines.isEmpty() || !lines.getFirst().strip().equals(header)) {
            throw new IllegalArgumentException(file + ": expected the header " + header);
        }
        List<String[]> rows = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] fields = line.split(",", -1);
            if (fields.length != columns) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected " + columns + " fields, got "
                        + fields.length);
            }
            rows.add(fields);
        }
        return rows;
    }

    private static long parseLong(String text) {
        return Long.parseLong(text.strip());
    }

    private static Long optionalLong(String text) {
        return text.isBlank() ? null : parseLong(text);
    }
}
