package io.herd.bench;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;
import io.herd.testkit.FakeClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One {@link Scheduler#process} call, the scheduler's unit of work: a job of {@code instances} identical instances
 * on a cell of {@code nodes} nodes that is already {@code loadedJobs} jobs full (from the scale workload, so that
 * nodes differ in usage). The plan is computed and thrown away, never applied, so every call sees the same state.
 * Run with {@code bench/run jmh SchedulerBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class SchedulerBenchmark {
    @Param({"1000", "10000"})
    public int nodes;

    @Param({"1000"})
    public int instances;

    @Param({"50"})
    public int loadedJobs;

    private final Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
    private SimulatedCluster cluster;
    private Job job;
    private Evaluation evaluation;
    private Instant now;

    @Setup
    public void setUp() {
        Workload workload = Workload.load("scale").withNodeCount(nodes).withJobCount(loadedJobs + 1)
                .withInstancesPerJob(instances);
        List<Job> jobs = workload.buildJobs(1);
        cluster = new SimulatedCluster(workload.buildNodes());
        new Simulator(cluster, HerdPolicy.withDefaults(), 1, 1).run(jobs.subList(0, loadedJobs));
        job = jobs.getLast();
        cluster.register(job);
        now = FakeClock.DEFAULT_START;
        evaluation = Evaluation.pending("benchmark", job.id(), EvaluationTrigger.JOB_REGISTER, now);
    }

    @Benchmark
    public Plan process() {
        return scheduler.process(evaluation, job, cluster, now, new SplittableRandom(42));
    }
}
