package io.herd.agent.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The machine, in the spirit of node_exporter: cpu time by mode ({@code /proc/stat}), memory
 * ({@code /proc/meminfo}), the filesystem of the agent's data directory, network traffic
 * ({@code /proc/net/dev}) and load ({@code /proc/loadavg}). Read at scrape time; a file that cannot be read
 * leaves its metrics out rather than failing the scrape.
 */
public final class NodeMetrics implements MultiCollector {
    /** Linux reports cpu time in USER_HZ ticks, 100 per second on every architecture Herd runs on. */
    static final double TICKS_PER_SECOND = 100;
    static final List<String> CPU_MODES = List.of("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal");
    private static final Map<String, String> MEMORY_FIELDS = Map.of(
            "MemTotal", "herd_node_memory_total_bytes",
            "MemFree", "herd_node_memory_free_bytes",
            "MemAvailable", "herd_node_memory_available_bytes",
            "Buffers", "herd_node_memory_buffers_bytes",
            "Cached", "herd_node_memory_cached_bytes",
            "SwapTotal", "herd_node_memory_swap_total_bytes",
            "SwapFree", "herd_node_memory_swap_free_bytes");

    private final Path proc;
    private final Path dataDir;

    /**
     * @param proc    where procfs is mounted ({@code /proc}; a directory of fixtures in tests)
     * @param dataDir the agent's data directory, whose filesystem is reported
     */
    public NodeMetrics(Path proc, Path dataDir) {
        this.proc = proc;
        this.dataDir = dataDir;
    }

    @Override
    public MetricSnapshots collect() {
        MetricFamilies families = new MetricFamilies()
                .counter("herd_node_cpu_seconds", "CPU time of the machine by mode, summed over its CPUs.")
                .gauge("herd_node_cpus", "CPUs of the machine.");
        readCpu(families);
        readMemory(families);
        readFilesystem(families);
        readNetwork(families);
        readLoad(families);
        return families.build();
    }

    private void readCpu(MetricFamilies families) {
        List<String> lines = lines("stat");
        int cpus = 0;
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            if (fields[0].equals("cpu")) {
                for (int mode = 0; mode < CPU_MODES.size() && mode + 1 < fields.length; mode++) {
                    families.add("herd_node_cpu_seconds", parse(fields[mode + 1]) / TICKS_PER_SECOND,
                            "mode", CPU_MODES.get(mode));
                }
            } else if (fields[0].startsWith("cpu")) {
                cpus++;
            }
        }
        if (cpus > 0) {
            families.add("herd_node_cpus", cpus);
        }
    }

    private void readMemory(MetricFamilies families) {
        new java.util.TreeMap<>(MEMORY_FIELDS).forEach((field, name) ->
                families.gauge(name, "/proc/meminfo " + field + ", in bytes."));
        for (String line : lines("meminfo")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = MEMORY_FIELDS.get(line.substring(0, colon));
            if (name != null) {
                String[] value = line.substring(colon + 1).trim().split("\\s+");
                double bytes = parse(value[0]) * (value.length > 1 && value[1].equals("kB") ? 1024 : 1);
                families.add(name, bytes);
            }
        }
    }

    private void readFilesystem(MetricFamilies families) {
        families.gauge("herd_node_filesystem_size_bytes", "Size of the filesystem holding the agent's data directory.")
                .gauge("herd_node_filesystem_free_bytes", "Free bytes of that filesystem (root's reserve included).")
                .gauge("herd_node_filesystem_avail_bytes", "Bytes of that filesystem available to unprivileged users.");
        try {
            FileStore store = Files.getFileStore(dataDir);
            String path = dataDir.toAbsolutePath().toString();
            families.add("herd_node_filesystem_size_bytes", store.getTotalSpace(), "path", path);
            families.add("herd_node_filesystem_free_bytes", store.getUnallocatedSpace(), "path", path);
            families.add("herd_node_filesystem_avail_bytes", store.getUsableSpace(), "path", path);
        } catch (IOException e) {
            // the data directory vanished: nothing to report
        }
    }

    private void readNetwork(MetricFamilies families) {
        families.counter("herd_node_network_receive_bytes", "Bytes received by a network device.")
                .counter("herd_node_network_transmit_bytes", "Bytes sent by a network device.")
                .counter("herd_node_network_receive_packets", "Packets received by a network device.")
                .counter("herd_node_network_transmit_packets", "Packets sent by a network device.");
        for (String line : lines("net/dev")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue; // the two header lines
            }
            String device = line.substring(0, colon).trim();
            String[] fields = line.substring(colon + 1).trim().split("\\s+");
            if (fields.length < 10) {
                continue;
            }
            families.add("herd_node_network_receive_bytes", parse(fields[0]), "device", device);
            families.add("herd_node_network_receive_packets", parse(fields[1]), "device", device);
            families.add("herd_node_network_transmit_bytes", parse(fields[8]), "device", device);
            families.add("herd_node_network_transmit_packets", parse(fields[9]), "device", device);
        }
    }

    private void readLoad(MetricFamilies families) {
        families.gauge("herd_node_load1", "Load average over 1 minute.")
                .gauge("herd_node_load5", "Load average over 5 minutes.")
                .gauge("herd_node_load15", "Load average over 15 minutes.");
        List<String> lines = lines("loadavg");
        if (lines.isEmpty()) {
            return;
        }
        String[] fields = lines.getFirst().trim().split("\\s+");
        if (fields.length >= 3) {
            families.add("herd_node_load1", parse(fields[0]));
            families.add("herd_node_load5", parse(fields[1]));
            families.add("herd_node_load15", parse(fields[2]));
        }
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(proc.resolve(file));
        } catch (IOException e) {
            return List.of();
        }
    }

    private static double parse(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
