package io.herd.bench;

import io.herd.server.ClusterSnapshot;
import io.herd.server.NodeAllocationCache;
import io.herd.server.StateClusterView;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.Task;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.scheduler.PlanCheck;
import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;
import io.herd.state.ApplyPlan;
import io.herd.state.ApplyResult;
import io.herd.state.Command;
import io.herd.state.RegisterJob;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import io.herd.state.UpdateInstances;
import io.herd.state.UpsertNode;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 5's "5,000 events/s ingested without slowing scheduling", through the real state machine: scheduling
 * throughput with and without a concurrent load of agent reports that each derive an event.
 *
 * <p>As in the server, every command goes through one apply thread (Raft's state machine applies entries one by
 * one) into a real {@link StateStore}; readers take its read lock. The scheduler loop registers a job
 * ({@link RegisterJob}), copies what the scheduler reads under the read lock (the server's {@link ClusterSnapshot},
 * with its {@link NodeAllocationCache}), plans outside it with the real
 * {@link Scheduler}, re-checks the plan under the read lock ({@link PlanCheck}, as the plan applier does) and
 * commits it ({@link ApplyPlan}), job after job. With the load on, a second thread submits, every 20 ms, an
 * {@link UpdateInstances} of 100 task restarts on a node of its own (100 {@code Restarted} events, 5,000 a second
 * by default, paced by the clock), interleaved with the scheduler's commands on the apply thread. Each round runs
 * both modes on a fresh state, without load first; the figures are the medians over the rounds.
 */
final class EventLoadBenchmark {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final int BATCH = 100;
    private static final String NOISE_NODE = "noise";

    private EventLoadBenchmark() {}

