package io.herd.scheduler;

import io.herd.api.Resources;

/**
 * Whether one more instance asking for {@code request} fits a node's resources, and the parts of the node's score
 * that depend only on the node's capacity and usage and on the request: what {@link NodeAllocation} remembers
 * between evaluations. The job-dependent parts of the score (affinities, anti-affinity, spread, the previous node)
 * and the ports are added by the {@link Placer}.
 *
 * @param rejection the first resource the request would over-commit ({@link Feasibility} reasons), or null
 * @param fullness {@link BinPackScorer#fullnessAfter}
 * @param imbalance {@link BinPackScorer#imbalanceAfter}
 * @param gpuPenalty {@link BinPackScorer#gpuPenalty}
 */
record ResourceFit(Resources request, int requestHash, String rejection, double fullness, double imbalance,
        double gpuPenalty) {
    /** @param requestHash {@code request.hashCode()}, which the memo compares before calling equals */
    static ResourceFit of(NodeUsage usage, Resources request, int requestHash) {
        String rejection = usage.insufficientResource(request).orElse(null);
        if (rejection != null) {
            return new ResourceFit(request, requestHash, rejection, 0, 0, 0);
        }
        Resources capacity = usage.node().capacity();
        Resources used = usage.used();
        return new ResourceFit(request, requestHash, null, BinPackScorer.fullnessAfter(capacity, used, request),
                BinPackScorer.imbalanceAfter(capacity, used, request),
                BinPackScorer.gpuPenalty(usage.node(), usage, request));
    }

    /** The resource part of the node's score under {@code config}'s weights. */
    double score(SchedulerConfig config) {
        return config.binPackWeight() * fullness - config.balanceWeight() * imbalance - gpuPenalty;
    }
}
