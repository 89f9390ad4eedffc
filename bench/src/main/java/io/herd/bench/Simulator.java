package io.herd.bench;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.testkit.FakeClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Drives a {@link PlacementPolicy} and the {@link SimulatedPlanApplier} over a {@link SimulatedCluster}, one
 * evaluation per submitted job, as the server's evaluation dispatcher does: a plan that the applier refuses in
 * part sends its job back to the queue for another pass (up to {@link #MAX_ATTEMPTS} evaluations per job).
 *
 * <p>With {@code workers > 1}, up to that many evaluations of different jobs are planned side by side on threads
 * from the same state (as the server's workers do from one snapshot), then applied one by one in queue order; the
 * applier catches what they both wanted. The simulated time advances one millisecond per evaluation.
 *
 * <p>Deterministic: each evaluation draws from its own generator, split from the seed in queue order, so the same
 * seed, workload and worker count give the same placements whatever the threads' timing.
 */
final class Simulator {
    static final int MAX_ATTEMPTS = 5;

    private final SimulatedCluster cluster;
    private final SimulatedPlanApplier applier;
    private final PlacementPolicy policy;
    private final int workers;
    private final long seed;
    private final FakeClock clock = new FakeClock();

    Simulator(SimulatedCluster cluster, PlacementPolicy policy, int workers, long seed) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        this.cluster = cluster;
        this.applier = new SimulatedPlanApplier(cluster);
        this.policy = policy;
        this.workers = workers;
        this.seed = seed;
    }

    /**
     * @param evaluationNanos time from taking an evaluation off the queue (the batch, with several workers) until
     *        its plan was committed, per evaluation in order
     * @param unplaced instances the jobs asked for that have no live instance at the end
     * @param digest a hash of every placement (job, group, index, id, node, ports) in commit order: equal digests
     *        mean the same placements, which is how a faster scheduler shows it still decides the same
     */
    record Result(String policy, int evaluations, int placed, int refused, int unplaced, long wallNanos,
            long[] evaluationNanos, long digest) {
        double placementsPerSecond() {
            return wallNanos == 0 ? 0 : placed * 1e9 / wallNanos;
        }

        double wallSeconds() {
            return wallNanos / 1e9;
        }

        double percentileMillis(double percentile) {
            return Percentiles.of(evaluationNanos, percentile) / 1e6;
        }
    }

    private record Pending(Job job, int attempt) {}

    Result run(List<Job> jobs) {
        Deque<Pending> queue = new ArrayDeque<>();
        for (Job job : jobs) {
            cluster.register(job);
            queue.add(new Pending(job, 1));
        }
        SplittableRandom randoms = new SplittableRandom(seed);
        List<Long> latencies = new ArrayList<>();
        int evaluations = 0;
        int placed = 0;
        int refused = 0;
        ExecutorService pool = workers == 1 ? null
                : Executors.newFixedThreadPool(workers, Thread.ofPlatform().name("simulated-worker-", 0).daemon().factory());
        long start = System.nanoTime();
        try {
            while (!queue.isEmpty()) {
                List<Pending> batch = new ArrayList<>(workers);
                while (batch.size() < workers && !queue.isEmpty()) {
                    batch.add(queue.poll());
                }
                List<Callable<Plan>> tasks = new ArrayList<>(batch.size());
                for (Pending pending : batch) {
                    evaluations++;
                    Instant now = clock.advance(Duration.ofMillis(1));
                    Evaluation evaluation = Evaluation.pending("eval-" + evaluations, pending.job().id(),
                            pending.attempt() == 1 ? EvaluationTrigger.JOB_REGISTER : EvaluationTrigger.PLAN_CONFLICT, now);
                    SplittableRandom random = randoms.split();
                    tasks.add(() -> policy.plan(evaluation, pending.job(), cluster, now, random));
                }
                long batchStart = System.nanoTime();
                List<Plan> plans = plan(pool, tasks);
                for (int i = 0; i < plans.size(); i++) {
                    SimulatedPlanApplier.Outcome outcome = applier.apply(plans.get(i));
                    latencies.add(System.nanoTime() - batchStart);
                    placed += outcome.placed();
                    refused += outcome.refused();
                    Pending pending = batch.get(i);
                    if (outcome.refused() > 0 && pending.attempt() < MAX_ATTEMPTS) {
                        queue.add(new Pending(pending.job(), pending.attempt() + 1));
                    }
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        long wall = System.nanoTime() - start;
        int unplaced = 0;
        long digest = 1;
        for (Job job : jobs) {
            List<Instance> instances = cluster.instancesOfJob(job.id());
            int live = (int) instances.stream().filter(Instance::isLive).count();
            unplaced += job.groups().stream().mapToInt(Group::count).sum() - live;
            for (Instance instance : instances) {
                digest = 1_000_003 * digest + (instance.jobId() + "/" + instance.group() + "/" + instance.index() + "/"
                        + instance.id() + "@" + instance.nodeId() + instance.ports()).hashCode();
            }
        }
        return new Result(policy.name(), evaluations, placed, refused, unplaced, wall,
                latencies.stream().mapToLong(Long::longValue).toArray(), digest);
    }

    private static List<Plan> plan(ExecutorService pool, List<Callable<Plan>> tasks) {
        try {
            if (pool == null) {
                List<Plan> plans = new ArrayList<>(tasks.size());
                for (Callable<Plan> task : tasks) {
                    plans.add(task.call());
                }
                return plans;
            }
            List<Plan> plans = new ArrayList<>(tasks.size());
            for (Future<Plan> future : pool.invokeAll(tasks)) {
                plans.add(future.get());
            }
            return plans;
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while planning", e);
        } catch (Exception e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(cause);
    }
}