    static Figures run(Options options, PrintStream log) {
        int nodes = options.integer("nodes", 1_000);
        int jobs = options.integer("jobs", 200);
        int instancesPerJob = options.integer("instances-per-job", 100);
        int eventsPerSecond = options.integer("events-per-s", 5_000);
        int rounds = options.integer("rounds", 3);
        long seed = options.longValue("seed", 1);
        options.requireAllUsed();
        log.printf("events: %,d nodes, %,d jobs x %,d instances through the state machine, without and with %,d "
                + "events/s, %d rounds%n", nodes, jobs, instancesPerJob, eventsPerSecond, rounds);

        List<Phase> quiet = new ArrayList<>();
        List<Phase> loaded = new ArrayList<>();
        // A first round to warm the JIT, not counted.
        new Run(nodes, Math.min(jobs, 50), instancesPerJob, seed).go(0, log);
        new Run(nodes, Math.min(jobs, 50), instancesPerJob, seed).go(eventsPerSecond, log);
        for (int round = 1; round <= rounds; round++) {
            quiet.add(new Run(nodes, jobs, instancesPerJob, seed).go(0, log));
            loaded.add(new Run(nodes, jobs, instancesPerJob, seed).go(eventsPerSecond, log));
        }
        // Scheduling derives events too (Registered, Scheduled): the reports' share is what the loaded run derived
        // beyond the quiet run of the same workload.
        double[] reportEventsPerSecond = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            Phase phase = loaded.get(round);
            reportEventsPerSecond[round] = (phase.events() - quiet.get(round).events()) * 1e9 / phase.wallNanos();
        }
        double quietRate = median(quiet.stream().mapToDouble(Phase::placementsPerSecond).toArray());
        double loadedRate = median(loaded.stream().mapToDouble(Phase::placementsPerSecond).toArray());
        return new Figures()
                .put("benchmark", "events")
                .put("nodes", nodes)
                .put("jobs", jobs)
                .put("instances", jobs * instancesPerJob)
                .put("rounds", rounds)
                .put("target_events_per_s", eventsPerSecond)
                .put("placements_per_s", quietRate)
                .put("p99_eval_ms", median(quiet.stream().mapToDouble(Phase::p99Millis).toArray()))
                .put("loaded_placements_per_s", loadedRate)
                .put("loaded_p99_eval_ms", median(loaded.stream().mapToDouble(Phase::p99Millis).toArray()))
                .put("loaded_events_per_s", median(reportEventsPerSecond))
                .put("loaded_reports_per_s", median(loaded.stream().mapToDouble(Phase::reportsPerSecond).toArray()))
                .put("ratio", loadedRate / quietRate);
    }

    private record Phase(double placementsPerSecond, double p99Millis, long events, long wallNanos,
            double reportsPerSecond) {}

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** One state, its apply thread, the scheduler loop and (with a load) the report thread. */
    private static final class Run {
        private final StateStore store = new StateStore();
        private final ExecutorService applyThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("apply").daemon().factory());
        private final AtomicLong index = new AtomicLong();
        private final int nodes;
        private final int jobs;
        private final int instancesPerJob;
        private final long seed;
        private final Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
        private final List<String> noiseIds = new ArrayList<>();
        /** Each node's instances as last copied, with its assignments index: only changed nodes are copied again. */
        /** Kept between evaluations as the server's evaluation dispatcher keeps it. */
        private final NodeAllocationCache allocations = new NodeAllocationCache();

        Run(int nodes, int jobs, int instancesPerJob, long seed) {
            this.nodes = nodes;
            this.jobs = jobs;
            this.instancesPerJob = instancesPerJob;
            this.seed = seed;
        }

        /** Submits a command to the apply thread and waits for it to be applied, as a Raft proposal does. */
        private ApplyResult propose(Command command) {
            CompletableFuture<ApplyResult> applied = CompletableFuture.supplyAsync(
                    () -> store.apply(index.incrementAndGet(), command), applyThread);
            try {
                return applied.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        Phase go(int eventsPerSecond, PrintStream log) {
            try {
                setUp();
                AtomicBoolean done = new AtomicBoolean();
                AtomicLong reports = new AtomicLong();
                Thread load = null;
                if (eventsPerSecond > 0) {
                    load = Thread.ofPlatform().name("reports").daemon().start(
                            () -> report(eventsPerSecond, done, reports));
                }
                long eventsBefore = store.read(StateView::lastEventSequence);
                long started = System.nanoTime();
                long[] latencies = new long[jobs];
                int placed = 0;
                SplittableRandom randoms = new SplittableRandom(seed);
                for (int j = 0; j < jobs; j++) {
                    long evaluationStarted = System.nanoTime();
                    placed += scheduleOne(j, randoms.split());
                    latencies[j] = System.nanoTime() - evaluationStarted;
                }
                long wall = System.nanoTime() - started;
                done.set(true);
                if (load != null) {
                    load.join();
                }
                long events = store.read(StateView::lastEventSequence) - eventsBefore;
                Phase phase = new Phase(placed * 1e9 / wall, Percentiles.of(latencies, 99) / 1e6, events, wall,
                        reports.get() * 1e9 / wall);
                log.printf("  %s: %,d placed in %.2f s: %,.0f placements/s, p99 %.1f ms per evaluation; %,d events, "
                                + "%,d reports of %d restarts%n", eventsPerSecond == 0 ? "quiet " : "loaded",
                        placed, wall / 1e9, phase.placementsPerSecond(), phase.p99Millis(), events, reports.get(),
                        BATCH);
                if (placed != jobs * instancesPerJob) {
                    throw new IllegalStateException("placed " + placed + " of " + jobs * instancesPerJob);
                }
                return phase;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                applyThread.shutdownNow();
            }
        }

        /** The cell, plus a node of its own with the instances whose reports make the events. */
        private void setUp() {
            Resources capacity = new Resources(32_000, 128L << 30, 1L << 40);
            for (int i = 0; i < nodes; i++) {
                String id = "node-%05d".formatted(i);
                propose(new UpsertNode(new Node(id, id, "127.0.0.1:1", capacity, Map.of("rack", "r" + i % 50),
                        Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, null, null), "n" + i, START));
            }
            Resources small = new Resources(1, 1L << 20, 0);
            // Draining: it keeps its instances and their reports, and takes none of the scheduled jobs.
            propose(new UpsertNode(new Node(NOISE_NODE, NOISE_NODE, "127.0.0.1:1", new Resources(1_000_000, 1L << 40,
                    1L << 40), Map.of(), Set.of("exec"), PortRange.DEFAULT, NodeStatus.DRAINING, null, null),
                    "noise-node", START));
            int noise = 1_000;
            Job job = job("noise", noise, small);
            propose(new RegisterJob(job, "noise-job", START));
            List<Instance> placements = new ArrayList<>();
            List<InstanceStatusUpdate> running = new ArrayList<>();
            for (int i = 0; i < noise; i++) {
                String id = "noise-" + i;
                noiseIds.add(id);
                placements.add(new Instance(id, "bench_app", "noise", "main", i, 1, NOISE_NODE, NOISE_NODE, small,
                        Map.of(), InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, null, null));
                running.add(new InstanceStatusUpdate(id, InstanceState.RUNNING, "running",
                        Map.of("main", new TaskState(TaskStatus.RUNNING, 1L, null, null, null, 0, START, null))));
            }
            String evaluation = store.read(view -> view.pendingEvaluations().getFirst().id());
            propose(new ApplyPlan(new Plan(evaluation, "bench_app/noise", 1, placements, List.of(), List.of()), false,
                    "noise-plan", START));
            propose(new UpdateInstances(NOISE_NODE, running, "noise-running", START));
        }

        private static Job job(String name, int count, Resources resources) {
            Task task = new Task("main", "exec", Map.of("command", "/bin/true"), Map.of(), resources, List.of(),
                    null);
            return new Job(name, "bench_app", JobType.SERVICE, 200, List.of(),
                    List.of(new Group("main", count, List.of(), null, null, null, List.of(), List.of(task))), 0, null,
                    false);
        }

        /** Registers job {@code number}, plans it from a copy and commits what the re-check accepts. */
        private int scheduleOne(int number, SplittableRandom random) {
            Instant now = START.plusMillis(number);
            String jobId = "bench_app/job-" + number;
            propose(new RegisterJob(job("job-" + number, instancesPerJob,
                    new Resources(100 + number % 4 * 100, (128L << 20) * (1 + number % 3), 0)), "register-" + number,
                    now));
            record Input(Evaluation evaluation, Job job, ClusterSnapshot snapshot) {}
            Input input = store.read(view -> new Input(view.pendingEvaluations().stream()
                    .filter(evaluation -> evaluation.jobId().equals(jobId)).findFirst().orElseThrow(),
                    view.job(jobId).orElseThrow(), ClusterSnapshot.of(view, allocations)));
            Plan plan = scheduler.process(input.evaluation(), input.job(), input.snapshot(), now, random);
            Plan accepted = store.read(view -> PlanCheck.check(plan, new StateClusterView(view)).accepted());
            propose(new ApplyPlan(accepted, accepted.placements().size() < plan.placements().size(),
                    "plan-" + number, now));
            return accepted.placements().size();
        }

        /** Every 20 ms (paced by the clock), one report of 100 task restarts: one Restarted event each. */
        private void report(int eventsPerSecond, AtomicBoolean done, AtomicLong reports) {
            long periodNanos = 1_000_000_000L * BATCH / eventsPerSecond;
            long next = System.nanoTime();
            int round = 0;
            while (!done.get()) {
                round++;
                Instant time = START.plusSeconds(round);
                List<InstanceStatusUpdate> updates = new ArrayList<>(BATCH);
                int first = round * BATCH % noiseIds.size();
                for (int i = first; i < first + BATCH; i++) {
                    updates.add(new InstanceStatusUpdate(noiseIds.get(i % noiseIds.size()), InstanceState.RUNNING,
                            "running", Map.of("main", new TaskState(TaskStatus.PENDING, null, 1, "Error", null, round,
                                    time, time))));
                }
                propose(new UpdateInstances(NOISE_NODE, updates, "report-" + round, time));
                reports.incrementAndGet();
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
    }
}
