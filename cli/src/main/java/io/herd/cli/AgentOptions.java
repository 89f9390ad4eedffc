package io.herd.cli;

import io.herd.agent.problems.ProblemThresholds;
import io.herd.api.PortRange;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The node options shared by {@code herd agent} and {@code herd dev}. */
final class AgentOptions {
    /** Attributes that constraints read from the node itself; a label of that name could never match. */
    private static final Set<String> RESERVED_LABELS = Set.of("id", "name");

    @Option(names = "--name", paramLabel = "NAME", description = "Node name (default: the hostname).")
    String name;

    @Option(names = "--label", paramLabel = "KEY=VALUE",
            description = "A node label such as zone=a or rack=r1; repeat for several.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--port-range", paramLabel = "FIRST-LAST", defaultValue = "20000-32000",
            converter = Converters.PortRangeConverter.class,
            description = "Host ports handed to named task ports (default: ${DEFAULT-VALUE}).")
    PortRange portRange;

    @Option(names = "--gpus", paramLabel = "N",
            description = "GPU devices to offer, numbered 0..N-1 (default: what nvidia-smi lists, else none).")
    Integer gpus;

    @Option(names = "--gpu-model", paramLabel = "MODEL",
            description = "Model of the --gpus devices, matched by a task's gpu_model (default: generic).")
    String gpuModel;

    @Option(names = "--disk-pressure-threshold", paramLabel = "PERCENT", defaultValue = "90",
            description = "DiskPressure when this much of the data directory's filesystem is not available (default: ${DEFAULT-VALUE}).")
    int diskPressurePercent;

    @Option(names = "--inode-pressure-threshold", paramLabel = "PERCENT", defaultValue = "90",
            description = "InodePressure when this much of its inodes are used (default: ${DEFAULT-VALUE}).")
    int inodePressurePercent;

    @Option(names = "--memory-pressure-threshold", paramLabel = "PERCENT", defaultValue = "95",
            description = "MemoryPressure when this much memory is not available (default: ${DEFAULT-VALUE}).")
    int memoryPressurePercent;

    @Option(names = "--pid-pressure-threshold", paramLabel = "PERCENT", defaultValue = "90",
            description = "PIDPressure when this much of min(pid_max, threads-max) is in use (default: ${DEFAULT-VALUE}).")
    int pidPressurePercent;

    @Option(names = "--fd-pressure-threshold", paramLabel = "PERCENT", defaultValue = "90",
            description = "FileDescriptorPressure when this much of fs.file-max is allocated (default: ${DEFAULT-VALUE}).")
    int fileDescriptorPressurePercent;

    @Option(names = "--oom-kill-window", paramLabel = "DURATION", defaultValue = "10m",
            converter = Converters.DurationConverter.class,
            description = "How long a kernel OOM kill keeps KernelOOMKill true (default: ${DEFAULT-VALUE}).")
    Duration oomKillWindow;

    @Option(names = "--problem-check-interval", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "How often the node problem detectors run (default: ${DEFAULT-VALUE}).")
    Duration problemCheckInterval;

    /** Null when fine, else what is wrong with the problem detection options. */
    String problemThresholdProblem() {
        for (int percent : new int[] {diskPressurePercent, inodePressurePercent, memoryPressurePercent,
                pidPressurePercent, fileDescriptorPressurePercent}) {
            if (percent < 0 || percent > 100) {
                return "a --*-pressure-threshold is a percentage from 0 to 100, got " + percent;
            }
        }
        if (problemCheckInterval != null && !problemCheckInterval.isPositive()) {
            return "--problem-check-interval must be more than 0";
        }
        return null;
    }

    ProblemThresholds problemThresholds() {
        return new ProblemThresholds(diskPressurePercent, inodePressurePercent, memoryPressurePercent,
                pidPressurePercent, fileDescriptorPressurePercent, oomKillWindow, problemCheckInterval,
                ProblemThresholds.DEFAULT.probeTimeout());
    }

    /** Null when fine, else what is wrong with the GPU options. */
    String gpuProblem() {
        if (gpus != null && gpus < 0) {
            return "--gpus must be 0 or more";
        }
        if (gpuModel != null && gpus == null) {
            return "--gpu-model needs --gpus";
        }
        return null;
    }

    /** Null when fine, else what is wrong with the labels. */
    String labelProblem() {
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String key = label.getKey().startsWith("node.") ? label.getKey().substring("node.".length())
                    : label.getKey();
            if (key.isBlank()) {
                return "--label needs a key: KEY=VALUE";
            }
            if (RESERVED_LABELS.contains(key)) {
                return "--label " + key + " is reserved (node." + key + " is built in)";
            }
        }
        return null;
    }

    /** Labels as constraints name them, without the optional {@code node.} prefix. */
    Map<String, String> normalizedLabels() {
        Map<String, String> normalized = new LinkedHashMap<>();
        labels.forEach((key, value) ->
                normalized.put(key.startsWith("node.") ? key.substring("node.".length()) : key, value));
        return normalized;
    }
}
