package io.herd.bench;

import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.Resources;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Borg-style cell compaction on a synthetic cell of identical machines: each contender places the whole workload
 * on the full cell (how many machines it touches), then on ever smaller cells, by binary search on the machine
 * count, to find the fewest machines on which it still places every instance (growing the cell first, up to
 * {@value #MAX_GROWTH} times, when even the full one does not hold everything). Both figures are set against the
 * lower bound max over resources of ceil(total demand / machine capacity).
 *
 * <p>Heuristics are not monotonic in the cell size (one more machine can change every later choice), so the
 * search finds a size that fits with one machine less not fitting, as Borg's compaction experiments do; it is not
 * guaranteed to be the global minimum.
 */
final class CompactionBenchmark {
    /** A contender that cannot hold the workload on the full cell is given up to this many times as many machines. */
    private static final int MAX_GROWTH = 4;

    private CompactionBenchmark() {}

    static Figures run(Options options, PrintStream log) {
        Workload workload = Workload.load(options.string("workload", "compaction"));
        workload = options.integer("machines").map(workload::withNodeCount).orElse(workload);
        workload = options.integer("jobs").map(workload::withJobCount).orElse(workload);
        long seed = options.longValue("seed", 1);
        boolean search = options.flag("search", true);
        List<Contender> contenders = Contenders.parse(options.string("policies", Contenders.ALL), options);
        options.requireAllUsed();

        List<Job> jobs = workload.buildJobs(seed);
        Resources machine = workload.nodes().capacity();
        List<Resources> demands = new ArrayList<>();
        for (Job job : jobs) {
            for (Group group : job.groups()) {
                for (int i = 0; i < group.count(); i++) {
                    demands.add(group.resources());
                }
            }
        }
        int lowerBound = LowerBound.machines(demands, machine);
        int machines = workload.nodes().count();
        Resources total = demands.stream().reduce(Resources.ZERO, Resources::plus);
        log.printf("compaction: %,d machines of %s; %,d jobs, %,d instances asking %s; lower bound %,d machines%n",
                machines, machine, jobs.size(), demands.size(), total, lowerBound);

        Figures figures = new Figures()
                .put("benchmark", "compaction")
                .put("machines", machines)
                .put("jobs", jobs.size())
                .put("instances", demands.size())
                .put("seed", seed)
                .put("cpu_demand_share", (double) total.cpuMillis() / (machine.cpuMillis() * (long) machines))
                .put("memory_demand_share", (double) total.memoryBytes() / (machine.memoryBytes() * (long) machines))
                .put("lower_bound", lowerBound);
        Figures results = new Figures();
        for (Contender contender : contenders) {
            Figures result = compact(contender, workload, jobs, lowerBound, search, seed, log);
            results.put(contender.name(), result);
        }
        figures.put("policies", results);
        return figures;
    }

    private static Figures compact(Contender contender, Workload workload, List<Job> jobs, int lowerBound,
            boolean search, long seed, PrintStream log) {
        int machines = workload.nodes().count();
        Contender.Summary full = contender.run(workload.buildNodes(machines), jobs, seed);
        requireNoViolations(contender, full);
        Figures result = new Figures()
                .put("machines_used", full.nodesInUse())
                .put("unplaced", full.unplaced())
                .put("wall_s", full.wallNanos() / 1e9)
                .put("placements_per_s", full.placementsPerSecond());
        if (full.digest() != 0) {
            result.put("placement_digest", Long.toHexString(full.digest()));
        }
        Integer fewest = null;
        int probes = 0;
        if (search) {
            // The smallest cell known to hold everything: the full one, or a grown one when even that is too small.
            int high = machines;
            boolean fits = full.unplaced() == 0;
            while (!fits && high < MAX_GROWTH * machines) {
                high *= 2;
                Contender.Summary probe = contender.run(workload.buildNodes(high), jobs, seed);
                requireNoViolations(contender, probe);
                probes++;
                fits = probe.unplaced() == 0;
            }
            if (fits) {
                int low = lowerBound;
                while (low < high) {
                    int middle = (low + high) >>> 1;
                    Contender.Summary probe = contender.run(workload.buildNodes(middle), jobs, seed);
                    requireNoViolations(contender, probe);
                    probes++;
                    if (probe.unplaced() == 0) {
                        high = middle;
                    } else {
                        low = middle + 1;
                    }
                }
                fewest = high;
                result.put("min_machines", fewest)
                        .put("min_over_lower_bound", (double) fewest / lowerBound);
            }
            result.put("probes", probes);
        }
        log.printf("  %-12s %,5d machines used on the full cell, %,d unplaced, %.2f s; fewest machines %s (lower bound %,d)%n",
                contender.name(), full.nodesInUse(), full.unplaced(), full.wallNanos() / 1e9,
                fewest == null ? "-" : String.format("%,d (+%.1f%%)", fewest, 100.0 * (fewest - lowerBound) / lowerBound),
                lowerBound);
        return result;
    }

    static void requireNoViolations(Contender contender, Contender.Summary summary) {
        if (summary.violations() > 0) {
            throw new IllegalStateException(contender.name() + " over-committed " + summary.violations() + " node(s)");
        }
    }
}
