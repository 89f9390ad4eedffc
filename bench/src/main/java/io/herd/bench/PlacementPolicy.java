package io.herd.bench;

import io.herd.api.Evaluation;
import io.herd.api.Job;
import io.herd.api.Plan;

import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * A way to turn an evaluation into a plan over the simulated state: Herd's scheduler, or one of the reference
 * policies. Every policy's plans go through the same {@link SimulatedPlanApplier}, so none can over-commit a node
 * and all are measured the same way. Implementations must be safe to call from several threads on a cluster that
 * does not change meanwhile.
 */
interface PlacementPolicy {
    /** Snake case, as it appears in the JSON figures: {@code herd}, {@code best_fit}, .... */
    String name();

    Plan plan(Evaluation evaluation, Job job, SimulatedCluster cluster, Instant now, RandomGenerator random);
}
