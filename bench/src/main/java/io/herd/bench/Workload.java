package io.herd.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Quantities;
import io.herd.api.Resources;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static java.util.Objects.requireNonNull;

/**
 * A synthetic workload read from a YAML file (see {@code src/main/resources/workloads/}): a cell of identical
 * nodes and jobs of one group each, whose instance size is drawn by weight from {@code sizes}. The same file and
 * seed always give the same nodes and jobs.
 *
 * @param nodes the cell
 * @param jobs how many jobs and how many instances each
 * @param sizes the instance sizes, drawn once per job
 */
record Workload(NodeSpec nodes, JobSpec jobs, List<Size> sizes) {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    Workload {
        requireNonNull(nodes, "nodes is null");
        requireNonNull(jobs, "jobs is null");
        if (sizes == null || sizes.isEmpty()) {
            throw new IllegalArgumentException("a workload needs at least one size");
        }
        sizes = List.copyOf(sizes);
    }

    /**
     * @param racks nodes get the label {@code rack=r<i mod racks>}; 0 for none
     */
    record NodeSpec(int count, String cpu, String memory, String disk, int racks) {
        Resources capacity() {
            return resources(cpu, memory, disk);
        }
    }

    /**
     * @param instances instances per job, or the smallest count when {@code instancesMax} is set
     * @param instancesMax when set, each job's count is drawn uniformly from {@code instances..instancesMax}
     * @param ports named host ports per instance
     */
    record JobSpec(int count, int instances, Integer instancesMax, int ports) {}

    record Size(String name, int weight, String cpu, String memory, String disk) {
        Resources resources() {
            return Workload.resources(cpu, memory, disk);
        }
    }

    /** A file path, or the name of a workload shipped in {@code workloads/} (with or without {@code .yaml}). */
    static Workload load(String pathOrName) {
        Path path = Path.of(pathOrName);
        try {
            if (Files.isRegularFile(path)) {
                return YAML.readValue(path.toFile(), Workload.class);
            }
            String resource = "/workloads/" + (pathOrName.endsWith(".yaml") ? pathOrName : pathOrName + ".yaml");
            try (InputStream in = Workload.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no workload file " + pathOrName + " and no shipped workload "
                            + resource);
                }
                return YAML.readValue(in, Workload.class);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read workload " + pathOrName, e);
        }
    }

    Workload withNodeCount(int count) {
        return new Workload(new NodeSpec(count, nodes.cpu, nodes.memory, nodes.disk, nodes.racks), jobs, sizes);
    }

    Workload withJobCount(int count) {
        return new Workload(nodes, new JobSpec(count, jobs.instances, jobs.instancesMax, jobs.ports), sizes);
    }

    Workload withInstancesPerJob(int instances) {
        return new Workload(nodes, new JobSpec(jobs.count, instances, null, jobs.ports), sizes);
    }

    /** The cell with {@code count} nodes instead of {@code nodes.count}: {@code node-00001 ..}, sorted by id. */
    List<Node> buildNodes(int count) {
        Resources capacity = nodes.capacity();
        return IntStream.range(0, count).mapToObj(i -> {
            Nodes.Builder node = Nodes.node(String.format("node-%05d", i + 1)).capacity(capacity);
            if (nodes.racks > 0) {
                node.label("rack", "r" + (i % nodes.racks));
            }
            return node.build();
        }).toList();
    }

    List<Node> buildNodes() {
        return buildNodes(nodes.count);
    }

    /** The jobs, in submission order: {@code job-0001 ..} of app {@code bench}, one group {@code main} each. */
    List<Job> buildJobs(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int totalWeight = sizes.stream().mapToInt(Size::weight).sum();
        List<Job> built = new ArrayList<>(jobs.count);
        String[] portNames = IntStream.range(0, jobs.ports).mapToObj(i -> "port" + i).toArray(String[]::new);
        for (int j = 0; j < jobs.count; j++) {
            Size size = draw(random, totalWeight);
            int count = jobs.instancesMax == null ? jobs.instances
                    : jobs.instances + random.nextInt(jobs.instancesMax - jobs.instances + 1);
            built.add(Jobs.job(String.format("job-%04d", j + 1)).app("bench")
                    .group(Jobs.group("main").count(count)
                            .task(Jobs.task("main").resources(size.resources()).ports(portNames)))
                    .build());
        }
        return built;
    }

    private Size draw(SplittableRandom random, int totalWeight) {
        int ticket = random.nextInt(totalWeight);
        for (Size size : sizes) {
            ticket -= size.weight();
            if (ticket < 0) {
                return size;
            }
        }
        throw new IllegalStateException("weights changed while drawing");
    }

    private static Resources resources(String cpu, String memory, String disk) {
        long cpuMillis = cpu == null ? 0 : Quantities.parseCpu(cpu)
                .orElseThrow(() -> new IllegalArgumentException(cpu + " is not a cpu quantity"));
        long memoryBytes = memory == null ? 0 : Quantities.parseSize(memory)
                .orElseThrow(() -> new IllegalArgumentException(memory + " is not a size"));
        long diskBytes = disk == null ? 0 : Quantities.parseSize(disk)
                .orElseThrow(() -> new IllegalArgumentException(disk + " is not a size"));
        return new Resources(cpuMillis, memoryBytes, diskBytes);
    }
}
