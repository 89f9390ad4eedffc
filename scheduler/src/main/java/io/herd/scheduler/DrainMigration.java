package io.herd.scheduler;

import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceStop;
import io.herd.api.Node;
import io.herd.api.UpdatePolicy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Moves one service group's instances off draining nodes without ever making more than {@code max_parallel} of
 * its indices wait: for an instance on a draining node, a replacement with the same index is placed elsewhere
 * first, beside it, and the old instance stops only once the replacement is ready (and healthy, when the group
 * has a check). At most {@code max_parallel} indices of the group are being migrated at once, so the old instance
 * keeps serving all along and a drain never lowers the group's availability below what its update policy allows.
 *
 * <p>Batch instances are not migrated: they may finish until the drain's deadline, when the drainer stops what is
 * left and the reconciler places it again elsewhere. Instances of an older spec are not migrated either: the
 * deployment replaces them anyway, and the draining node is not eligible for the new ones.
 *
 * <p>Pure like the rest of the reconciler: it reads the nodes' drains from the view and returns actions.
 */
final class DrainMigration {
    private DrainMigration() {}

    /** The reason a migrated instance stops with, naming where its replacement runs. */
    static String migratedReason(Instance replacement, Instance old) {
        return "migrated to node " + nodeName(replacement) + " (node " + nodeName(old) + " is draining)";
    }

    /**
     * @param live what the rest of the reconciler should see of the group: every instance except those on a
     *     draining node whose replacement is on its way or ready (it stops or keeps running aside)
     */
    record Outcome(List<Instance> live, List<InstanceStop> stops, List<PlacementRequest> placements) {}

    /**
     * @param instances every instance of the group, terminal ones included
     * @param current whether an instance runs the job's current spec for this group
     */
    static Outcome plan(ClusterView view, Group group, List<Instance> instances, Predicate<Instance> current) {
        List<Instance> remaining = new ArrayList<>(instances);
        List<InstanceStop> stops = new ArrayList<>();
        List<PlacementRequest> placements = new ArrayList<>();
        Map<Integer, Instance> draining = new TreeMap<>();
        Map<Integer, Instance> elsewhere = new TreeMap<>();
        for (Instance instance : instances) {
            if (!instance.isLive() || instance.index() < 0 || instance.index() >= group.count()) {
                continue;
            }
            boolean onDrainingNode = view.node(instance.nodeId()).map(Node::isDraining).orElse(false);
            (onDrainingNode ? draining : elsewhere).merge(instance.index(), instance, DrainMigration::newer);
        }
        if (draining.isEmpty()) {
            return new Outcome(instances, List.of(), List.of());
        }
        boolean checked = group.services().stream().anyMatch(service -> service.check() != null);
        int maxParallel = Math.max(1, (group.update() == null ? UpdatePolicy.DEFAULT : group.update()).maxParallel());
        int migrating = 0;
        List<Instance> candidates = new ArrayList<>();
        for (Map.Entry<Integer, Instance> entry : draining.entrySet()) {
            Instance old = entry.getValue();
            Instance replacement = elsewhere.get(entry.getKey());
            if (replacement == null) {
                if (current.test(old)) {
                    candidates.add(old);
                }
                continue;
            }
            // The replacement is there: the old instance is out of the reconciler's sight (no duplicate to
            // stop), and stops once the replacement can take over.
            remaining.remove(old);
            if (replacement.isReady() && (!checked || Boolean.TRUE.equals(replacement.healthy()))) {
                stops.add(new InstanceStop(old.id(), migratedReason(replacement, old)));
            } else {
                migrating++;
            }
        }
        // An instance that is not ready serves nobody: moving it first costs no availability.
        candidates.sort(Comparator.comparing(Instance::isReady).thenComparingInt(Instance::index));
        for (Instance old : candidates) {
            if (migrating >= maxParallel) {
                break;
            }
            // The old instance stays in sight: the reconciler sees its index served and places nothing more.
            placements.add(new PlacementRequest(group, old.index(), old.id(), old.nodeId()));
            migrating++;
        }
        return new Outcome(remaining, stops, placements);
    }

    private static Instance newer(Instance a, Instance b) {
        Comparator<Instance> byCreateTime = Comparator.comparing(Instance::createTime,
                Comparator.nullsFirst(Comparator.naturalOrder()));
        return byCreateTime.thenComparing(Instance::id).compare(a, b) >= 0 ? a : b;
    }

    private static String nodeName(Instance instance) {
        return Optional.ofNullable(instance.nodeName()).orElse(instance.nodeId());
    }
}
