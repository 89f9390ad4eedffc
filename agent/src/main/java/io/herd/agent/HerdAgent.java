package io.herd.agent;

import io.herd.agent.cgroup.Cgroups;
import io.herd.agent.driver.ExecDriver;
import io.herd.agent.problems.ClockSyncDetector;
import io.herd.agent.problems.CommandRunner;
import io.herd.agent.problems.DriverDetector;
import io.herd.agent.problems.FileDescriptorPressureDetector;
import io.herd.agent.problems.FilesystemPressureDetector;
import io.herd.agent.problems.FilesystemProbe;
import io.herd.agent.problems.KernelOomKillDetector;
import io.herd.agent.problems.MemoryPressureDetector;
import io.herd.agent.problems.NodeProblemDetection;
import io.herd.agent.problems.PidPressureDetector;
import io.herd.agent.problems.ProblemDetector;
import io.herd.agent.problems.ProblemThresholds;
import io.herd.agent.driver.TaskDriver;
import io.herd.agent.metrics.AgentMetrics;
import io.herd.api.Node;
import io.herd.client.HerdClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node process: fingerprints the machine, re-attaches to the tasks an earlier agent process left running,
 * starts its HTTP endpoint, registers with the servers, then heartbeats, watches its assignments, runs their
 * tasks and reports their states until closed.
 */
