package io.herd.agent;

import com.sun.management.OperatingSystemMXBean;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What this machine offers: cpu (available processors × 1000 millicores), memory ({@code MemTotal} of
 * {@code /proc/meminfo}), disk (usable space of the data directory), and labels {@code os}, {@code arch},
 * {@code kernel}, {@code hostname} plus the configured ones. Configured capacities win over measured ones.
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
                NodeStatus.READY, now, now);
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
