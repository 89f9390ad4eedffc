package io.herd.bench;

import io.herd.api.NodeStatus;
import io.herd.api.Resources;
import io.herd.api.wire.JobSummary;
import io.herd.client.HerdClient;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench/run hollow}: one real server process (a single Raft replica) and thousands of hollow agents
 * ({@link HollowAgent}) in this JVM heartbeating over HTTP; submits jobs and measures how long until every
 * instance is reported running, with the server's CPU seconds and heap.
 *
 * <p>Phases: start the server; register every agent (at most {@code --register-parallelism} at a time) and wait
 * until the server lists them all ready; then submit every job at once and poll the job summaries until every
 * instance is running. The clock starts just before the first job is submitted.
 */
final class HollowBenchmark {
    private static final Duration POLL = Duration.ofMillis(200);

    private HollowBenchmark() {}

    static Figures run(Options options, PrintStream log) throws Exception {
        int agentCount = options.integer("agents", 5000);
        int jobCount = options.integer("jobs", 50);
        int instancesPerJob = options.integer("instances-per-job", 1000);
        Duration heartbeat = Duration.ofMillis(options.longValue("heartbeat-ms", 2000));
        Duration nodeTimeout = Duration.ofMillis(options.longValue("node-timeout-ms", 30_000));
        Duration timeout = Duration.ofSeconds(options.longValue("timeout-s", 600));
        int clientCount = options.integer("clients", 16);
        int registerParallelism = options.integer("register-parallelism", 64);
        String serverJavaOptions = options.string("server-java-opts", "");
        String profile = options.string("profile").orElse(null);
        options.requireAllUsed();
        if (agentCount < 1 || jobCount < 1 || instancesPerJob < 1 || clientCount < 1) {
            throw new IllegalArgumentException("--agents, --jobs, --instances-per-job and --clients must be at least 1");
        }
        int total = jobCount * instancesPerJob;
        // Every instance asks for 100m cpu and 64Mi; each node holds 4 cpus and 8Gi, so 40 instances fit on one.
        if (total > agentCount * 40L) {
            throw new IllegalArgumentException(total + " instances do not fit on " + agentCount + " nodes (40 each)");
        }

        List<String> jvmOptions = new ArrayList<>();
        for (String option : serverJavaOptions.split(" ")) {
            if (!option.isBlank()) {
                jvmOptions.add(option);
            }
        }
        if (profile != null) {
            jvmOptions.add("-XX:StartFlightRecording=name=herd,settings=profile");
        }
        log.printf("hollow: starting a server (heartbeat %d ms, node timeout %d ms)%n", heartbeat.toMillis(),
                nodeTimeout.toMillis());
        List<HerdClient> clients = new ArrayList<>();
        List<HollowAgent> agents = new ArrayList<>();
        ServerProcess server = ServerProcess.start(heartbeat, nodeTimeout, jvmOptions, Duration.ofSeconds(60));
        try {
            log.printf("hollow: server pid %d on %s, log %s%n", server.pid(), server.httpAddress(), server.log());
            for (int i = 0; i < clientCount; i++) {
                clients.add(new HerdClient(List.of(server.httpAddress())));
            }
            HerdClient observer = new HerdClient(List.of(server.httpAddress()));
            clients.add(observer);
            Resources capacity = new Resources(4000, 8L << 30, 100L << 30);
            for (int i = 0; i < agentCount; i++) {
                agents.add(new HollowAgent(String.format(Locale.ROOT, "hollow-%05d", i + 1), capacity,
                        clients.get(i % clientCount), InstantSource.system()));
            }

            long registerStart = System.nanoTime();
            registerAll(agents, registerParallelism, log);
            awaitReadyNodes(observer, agentCount, timeout, log);
            double registerSeconds = seconds(System.nanoTime() - registerStart);
            log.printf("hollow: %d nodes registered and ready after %.1f s%n", agentCount, registerSeconds);
            double idleCpuStart = server.cpuSeconds();
            long idleStart = System.nanoTime();
            ServerProcess.sleep(Duration.ofSeconds(5));
            double idleCpuPerSecond = (server.cpuSeconds() - idleCpuStart) / seconds(System.nanoTime() - idleStart);
            log.printf("hollow: idle with %d heartbeating nodes the server uses %.2f cpu%n", agentCount,
                    idleCpuPerSecond);

            double cpuBefore = server.cpuSeconds();
            double benchCpuBefore = ownCpuSeconds();
            long start = System.nanoTime();
            submitAll(observer, jobCount, instancesPerJob);
            double submitSeconds = seconds(System.nanoTime() - start);
            log.printf("hollow: %d jobs of %d instances submitted in %.1f s%n", jobCount, instancesPerJob,
                    submitSeconds);
            double placedSeconds = Double.NaN;
            double runningSeconds = Double.NaN;
            long deadline = start + timeout.toNanos();
            long lastLog = 0;
            int running = 0;
            int placed = 0;
            while (System.nanoTime() < deadline) {
                List<JobSummary> jobs;
                try {
                    jobs = observer.listJobs();
                } catch (RuntimeException e) {
                    // An overloaded server is part of what is measured; the next poll tries again.
                    log.printf("hollow: polling the job summaries failed: %s%n", e.getMessage());
                    ServerProcess.sleep(POLL);
                    continue;
                }
                running = jobs.stream().mapToInt(JobSummary::running).sum();
                placed = running + jobs.stream().mapToInt(JobSummary::pending).sum();
                long now = System.nanoTime();
                if (placed >= total && Double.isNaN(placedSeconds)) {
                    placedSeconds = seconds(now - start);
                }
                if (running >= total) {
                    runningSeconds = seconds(now - start);
                    break;
                }
                if (now - lastLog > Duration.ofSeconds(5).toNanos()) {
                    log.printf("hollow: %5.1f s: %d placed, %d running of %d; server cpu %.1f s%n",
                            seconds(now - start), placed, running, total, server.cpuSeconds() - cpuBefore);
                    lastLog = now;
                }
                ServerProcess.sleep(POLL);
            }
            double serverCpu = server.cpuSeconds() - cpuBefore;
            double benchCpu = ownCpuSeconds() - benchCpuBefore;
            double elapsed = seconds(System.nanoTime() - start);
            if (Double.isNaN(runningSeconds)) {
                log.printf("hollow: only %d of %d instances running after %d s%n", running, total, timeout.toSeconds());
            } else {
                log.printf("hollow: all %d instances placed after %.1f s and running after %.1f s; server cpu %.1f s%n",
                        total, placedSeconds, runningSeconds, serverCpu);
            }
            if (profile != null) {
                server.dumpRecording(Path.of(profile));
                log.printf("hollow: server flight recording in %s%n", profile);
            }
            long downNodes = observer.listNodes().stream().filter(node -> node.status() != NodeStatus.READY).count();
            double heapUsed = server.heapUsedMiB(false);
            double heapLive = server.heapUsedMiB(true);
            double resident = server.residentMiB();
            return new Figures()
                    .put("agents", agentCount)
                    .put("jobs", jobCount)
                    .put("instances", total)
                    .put("heartbeat_ms", heartbeat.toMillis())
                    .put("seconds_to_all_placed", placedSeconds)
                    .put("seconds_to_all_running", runningSeconds)
                    .put("running", running)
                    .put("placements_per_s", Double.isNaN(placedSeconds) ? Double.NaN : total / placedSeconds)
                    .put("server_cpu_s", serverCpu)
                    .put("server_cpu_per_s", serverCpu / elapsed)
                    .put("server_idle_cpu_per_s", idleCpuPerSecond)
                    .put("server_heap_used_mb", heapUsed)
                    .put("server_heap_live_mb", heapLive)
                    .put("server_rss_mb", resident)
                    .put("bench_cpu_s", benchCpu)
                    .put("register_s", registerSeconds)
                    .put("nodes_not_ready", downNodes);
        } finally {
            // Agents first: a server gone under them would only make them log failed heartbeats.
            agents.forEach(HollowAgent::close);
            clients.forEach(HerdClient::close);
            server.close();
        }
    }

