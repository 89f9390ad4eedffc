package io.herd.bench;

import io.herd.api.Evaluation;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;

import java.time.Instant;
import java.util.random.RandomGenerator;

/** Herd's real scheduler, {@link Scheduler#process}, with a given configuration (the default one unless told). */
record HerdPolicy(Scheduler scheduler) implements PlacementPolicy {
    static HerdPolicy withDefaults() {
        return new HerdPolicy(new Scheduler(SchedulerConfig.DEFAULT));
    }

    /** The defaults, with node sampling on or off ({@code --sampling}): before/after figures from one build. */
    static HerdPolicy withSampling(boolean sampling) {
        return new HerdPolicy(new Scheduler(SchedulerConfig.DEFAULT.withSampleNodes(sampling)));
    }

    @Override
    public String name() {
        return "herd";
    }

    @Override
    public Plan plan(Evaluation evaluation, Job job, SimulatedCluster cluster, Instant now, RandomGenerator random) {
        return scheduler.process(evaluation, job, cluster, now, random);
    }
}
