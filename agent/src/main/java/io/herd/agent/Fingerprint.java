package io.herd.agent;

import com.sun.management.OperatingSystemMXBean;
import io.herd.api.GpuDevice;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Resources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What this machine offers: cpu (available processors × 1000 millicores), memory ({@code MemTotal} of
 * {@code /proc/meminfo}), disk (usable space of the data directory), and labels {@code os}, {@code arch},
 * {@code kernel}, {@code hostname} plus the configured ones, and GPU devices ({@code nvidia-smi}). Configured
 * capacities (and {@code --gpus}) win over measured ones.
 */
public final class Fingerprint {
    private static final Logger log = LoggerFactory.getLogger(Fingerprint.class);

    private Fingerprint() {}

    public static Node node(AgentConfig config, String nodeId, String httpAddress, Set<String> drivers, Instant now) {
        String hostname = hostname();
        Resources capacity = new Resources(
                config.cpuMillis() != null ? config.cpuMillis() : cpuMillis(),
                config.memoryBytes() != null ? config.memoryBytes() : memoryBytes(Path.of("/proc/meminfo")),
                config.diskBytes() != null ? config.diskBytes() : diskBytes(config.dataDir()));
        Map<String, String> labels = new TreeMap<>();
        labels.put("os", System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT));
        labels.put("arch", System.getProperty("os.arch", "unknown"));
        labels.put("kernel", System.getProperty("os.version", "unknown"));
        labels.put("hostname", hostname);
        labels.putAll(config.labels());
        return new Node(nodeId, nodeName(config), httpAddress, capacity, labels, drivers, config.ports(),
                NodeStatus.READY, now, now, gpus(config));
    }

    /**
     * The node's GPU devices: {@code --gpus N} (with {@code --gpu-model}) when given, like other configured
     * capacities; else what {@code nvidia-smi} lists; else none.
     */
    static List<GpuDevice> gpus(AgentConfig config) {
        if (config.gpus() != null) {
            List<GpuDevice> devices = new ArrayList<>();
            for (int index = 0; index < config.gpus(); index++) {
                devices.add(new GpuDevice(index, config.gpuModel(), 0));
            }
            return devices;
        }
        return nvidiaSmi();
    }

    /** Runs {@code nvidia-smi} if it is on the PATH; no GPUs when it is missing or fails. */
    static List<GpuDevice> nvidiaSmi() {
        Optional<Path> executable = onPath("nvidia-smi");
        if (executable.isEmpty()) {
            return List.of();
        }
        try {
            Process process = new ProcessBuilder(executable.get().toString(),
                    "--query-gpu=index,name,memory.total", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                log.warn("nvidia-smi failed; no GPUs fingerprinted: {}", output.strip());
                return List.of();
            }
            return parseNvidiaSmi(output);
        } catch (IOException e) {
            log.warn("cannot run nvidia-smi: {}", e.toString());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Lines such as {@code 0, Tesla V100-SXM2-16GB, 16160 MiB}; unreadable lines are skipped with a warning. */
    static List<GpuDevice> parseNvidiaSmi(String output) {
        List<GpuDevice> devices = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",");
            try {
                int index = Integer.parseInt(fields[0].strip());
                String model = fields[1].strip();
                long memory = 0;
                if (fields.length > 2) {
                    String[] amount = fields[2].strip().split("\\s+");
                    memory = Long.parseLong(amount[0]) << (amount.length > 1 && amount[1].equalsIgnoreCase("MiB") ? 20 : 0);
                }
                devices.add(new GpuDevice(index, model, memory));
            } catch (RuntimeException e) {
                log.warn("ignoring unreadable nvidia-smi line {}", line);
            }
        }
        return devices;
    }

    private static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The configured node name, or the hostname. */
    public static String nodeName(AgentConfig config) {
        return config.name() != null && !config.name().isBlank() ? config.name() : hostname();
    }

    static long cpuMillis() {
        return Runtime.getRuntime().availableProcessors() * 1000L;
    }

    /** {@code MemTotal} in bytes, or the JVM's view of physical memory when /proc is not there. */
    static long memoryBytes(Path meminfo) {
        try {
            for (String line : Files.readAllLines(meminfo)) {
                if (line.startsWith("MemTotal:")) {
                    String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                    long value = Long.parseLong(parts[0]);
                    return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read {}: {}", meminfo, e.toString());
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    static long diskBytes(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            return Files.getFileStore(dataDir).getUsableSpace();
        } catch (IOException e) {
            log.warn("cannot measure the disk of {}: {}", dataDir, e.toString());
            return 0;
        }
    }

    static String hostname() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
