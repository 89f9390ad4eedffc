package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.api.PriorityBand;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the plan applier keeps of a plan computed on an older snapshot: per node, the placements and preemptions
 * that are still valid on the newest state, all of a node or none of it. A preemption is valid when its victim
 * still holds resources, still should run, and its job is of a strictly lower priority band than the plan's job
 * (rechecked: the victim's job may have been updated since); a node's placements must then fit ({@link NodeFit})
 * next to what stays on the node once the victims are gone. Stops, failures and the follow-up time carry over.
 */
public final class PlanCheck {
    private PlanCheck() {}

    /**
     * @param accepted the part to commit
     * @param rejections per node id refused, why
     */
    public record Result(Plan accepted, Map<String, String> rejections) {
        public int refusedPlacements(Plan original) {
            return original.placements().size() - accepted.placements().size();
        }
    }

    public static Result check(Plan plan, ClusterView view) {
        Map<String, List<Instance>> placementsByNode = new LinkedHashMap<>();
        for (Instance placement : plan.placements()) {
            placementsByNode.computeIfAbsent(placement.nodeId(), key -> new ArrayList<>()).add(placement);
        }
        Map<String, List<InstanceStop>> preemptionsByNode = new LinkedHashMap<>();
        Map<String, String> rejections = new TreeMap<>();
        Optional<Job> preemptor = view.jobVersion(plan.jobId(), plan.jobVersion());
        Map<String, Instance> onPlanNodes = plan.preemptions().isEmpty() ? Map.of() : instancesOnPlanNodes(view, plan);
        for (InstanceStop preemption : plan.preemptions()) {
            Optional<Instance> victim = Optional.ofNullable(onPlanNodes.get(preemption.instanceId()));
            if (victim.isEmpty()) {
                // The victim is gone (garbage collected): nothing to evict, nothing to commit for it.
                continue;
            }
            preemptionsByNode.computeIfAbsent(victim.get().nodeId(), key -> new ArrayList<>()).add(preemption);
            placementsByNode.computeIfAbsent(victim.get().nodeId(), key -> new ArrayList<>());
        }
        List<Instance> fitting = new ArrayList<>();
        List<InstanceStop> preemptions = new ArrayList<>();
        for (Map.Entry<String, List<Instance>> entry : placementsByNode.entrySet()) {
            String nodeId = entry.getKey();
            List<InstanceStop> nodePreemptions = preemptionsByNode.getOrDefault(nodeId, List.of());
            Optional<String> rejection = rejection(view, plan, preemptor, nodeId, entry.getValue(), nodePreemptions,
                    onPlanNodes);
            if (rejection.isEmpty()) {
                fitting.addAll(entry.getValue());
                preemptions.addAll(nodePreemptions);
            } else {
                rejections.put(nodeId, rejection.get());
            }
        }
        return new Result(plan.withPlacementsAndPreemptions(fitting, preemptions), rejections);
    }

    private static Optional<String> rejection(ClusterView view, Plan plan, Optional<Job> preemptor, String nodeId,
            List<Instance> placements, List<InstanceStop> preemptions, Map<String, Instance> onPlanNodes) {
        Optional<Node> node = view.node(nodeId);
        if (node.isEmpty()) {
            return Optional.of("node is gone");
        }
        Set<String> victimIds = new HashSet<>();
        for (InstanceStop preemption : preemptions) {
            Instance victim = onPlanNodes.get(preemption.instanceId());
            if (!victim.holdsResources() || victim.desired() != DesiredStatus.RUN) {
                return Optional.of("victim " + victim.name() + " is no longer running");
            }
            if (preemptor.isEmpty()) {
                return Optional.of("job " + plan.jobId() + " version " + plan.jobVersion() + " is gone");
            }
            OptionalInt victimPriority = view.jobVersion(victim.jobId(), victim.jobVersion())
                    .map(job -> OptionalInt.of(job.priority())).orElse(OptionalInt.empty());
            if (victimPriority.isEmpty()
                    || !PriorityBand.mayPreempt(preemptor.get().priority(), victimPriority.getAsInt())) {
                return Optional.of("victim " + victim.name() + " is not of a lower priority band");
            }
            victimIds.add(victim.id());
        }
        if (placements.isEmpty()) {
            return preemptions.isEmpty() ? Optional.empty() : Optional.of("preemptions without placements");
        }
        List<Instance> staying = new ArrayList<>();
        for (Instance instance : view.instancesOnNode(nodeId)) {
            if (!victimIds.contains(instance.id())) {
                staying.add(instance);
            }
        }
        return NodeFit.check(node.get(), staying, placements, volumeDisk(view, plan, nodeId, placements));
    }

    /**
     * The disk sticky volumes take on the node once the placements are committed: those it keeps, plus the ones
     * the placements create (an index placed for the first time) or grow (a bigger size in a newer version).
     */
    static long volumeDisk(ClusterView view, Plan plan, String nodeId, List<Instance> placements) {
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (io.herd.api.StickyVolume volume : view.volumesOnNode(nodeId)) {
            sizes.put(volume.key(), volume.sizeBytes());
        }
        for (Instance placement : placements) {
            Optional<io.herd.api.Group> group = view.jobVersion(plan.jobId(), placement.jobVersion())
                    .flatMap(job -> job.group(placement.group()));
            for (io.herd.api.Volume volume : group.map(io.herd.api.Group::volumes).orElse(List.of())) {
                sizes.merge(io.herd.api.StickyVolume.key(placement.app(), placement.job(), placement.group(),
                        placement.index(), volume.name()), volume.sizeBytes(), Math::max);
            }
        }
        long total = 0;
        for (long size : sizes.values()) {
            total += size;
        }
        return total;
    }

    /**
     * The instances on the nodes the plan places on, by id. A preemption always comes with a placement on the
     * victim's node, so its victim is among them (unless it was garbage collected meanwhile).
     */
    private static Map<String, Instance> instancesOnPlanNodes(ClusterView view, Plan plan) {
        Map<String, Instance> byId = new java.util.HashMap<>();
        Set<String> nodeIds = new HashSet<>();
        for (Instance placement : plan.placements()) {
            if (nodeIds.add(placement.nodeId())) {
                for (Instance instance : view.instancesOnNode(placement.nodeId())) {
                    byId.put(instance.id(), instance);
                }
            }
        }
        return byId;
    }
}
