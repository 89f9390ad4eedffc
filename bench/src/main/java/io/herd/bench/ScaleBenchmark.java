package io.herd.bench;

import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.Node;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Throughput and latency at Borg scale: N identical nodes, J jobs of I instances (sizes drawn from a workload
 * file), one evaluation per job through Herd's scheduler and the plan applier; then Fenzo on the same nodes and
 * instances in the same JVM. Both are warmed up on a small cell first, so that the JIT compiler is not measured.
 */
final class ScaleBenchmark {
    private ScaleBenchmark() {}

    static Figures run(Options options, PrintStream log) {
        Workload workload = Workload.load(options.string("workload", "scale"));
        workload = options.integer("nodes").map(workload::withNodeCount).orElse(workload);
        workload = options.integer("jobs").map(workload::withJobCount).orElse(workload);
        workload = options.integer("instances-per-job").map(workload::withInstancesPerJob).orElse(workload);
        long seed = options.longValue("seed", 1);
        int workers = options.integer("workers", 1);
        boolean fenzo = options.flag("fenzo", true);
        Duration fenzoBudget = Duration.ofSeconds(options.longValue("fenzo-budget-s", 60));
        double goodEnough = options.doubleValue("fenzo-good-enough", 1.01);
        boolean warmup = options.flag("warmup", true);
        boolean sampling = options.flag("sampling", true);
        String latenciesFile = options.string("latencies-file").orElse(null);
        options.requireAllUsed();

        List<Node> nodes = workload.buildNodes();
        List<Job> jobs = workload.buildJobs(seed);
        int instances = jobs.stream().flatMap(job -> job.groups().stream()).mapToInt(Group::count).sum();
        log.printf("scale: %,d nodes, %,d jobs, %,d instances, %d worker(s), seed %d%n", nodes.size(), jobs.size(),
                instances, workers, seed);

        if (warmup) {
            Workload small = workload.withNodeCount(Math.min(1000, nodes.size())).withJobCount(Math.min(10, jobs.size()))
                    .withInstancesPerJob(Math.min(500, workload.jobs().instances()));
            long started = System.nanoTime();
            new Simulator(new SimulatedCluster(small.buildNodes()), HerdPolicy.withSampling(sampling), workers, seed)
                    .run(small.buildJobs(seed + 1));
            if (fenzo) {
                new FenzoPeer(goodEnough).run(small.buildNodes(), small.buildJobs(seed + 1), Duration.ofSeconds(5).toNanos());
            }
            log.printf("warm-up on %,d nodes took %.1f s%n", small.nodes().count(), (System.nanoTime() - started) / 1e9);
        }

        SimulatedCluster cluster = new SimulatedCluster(nodes);
        Simulator.Result herd = new Simulator(cluster, HerdPolicy.withSampling(sampling), workers, seed).run(jobs);
        int violations = ClusterInvariants.violations(cluster).size();
        if (latenciesFile != null) {
            writeLatencies(Path.of(latenciesFile), herd.evaluationNanos());
        }
        log.printf("herd: %,d placed, %,d unplaced in %.2f s: %,.0f placements/s, p50 %.1f ms, p99 %.1f ms per evaluation, "
                        + "%d refused by the applier%n", herd.placed(), herd.unplaced(), herd.wallSeconds(),
                herd.placementsPerSecond(), herd.percentileMillis(50), herd.percentileMillis(99), herd.refused());

        Figures figures = new Figures()
                .put("benchmark", "scale")
                .put("nodes", nodes.size())
                .put("jobs", jobs.size())
                .put("instances", instances)
                .put("workers", workers)
                .put("seed", seed)
                .put("sampling", sampling)
                .put("placed", herd.placed())
                .put("unplaced", herd.unplaced())
                .put("refused", herd.refused())
                .put("wall_s", herd.wallSeconds())
                .put("placements_per_s", herd.placementsPerSecond())
                .put("p50_eval_ms", herd.percentileMillis(50))
                .put("p99_eval_ms", herd.percentileMillis(99))
                .put("max_eval_ms", herd.percentileMillis(100))
                .put("overcommitted_nodes", violations)
                .put("placement_digest", Long.toHexString(herd.digest()));
        if (fenzo) {
            FenzoPeer.Result peer = new FenzoPeer(goodEnough).run(nodes, jobs, fenzoBudget.toNanos());
            log.printf("fenzo: %,d of %,d instances (%d of %d jobs, budget %d s) placed in %.2f s: %,.0f placements/s, "
                            + "p99 %.1f ms per job%n", peer.placed(), peer.instancesRun(), peer.jobsRun(), jobs.size(),
                    fenzoBudget.toSeconds(), peer.wallSeconds(), peer.placementsPerSecond(), peer.percentileMillis(99));
            figures.put("fenzo_good_enough", goodEnough)
                    .put("fenzo_jobs", peer.jobsRun())
                    .put("fenzo_instances", peer.instancesRun())
                    .put("fenzo_placed", peer.placed())
                    .put("fenzo_wall_s", peer.wallSeconds())
                    .put("fenzo_placements_per_s", peer.placementsPerSecond())
                    .put("fenzo_p99_eval_ms", peer.percentileMillis(99))
                    .put("fenzo_overcommitted_nodes", peer.overcommittedNodes())
                    .put("ratio", herd.placementsPerSecond() / peer.placementsPerSecond());
        }
        return figures;
    }

    /** One line per evaluation, in order: its number and its latency in milliseconds, to see where time goes. */
    private static void writeLatencies(Path file, long[] nanos) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < nanos.length; i++) {
            text.append(i + 1).append(' ').append(String.format("%.3f", nanos[i] / 1e6)).append('\n');
        }
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
