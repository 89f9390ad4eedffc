package io.herd.agent;

import io.herd.agent.metrics.CgroupUsage;
import io.herd.api.Instance;
import io.herd.api.TaskState;
import io.herd.api.wire.UsageReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Measures the machine's and every running task's cpu and memory each {@link #INTERVAL} and sends them to the
 * servers ({@code POST /v1/nodes/{id}/usage}), which keep the replicated history behind {@code herd top}.
 *
 * <p>CPU is a rate: the growth of a cpu-time counter (the task cgroup's, the machine's busy ticks in
 * {@code /proc/stat}) since the previous reading, divided by the time between them. A task run that started since
 * the previous reading (its cgroup counting from zero) is measured since its start, so it appears in the first
 * report after it started. Memory is the task's working set (usage minus inactive page cache, what
 * {@code kubectl top} shows and the OOM killer judges) and the machine's total minus available. Readings are kept
 * per run (task and start time); a run first seen long after it started (the agent restarted) waits for a second
 * reading.
 */
final class UsageReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UsageReporter.class);
    static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final double TICKS_PER_SECOND = 100;

    private final Supplier<java.util.Collection<InstanceRunner>> runners;
    private final Path proc;
    private final Consumer<UsageReport> sender;
    private final LongSupplier nanoTime;
    private final InstantSource clock;
    /** Previous cpu seconds by task key, and of the machine; only touched by the reporting thread. */
    private final Map<String, Double> previousTaskCpu = new HashMap<>();
    private double previousNodeBusySeconds = Double.NaN;
    private long previousNanos;
    private boolean measuredBefore;
    private Thread thread;
    private volatile boolean closed;

    /**
     * @param nanoTime measures the time between readings
     * @param clock    tells how long ago a task run started (its {@link TaskState#startTime()})
     */
    UsageReporter(Supplier<java.util.Collection<InstanceRunner>> runners, Path proc, Consumer<UsageReport> sender,
            LongSupplier nanoTime, InstantSource clock) {
        this.runners = runners;
        this.proc = proc;
        this.sender = sender;
        this.nanoTime = nanoTime;
        this.clock = clock;
    }

    void start() {
        thread = Thread.ofVirtual().name("herd-usage-reporter").start(this::run);
    }

    private void run() {
        measure(); // the baseline: rates need two readings
        while (!closed) {
            try {
                Thread.sleep(INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            try {
                UsageReport report = measure();
                if (report != null) {
                    sender.accept(report);
                }
            } catch (RuntimeException e) {
                // the servers may be away for a while: this interval's samples are lost, the next ones are not
                log.debug("usage report not sent: {}", e.toString());
            }
        }
    }

    /** Reads every counter; returns the report of the interval since the previous call (null on the first). */
    UsageReport measure() {
        long now = nanoTime.getAsLong();
        double elapsed = (now - previousNanos) / 1e9;
        boolean first = !measuredBefore;
        measuredBefore = true;
        previousNanos = now;

        UsageReport.Sample node = null;
        double busy = nodeBusySeconds();
        long memory = nodeMemoryBytes();
        if (!Double.isNaN(busy) && !Double.isNaN(previousNodeBusySeconds) && busy >= previousNodeBusySeconds
                && elapsed > 0 && memory >= 0) {
            node = new UsageReport.Sample((busy - previousNodeBusySeconds) / elapsed, memory);
        }
        previousNodeBusySeconds = busy;

        List<UsageReport.TaskSample> tasks = new ArrayList<>();
        Map<String, Double> seen = new HashMap<>();
        Instant wallNow = clock.instant();
        for (InstanceRunner runner : runners.get()) {
            Instance instance = runner.instance();
            Map<String, TaskState> states = runner.tasks();
            runner.taskResources().forEach((task, resources) -> {
                if (resources.cgroupDirectories().isEmpty()) {
                    return;
                }
                CgroupUsage usage = CgroupUsage.read(resources.cgroupDirectories());
                if (usage.cpuSeconds().isEmpty()) {
                    return;
                }
                TaskState state = states.get(task);
                Instant started = state == null ? null : state.startTime();
                // one key per run: a restarted task's counter starts again in its new cgroup
                String key = instance.id() + "/" + task + "@"
                        + (started != null ? started : resources.cgroupDirectories().getFirst());
                double cpuSeconds = usage.cpuSeconds().getAsDouble();
                seen.put(key, cpuSeconds);
                Double previous = previousTaskCpu.get(key);
                double cores;
                if (previous != null && cpuSeconds >= previous && elapsed > 0) {
                    cores = (cpuSeconds - previous) / elapsed;
                } else if (previous == null && started != null && !first) {
                    double age = Duration.between(started, wallNow).toMillis() / 1000.0;
                    if (age <= 0 || age > 2 * INTERVAL.toSeconds()) {
                        return; // started before the agent watched it: wait for a second reading
                    }
                    cores = cpuSeconds / Math.max(age, 1);
                } else {
                    return;
                }
                double memoryBytes = usage.workingSetBytes().orElse(usage.memoryBytes().orElse(0));
                tasks.add(new UsageReport.TaskSample(instance.id(), task, cores, (long) memoryBytes));
            });
        }
        previousTaskCpu.clear();
        previousTaskCpu.putAll(seen);
        return first ? null : new UsageReport(node, tasks);
    }

    /** CPU time the machine spent on anything but idle and iowait, over all its cpus; NaN when unreadable. */
    private double nodeBusySeconds() {
        try {
            for (String line : Files.readAllLines(proc.resolve("stat"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields[0].equals("cpu")) {
                    long busy = 0;
                    // user nice system idle iowait irq softirq steal (guest time is already in user)
                    for (int i = 1; i < Math.min(fields.length, 9); i++) {
                        if (i != 4 && i != 5) {
                            busy += Long.parseLong(fields[i]);
                        }
                    }
                    return busy / TICKS_PER_SECOND;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a /proc we cannot read: no machine usage
        }
        return Double.NaN;
    }

    /** MemTotal minus MemAvailable; -1 when unreadable. */
    private long nodeMemoryBytes() {
        long total = -1;
        long available = -1;
        try {
            for (String line : Files.readAllLines(proc.resolve("meminfo"))) {
                String[] fields = line.trim().split("\\s+");
                if (fields[0].equals("MemTotal:")) {
                    total = Long.parseLong(fields[1]) * 1024;
                } else if (fields[0].equals("MemAvailable:")) {
                    available = Long.parseLong(fields[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return total < 0 || available < 0 ? -1 : total - available;
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
