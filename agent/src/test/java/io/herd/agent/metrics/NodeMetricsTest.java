package io.herd.agent.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The machine's metrics from procfs files as the kernel writes them, and from this machine's real /proc. */
class NodeMetricsTest {
    @TempDir
    Path proc;
    @TempDir
    Path dataDir;

    private static String text(MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readsCpuMemoryNetworkLoadAndTheDataDirectorysFilesystem() throws IOException {
        Files.writeString(proc.resolve("stat"), """
                cpu  1000 20 300 40000 50 6 70 8 0 0
                cpu0 500 10 150 20000 25 3 35 4 0 0
                cpu1 500 10 150 20000 25 3 35 4 0 0
                intr 12345
                ctxt 678
                """);
        Files.writeString(proc.resolve("meminfo"), """
                MemTotal:       16384000 kB
                MemFree:         8192000 kB
                MemAvailable:   12288000 kB
                Buffers:          102400 kB
                Cached:          2048000 kB
                SwapTotal:             0 kB
                SwapFree:              0 kB
                HugePages_Total:       0
                """);
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/dev"), """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:  123456     789    0    0    0     0          0         0   123456     789    0    0    0     0       0          0
                  eth0: 9876543   12345    0    0    0     0          0         0  1234567    2345    0    0    0     0       0          0
                """);
        Files.writeString(proc.resolve("loadavg"), "0.52 0.41 0.30 2/345 6789\n");

        String text = text(new NodeMetrics(proc, dataDir).collect());

        assertThat(text).contains(
                "# TYPE herd_node_cpu_seconds_total counter\n",
                "herd_node_cpu_seconds_total{mode=\"user\"} 10.0\n",
                "herd_node_cpu_seconds_total{mode=\"idle\"} 400.0\n",
                "herd_node_cpu_seconds_total{mode=\"steal\"} 0.08\n",
                "herd_node_cpus 2.0\n",
                "herd_node_memory_total_bytes 1.6777216E10\n",
                "herd_node_memory_available_bytes 1.2582912E10\n",
                "herd_node_network_receive_bytes_total{device=\"eth0\"} 9876543.0\n",
                "herd_node_network_transmit_packets_total{device=\"lo\"} 789.0\n",
                "herd_node_load1 0.52\n",
                "herd_node_load15 0.3\n",
                "herd_node_filesystem_size_bytes{path=\"" + dataDir.toAbsolutePath() + "\"} ");
    }

    @Test
    void readsThisMachinesProc() throws IOException {
        String text = text(new NodeMetrics(Path.of("/proc"), dataDir).collect());

        assertThat(text).contains("herd_node_cpu_seconds_total{mode=\"idle\"} ", "herd_node_memory_total_bytes ",
                "herd_node_network_receive_bytes_total{device=\"lo\"} ", "herd_node_load1 ", "herd_node_cpus ");
    }

    @Test
    void aMissingProcLeavesItsMetricsOut() throws IOException {
        String text = text(new NodeMetrics(proc.resolve("absent"), dataDir).collect());

        assertThat(text).doesNotContain("herd_node_cpu_seconds_total{", "herd_node_load1 ")
                .contains("herd_node_filesystem_avail_bytes{");
    }
}
