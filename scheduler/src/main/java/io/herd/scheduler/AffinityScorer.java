package io.herd.scheduler;

import io.herd.api.Affinity;
import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Soft preferences of a job and a group for nodes: the sum of the weights of the affinities a node matches,
 * divided by 100 per affinity, so that the score is between -1 (matches every anti-affinity at weight -100) and 1
 * (every affinity at weight 100). A single affinity of weight 50 adds 0.5 to the nodes it matches.
 *
 * <p>On the placer's scale (bin packing 0..1, spread penalty up to 1) an affinity of weight 100 outweighs any
 * difference in fullness, as a user who says "prefer zone a" expects, while a weaker one only breaks near ties.
 * It depends only on the node's attributes: computed once per candidate and group, part of its
 * {@link NodeClasses.Key}. It never rejects a node.
 */
final class AffinityScorer {
    /** What an affinity score of 1 is worth against a bin-packing score between 0 and 1. */
    static final double WEIGHT = 1.0;

    private record Compiled(String attr, Predicate<String> test, int weight) {}

    private final List<Compiled> affinities;
    private final double scale;

    private AffinityScorer(List<Compiled> affinities) {
        this.affinities = affinities;
        this.scale = 1.0 / (Affinity.MAX_WEIGHT * (double) affinities.size());
    }

    /** The job's and the group's affinities, or null when there are none (the common case: nothing to score). */
    static AffinityScorer of(Job job, Group group) {
        List<Compiled> compiled = new ArrayList<>();
        for (Affinity affinity : job.affinities()) {
            compiled.add(new Compiled(affinity.attr(), affinity.condition().compile(), affinity.weight()));
        }
        for (Affinity affinity : group.affinities()) {
            compiled.add(new Compiled(affinity.attr(), affinity.condition().compile(), affinity.weight()));
        }
        return compiled.isEmpty() ? null : new AffinityScorer(List.copyOf(compiled));
    }

    /** Between -1 and 1. */
    double score(Node node) {
        int total = 0;
        for (Compiled affinity : affinities) {
            if (affinity.test().test(node.attribute(affinity.attr()).orElse(null))) {
                total += affinity.weight();
            }
        }
        return total * scale;
    }
}
