package io.herd.agent.metrics;

import io.herd.agent.AgentInstances;
import io.herd.api.InstanceState;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every metric of one agent, in a registry of its own: the machine ({@link NodeMetrics}), each task's cgroup
 * ({@link TaskMetrics}), the agent itself and its JVM. Everything is read when scraped; nothing polls.
 */
public final class AgentMetrics {
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /**
     * @param proc     where procfs is mounted, normally {@code /proc}
     * @param dataDir  the agent's data directory (its filesystem is reported)
     * @param nodeName the node's name, for the {@code node} label of task metrics
     */
    public AgentMetrics(AgentInstances instances, Path proc, Path dataDir, String nodeName) {
        registry.register(new NodeMetrics(proc, dataDir));
        registry.register(new TaskMetrics(instances::runners, nodeName));
        GaugeWithCallback.builder().name("herd_agent_tasks_running").help("Tasks running on this node.")
                .callback(callback -> callback.call(instances.tasksRunning())).register(registry);
        GaugeWithCallback.builder().name("herd_agent_instances").help("Instances on this node by state.")
                .labelNames("state")
                .callback(callback -> {
                    Map<InstanceState, Long> counts = instances.runners().stream()
                            .collect(Collectors.groupingBy(runner -> runner.state(), Collectors.counting()));
                    for (InstanceState state : InstanceState.values()) {
                        callback.call(counts.getOrDefault(state, 0L), state.wireName());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("herd_agent_task_restarts_total")
                .help("Task restarts by this agent process.")
                .callback(callback -> callback.call(instances.restartsTotal())).register(registry);
        // The JVM's metrics, without the two that cost more than they tell an agent: memory pool allocation (GC
        // notification listeners, which bring the JMX notification machinery) and native memory (the platform
        // MBean server and its flight recorder bean, for figures that exist only with -XX:NativeMemoryTracking).
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /** Every metric now, in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }
}
