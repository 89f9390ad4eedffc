package io.herd.scheduler;

/**
 * The scheduler's knobs, with every default in {@link #DEFAULT}. Scores are on a common scale where the bin
 * packing score of a node is between 0 (empty after placement) and 1 (full after placement); the penalties are
 * subtracted from it, so a penalty of 1 outweighs any difference in fullness.
 *
 * @param binPackWeight how much a fuller node is preferred (best fit, which keeps large holes free for large
 *        instances)
 * @param jobAntiAffinityPenalty subtracted per instance of the same job and group already on the node; below 1 so
 *        that a much fuller node may still win over spreading, which avoids fragmenting the cluster
 * @param spreadPenalty subtracted, scaled to 0..1, for a node whose spread attribute value already has more
 *        instances of the group than the least used value; a node without the attribute gets all of it
 * @param previousNodePenalty subtracted for the node where the instance being replaced failed or was lost
 * @param balanceWeight how much a node whose cpu and memory would stay evenly used is preferred (see
 *        {@code BinPackScorer.imbalanceAfter}): it mixes cpu-heavy and memory-heavy instances on a machine so that
 *        neither resource is stranded; 5 was chosen on {@code bench/run compaction} (docs/benchmarks.md), where it
 *        took the cell needed from 9% over the lower bound to 2%
 * @param sampleNodes whether a placement on a large cell scores a random sample of the nodes that fit rather than
 *        all of them (relaxed randomization, see {@code NodeSample}); off, every node is scored
 */
public record SchedulerConfig(
        double binPackWeight,
        double jobAntiAffinityPenalty,
        double spreadPenalty,
        double previousNodePenalty,
        double balanceWeight,
        boolean sampleNodes) {
    public static final SchedulerConfig DEFAULT = new SchedulerConfig(1.0, 0.5, 1.0, 1.0, 5.0, true);

    /** With node sampling on, as before it existed. */
    public SchedulerConfig(double binPackWeight, double jobAntiAffinityPenalty, double spreadPenalty,
            double previousNodePenalty, double balanceWeight) {
        this(binPackWeight, jobAntiAffinityPenalty, spreadPenalty, previousNodePenalty, balanceWeight, true);
    }

    public SchedulerConfig {
        requireWeight("binPackWeight", binPackWeight);
        requireWeight("jobAntiAffinityPenalty", jobAntiAffinityPenalty);
        requireWeight("spreadPenalty", spreadPenalty);
        requireWeight("previousNodePenalty", previousNodePenalty);
        requireWeight("balanceWeight", balanceWeight);
    }

    public SchedulerConfig withBinPackWeight(double weight) {
        return new SchedulerConfig(weight, jobAntiAffinityPenalty, spreadPenalty, previousNodePenalty, balanceWeight, sampleNodes);
    }

    public SchedulerConfig withJobAntiAffinityPenalty(double penalty) {
        return new SchedulerConfig(binPackWeight, penalty, spreadPenalty, previousNodePenalty, balanceWeight, sampleNodes);
    }

    public SchedulerConfig withSpreadPenalty(double penalty) {
        return new SchedulerConfig(binPackWeight, jobAntiAffinityPenalty, penalty, previousNodePenalty, balanceWeight, sampleNodes);
    }

    public SchedulerConfig withPreviousNodePenalty(double penalty) {
        return new SchedulerConfig(binPackWeight, jobAntiAffinityPenalty, spreadPenalty, penalty, balanceWeight, sampleNodes);
    }

    public SchedulerConfig withBalanceWeight(double weight) {
        return new SchedulerConfig(binPackWeight, jobAntiAffinityPenalty, spreadPenalty, previousNodePenalty, weight,
                sampleNodes);
    }

    public SchedulerConfig withSampleNodes(boolean sample) {
        return new SchedulerConfig(binPackWeight, jobAntiAffinityPenalty, spreadPenalty, previousNodePenalty,
                balanceWeight, sample);
    }

    private static void requireWeight(String name, double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0, got " + value);
        }
    }
}