public final class HerdAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HerdAgent.class);
    /** How often logs' sizes are sampled for their time index: the resolution of {@code herd logs --since}. */
    private static final Duration LOG_SAMPLE_INTERVAL = Duration.ofSeconds(1);
    /** Rotation checks every this many samples. */
    private static final int SAMPLES_PER_ROTATION = 5;
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

    private final AgentConfig config;
    private final String nodeId;
    private final HerdClient client;
    private final StatusReporter reporter;
    private final AgentInstances instances;
    private final AgentHttp http;
    private final TaskLogs logs;
    /** The node as fingerprinted, once known (the HTTP status shows it). */
    private final AtomicReference<Node> node;
    private NodeRegistration registration;
    private NodeProblemDetection problems;
    private volatile AssignmentWatcher watcher;
    private Thread logKeeper;
    private UsageReporter usage;
    private volatile boolean closed;

    private HerdAgent(AgentConfig config, String nodeId, HerdClient client, StatusReporter reporter,
            AgentInstances instances, AgentHttp http, TaskLogs logs, AtomicReference<Node> node) {
        this.config = config;
        this.nodeId = nodeId;
        this.client = client;
        this.reporter = reporter;
        this.instances = instances;
        this.http = http;
        this.logs = logs;
        this.node = node;
    }

    /** Starts an agent and returns once it is registered (retrying until a server answers). */
    public static HerdAgent start(AgentConfig config) {
        return start(config, InstantSource.system());
    }

    public static HerdAgent start(AgentConfig config, InstantSource clock) {
        AgentStateStore store = new AgentStateStore(config.dataDir());
        String nodeId = store.nodeId();
        Cgroups cgroups = Cgroups.detect(Path.of("/sys/fs/cgroup"));
        Map<String, TaskDriver> drivers = new LinkedHashMap<>();
        try {
            Files.createDirectories(store.instancesDir());
            ExecDriver.create(store.binDir(), cgroups).ifPresent(driver -> drivers.put(driver.name(), driver));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the data directory " + store.dataDir(), e);
        }
        log.info("agent {} starting: data {}, drivers {}, cgroups {}", nodeId, store.dataDir(), drivers.keySet(),
                cgroups.kind());

        HerdClient client = new HerdClient(config.servers());
        StatusReporter reporter = new StatusReporter(updates -> client.reportInstances(nodeId, updates));
        String nodeName = Fingerprint.nodeName(config);
        RunnerContext context = new RunnerContext(drivers, store, clock, nodeName, System.getenv(), reporter::submit,
                new AtomicLong());
        AgentInstances instances = new AgentInstances(context, new ServerInstanceSpecs(client));
        // re-attach before registering, so the first report already says what runs here
        instances.restore();

        TaskLogs logs = new TaskLogs(store, TaskLogs.DEFAULT_MAX_BYTES, TaskLogs.DEFAULT_KEEP);
        AtomicReference<Node> node = new AtomicReference<>();
        AgentHttp http;
        try {
            http = AgentHttp.start(config.httpAddress(), logs, instances, node::get,
                    new AgentMetrics(instances, Path.of("/proc"), store.dataDir(), nodeName));
        } catch (RuntimeException e) {
            instances.detachAll();
            client.close();
            throw e;
        }
        HerdAgent agent = new HerdAgent(config, nodeId, client, reporter, instances, http, logs, node);
        try {
            agent.run(clock, drivers, store.dataDir());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.close();
            throw new IllegalStateException("interrupted while registering", e);
        } catch (RuntimeException e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    private void run(InstantSource clock, Map<String, TaskDriver> drivers, Path dataDir) throws InterruptedException {
        Node fingerprinted = Fingerprint.node(config, nodeId, http.address(), drivers.keySet(), clock.instant());
        node.set(fingerprinted);
        log.info("node {} ({}): {} at {}, labels {}", fingerprinted.name(), nodeId, fingerprinted.capacity(),
                fingerprinted.address(), fingerprinted.labels());
        problems = new NodeProblemDetection(detectors(config, dataDir, drivers), clock, config.problems().interval());
        // Once before registering, so that the first heartbeat already carries what the node looks like.
        problems.checkNow();
        problems.start();
        registration = new NodeRegistration(client, fingerprinted, clock, this::registeredAgain, problems);
        registration.registerUntilDone();
        reporter.start();
        reportEverything();
        registration.startHeartbeats();
        AgentVolumes volumes = new AgentVolumes(instances.store(), () -> client.nodeVolumes(nodeId));
        watcher = new AssignmentWatcher(client, nodeId, assigned -> {
            boolean retrySoon = instances.reconcile(assigned);
            try {
                volumes.sweep(instances.runners());
            } catch (RuntimeException e) {
                log.warn("cannot check this node's volumes: {}", e.toString());
            }
            return retrySoon;
        });
        watcher.start();
        logKeeper = Thread.ofVirtual().name("herd-logs").start(this::keepLogs);
        usage = new UsageReporter(instances::runners, Path.of("/proc"),
                report -> client.reportUsage(nodeId, report), System::nanoTime, clock);
        usage.start();
    }

    /** The node problem detectors: filesystem of the data directory, /proc, the clock tools, the drivers. */
    static List<ProblemDetector> detectors(AgentConfig config, Path dataDir, Map<String, TaskDriver> drivers) {
        ProblemThresholds thresholds = config.problems();
        Path proc = Path.of("/proc");
        CommandRunner commands = CommandRunner.system(thresholds.probeTimeout());
        FilesystemProbe filesystem = FilesystemProbe.system(commands);
        Map<String, List<String>> probes = new TreeMap<>();
        Optional<Path> tini = Optional.empty();
        if (drivers.get(ExecDriver.NAME) instanceof ExecDriver exec) {
            probes.put(ExecDriver.NAME, List.of(exec.setsid().toString(), "--version"));
            tini = exec.tini();
        }
        List<ProblemDetector> detectors = new ArrayList<>(List.of(
                FilesystemPressureDetector.disk(dataDir, filesystem, thresholds.diskPercent()),
                FilesystemPressureDetector.inodes(dataDir, filesystem, thresholds.inodePercent()),
                new MemoryPressureDetector(proc, thresholds.memoryPercent()),
                new PidPressureDetector(proc, thresholds.pidPercent()),
                new FileDescriptorPressureDetector(proc, thresholds.fileDescriptorPercent()),
                new ClockSyncDetector(Path.of("/run/systemd/timesync/synchronized"), commands),
                new KernelOomKillDetector(proc, thresholds.oomKillWindow()),
                DriverDetector.unavailable(Set.of(ExecDriver.NAME), drivers.keySet(), probes, commands)));
        if (drivers.containsKey(ExecDriver.NAME)) {
            detectors.add(DriverDetector.degraded(tini, commands));
        }
        return detectors;
    }

    private void reportEverything() {
        reporter.submitAll(instances.statuses());
    }

    private void registeredAgain() {
        if (watcher != null) {
            watcher.resetIndex();
        }
        reportEverything();
    }

    /**
     * Samples the logs of live instances every second for their time index (and those of an instance that just
     * ended once more, for its last output), and rotates logs every few seconds. One thread, so a log is never
     * sampled while it rotates.
     */
    private void keepLogs() {
        java.util.Set<String> liveAtLastSample = java.util.Set.of();
        for (long samples = 1; !closed; samples++) {
            try {
                Thread.sleep(LOG_SAMPLE_INTERVAL);
            } catch (InterruptedException e) {
                return;
            }
            try {
                Map<String, java.util.Set<String>> tasks = new java.util.HashMap<>();
                java.util.Set<String> live = new java.util.HashSet<>();
                for (InstanceRunner runner : instances.runners()) {
                    boolean terminal = runner.isTerminal();
                    if (!terminal) {
                        live.add(runner.id());
                    }
                    if (!terminal || liveAtLastSample.contains(runner.id())) {
                        tasks.put(runner.id(), runner.tasks().keySet());
                    }
                }
                logs.sample(tasks);
                liveAtLastSample = live;
                if (samples % SAMPLES_PER_ROTATION == 0) {
                    logs.rotateAll();
                }
            } catch (RuntimeException e) {
                log.warn("keeping logs failed; trying again: {}", e.toString());
            }
        }
    }

    public String nodeId() {
        return nodeId;
    }

    /** host:port of the agent's HTTP endpoint (a requested port 0 resolved). */
    public String httpAddress() {
        return http.address();
    }

    public Node node() {
        return node.get();
    }

    /** The instances this agent runs (for tests and {@code herd dev}). */
    public AgentInstances instances() {
        return instances;
    }

    /**
     * Stops the loops and the HTTP endpoint. Tasks are stopped only when {@link AgentConfig#stopTasksOnClose()};
     * otherwise they keep running for the next agent process to re-attach.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watcher != null) {
            watcher.close();
        }
        if (registration != null) {
            registration.close();
        }
        if (problems != null) {
            problems.close();
        }
        if (logKeeper != null) {
            logKeeper.interrupt();
        }
        if (usage != null) {
            usage.close();
        }
        if (config.stopTasksOnClose()) {
            instances.stopAll("agent shut down", STOP_TIMEOUT);
            try {
                reporter.flush(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            instances.detachAll();
        }
        reporter.close();
        http.close();
        client.close();
        log.info("agent {} stopped{}", nodeId,
                config.stopTasksOnClose() ? " with its tasks" : "; its tasks keep running");
    }
}
