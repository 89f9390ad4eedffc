package io.herd.scheduler;

/**
 * How many nodes to score for a placement on a large cell: relaxed randomization, as in Borg and Kubernetes'
 * {@code percentageOfNodesToScore}. Scoring every node of a large cell for every one-instance job costs more
 * than the difference between the best node and the best of a random sample of a few hundred nodes is worth.
 *
 * <p>Every node up to {@value #SCORE_ALL_UP_TO} nodes; above, a share that shrinks with the cell's size, 50%
 * minus one point per 125 nodes (Kubernetes' formula), never under 5%, and never under
 * {@value #SCORE_ALL_UP_TO} nodes: 578 of 1,523 nodes, 500 of 10,000. The {@link Placer} samples only where the
 * sample cannot hurt what the job asked for or what packing needs (see {@link Placer#place}): not for groups with
 * many placements (equivalence classes already score them exactly and cheaply), spread or affinities, nor for
 * GPU requests, whose packing decides how many GPUs are left stranded.
 */
final class NodeSample {
    static final int SCORE_ALL_UP_TO = 300;
    static final int MIN_PERCENT = 5;

    private NodeSample() {}

    /** How many fitting nodes to score on a cell of {@code nodes} nodes; {@code nodes} when sampling is off. */
    static int size(SchedulerConfig config, int nodes) {
        if (!config.sampleNodes() || nodes <= SCORE_ALL_UP_TO) {
            return nodes;
        }
        int percent = Math.max(MIN_PERCENT, 50 - nodes / 125);
        return Math.min(nodes, Math.max(SCORE_ALL_UP_TO, (int) ((long) nodes * percent / 100)));
    }
}
