package io.herd.agent;

import io.herd.agent.problems.ProblemThresholds;
import io.herd.api.PortRange;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Everything one node agent needs.
 *
 * @param servers          server HTTP addresses (host:port), at least one
 * @param dataDir          instance directories, logs, and the agent's own state (node id, running tasks)
 * @param name             node name; defaults to the hostname
 * @param labels           extra node labels (zone, rack, ...), added to the fingerprinted ones
 * @param httpAddress      host:port of the agent's own HTTP endpoint (logs); port 0 picks a free port
 * @param ports            host ports handed to named task ports
 * @param cpuMillis        overrides the fingerprinted cpu capacity when not null
 * @param memoryBytes      overrides the fingerprinted memory capacity when not null
 * @param diskBytes        overrides the fingerprinted disk capacity when not null
 * @param stopTasksOnClose true for an ephemeral {@code herd dev}: closing the agent stops its tasks; false for a
 *                         real agent, whose tasks outlive it and are re-attached by the next agent process
 * @param gpus             when not null, the node has this many GPU devices (indices 0..gpus-1) instead of what
 *                         {@code nvidia-smi} finds
 * @param gpuModel         the model of those devices (default {@code generic})
 * @param problems         when the node problem detectors report a condition, and how often they run
 */
public record AgentConfig(
        List<String> servers,
        Path dataDir,
        String name,
        Map<String, String> labels,
        String httpAddress,
        PortRange ports,
        Long cpuMillis,
        Long memoryBytes,
        Long diskBytes,
        boolean stopTasksOnClose,
        Integer gpus,
        String gpuModel,
        ProblemThresholds problems) {
    public static final String DEFAULT_HTTP_ADDRESS = "127.0.0.1:7710";
    public static final String DEFAULT_GPU_MODEL = "generic";

    public AgentConfig(List<String> servers, Path dataDir, String name, Map<String, String> labels, String httpAddress,
            PortRange ports, Long cpuMillis, Long memoryBytes, Long diskBytes, boolean stopTasksOnClose) {
        this(servers, dataDir, name, labels, httpAddress, ports, cpuMillis, memoryBytes, diskBytes, stopTasksOnClose,
                null, null);
    }

    public AgentConfig(List<String> servers, Path dataDir, String name, Map<String, String> labels, String httpAddress,
            PortRange ports, Long cpuMillis, Long memoryBytes, Long diskBytes, boolean stopTasksOnClose, Integer gpus,
            String gpuModel) {
        this(servers, dataDir, name, labels, httpAddress, ports, cpuMillis, memoryBytes, diskBytes, stopTasksOnClose,
                gpus, gpuModel, null);
    }

    public AgentConfig {
        requireNonNull(servers, "servers is null");
        requireNonNull(dataDir, "dataDir is null");
        servers = List.copyOf(servers);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        httpAddress = httpAddress == null ? DEFAULT_HTTP_ADDRESS : httpAddress;
        ports = ports == null ? PortRange.DEFAULT : ports;
        if (gpus != null && gpus < 0) {
            throw new IllegalArgumentException("gpus must be >= 0, got " + gpus);
        }
        problems = problems == null ? ProblemThresholds.DEFAULT : problems;
        gpuModel = gpuModel == null || gpuModel.isBlank() ? DEFAULT_GPU_MODEL : gpuModel.strip();
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("an agent needs at least one server address");
        }
    }
}
