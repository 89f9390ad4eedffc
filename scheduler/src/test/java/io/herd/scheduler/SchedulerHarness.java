package io.herd.scheduler;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.testkit.FakeClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * In the spirit of Nomad's scheduler harness: seed a cluster, process an evaluation, look at the plan. Every plan
 * is recorded; {@link #processAndApply} also applies it so that the next evaluation sees its result.
 */
final class SchedulerHarness {
    final InMemoryCluster cluster = new InMemoryCluster();
    final FakeClock clock = new FakeClock();
    final List<Plan> plans = new ArrayList<>();
    private final AtomicInteger evaluations = new AtomicInteger();
    private Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
    private long seed = 42;

    SchedulerHarness config(SchedulerConfig config) {
        this.scheduler = new Scheduler(config);
        return this;
    }

    SchedulerHarness seed(long newSeed) {
        this.seed = newSeed;
        return this;
    }

    /** Registers {@code job} as its version and processes an evaluation of it. */
    Plan process(Job job) {
        cluster.register(job);
        return process(job.id(), job);
    }

    /** Processes an evaluation of {@code jobId} whose job is {@code job} (null when purged). */
    Plan process(String jobId, Job job) {
        Evaluation evaluation = Evaluation.pending("eval-" + evaluations.incrementAndGet(), jobId,
                EvaluationTrigger.JOB_REGISTER, clock.instant());
        Plan plan = scheduler.process(evaluation, job, cluster, clock.instant(), new SplittableRandom(seed++));
        plans.add(plan);
        return plan;
    }

    Plan processAndApply(Job job) {
        Plan plan = process(job);
        cluster.apply(plan, clock.instant());
        return plan;
    }

    /** How many of {@code placements} went to each node id. */
    static Map<String, Long> countByNode(List<Instance> placements) {
        return placements.stream().collect(Collectors.groupingBy(Instance::nodeId, TreeMap::new, Collectors.counting()));
    }
}