    private static void registerAll(List<HollowAgent> agents, int parallelism, PrintStream log) throws Exception {
        Semaphore slots = new Semaphore(parallelism);
        AtomicInteger done = new AtomicInteger();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> registrations = new ArrayList<>();
            for (HollowAgent agent : agents) {
                registrations.add(executor.submit(() -> {
                    slots.acquire();
                    try {
                        agent.register();
                    } finally {
                        slots.release();
                    }
                    // As a real agent does: heartbeats and the watch start as soon as its own node registered.
                    agent.run();
                    int count = done.incrementAndGet();
                    if (count % 1000 == 0) {
                        log.printf("hollow: %d agents registered%n", count);
                    }
                    return null;
                }));
            }
            for (Future<?> registration : registrations) {
                registration.get();
            }
        }
    }

    private static void awaitReadyNodes(HerdClient client, int count, Duration timeout, PrintStream log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long ready = client.listNodes().stream().filter(node -> node.status() == NodeStatus.READY).count();
            if (ready >= count) {
                return;
            }
            ServerProcess.sleep(Duration.ofMillis(500));
        }
        throw new IllegalStateException("not every node is ready after " + timeout.toSeconds() + "s");
    }

    private static void submitAll(HerdClient client, int jobCount, int instancesPerJob) throws Exception {
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> submissions = new ArrayList<>();
            for (int i = 0; i < jobCount; i++) {
                String spec = jobSpec(String.format(Locale.ROOT, "job-%03d", i + 1), instancesPerJob);
                submissions.add(executor.submit(() -> client.submitJob(spec)));
            }
            for (Future<?> submission : submissions) {
                submission.get();
            }
        }
    }

    /** A service whose one task would run {@code sleep}; hollow agents never start it. */
    static String jobSpec(String name, int count) {
        return """
                job: %s
                app: bench_hollow
                type: service
                priority: 200
                groups:
                  - name: main
                    count: %d
                    tasks:
                      - name: main
                        driver: exec
                        config:
                          command: /bin/sleep
                          args: ["3600"]
                        resources: {cpu: 100m, memory: 64Mi, disk: 10Mi}
                """.formatted(name, count);
    }

    private static double ownCpuSeconds() {
        return ProcessHandle.current().info().totalCpuDuration().map(duration -> duration.toNanos() / 1e9)
                .orElse(Double.NaN);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
