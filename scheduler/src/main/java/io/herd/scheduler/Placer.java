package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.PlacementFailure;
import io.herd.api.Resources;
import io.herd.api.Task;
import io.herd.api.TaskState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Chooses nodes for the placements of one evaluation: the chain of feasibility filters (cheap, static ones once
 * per group; resources and ports per placement), then scoring (bin packing minus anti-affinity, spread and
 * previous-node penalties), then the best node, ties going to the smallest node id.
 *
 * <p>It keeps each node's usage and each group's presence per node as the plan grows, so a later placement sees
 * the earlier ones: a plan never over-commits a node or gives a port twice, and anti-affinity and spread work
 * within one plan. One instance per {@link Scheduler#process} call; not thread-safe.
 */
final class Placer {
    private final SchedulerConfig config;
    private final ClusterView view;
    private final Job job;
    private final RandomGenerator random;
    private final Instant now;
    /** Sorted by id, so that ties and reason counts never depend on the order of the view. */
    private final List<Node> nodes;
    private final Map<String, Node> nodesById = new HashMap<>();
    /** Filled lazily: only nodes that pass the static filters of some group are ever looked at. */
    private final Map<String, NodeUsage> usageByNode = new HashMap<>();
    /** Per group name, per node id: live instances of the group that this plan keeps, plus its placements. */
    private final Map<String, Map<String, Integer>> presenceByGroup = new HashMap<>();

    /**
     * @param instances every instance of the job
     * @param stoppedIds instances this plan stops: they no longer count for anti-affinity and spread, but still
     *        hold their resources until they are terminal
     */
    Placer(SchedulerConfig config, ClusterView view, Job job, List<Instance> instances, Set<String> stoppedIds,
            RandomGenerator random, Instant now) {
        this.config = config;
        this.view = view;
        this.job = job;
        this.random = random;
        this.now = now;
        this.nodes = view.nodes().stream().sorted(Comparator.comparing(Node::id)).toList();
        nodes.forEach(node -> nodesById.put(node.id(), node));
        for (Instance instance : instances) {
            if (instance.isLive() && !stoppedIds.contains(instance.id())) {
                presence(instance.group()).merge(instance.nodeId(), 1, Integer::sum);
            }
        }
    }

    record GroupOutcome(List<Instance> placements, Optional<PlacementFailure> failure) {}

    /** A node that passed the static filters, with its usage and its value of the group's spread attribute. */
    private record Candidate(Node node, NodeUsage usage, String spreadValue) {}

    /** Places what fits of {@code requests}, all of {@code group}, in order. */
    GroupOutcome place(Group group, List<PlacementRequest> requests) {
        List<Node> feasible = new ArrayList<>();
        Map<String, Integer> staticRejections = new TreeMap<>();
        for (Node node : nodes) {
            Feasibility.staticRejection(node, job, group).ifPresentOrElse(
                    reason -> staticRejections.merge(reason, 1, Integer::sum),
                    () -> feasible.add(node));
        }
        Map<String, Integer> presence = presence(group.name());
        SpreadScorer spread = group.spread() == null ? null
                : new SpreadScorer(group.spread(), feasible, presence, nodesById);
        // What the inner loop needs of a node, looked up once per group rather than once per placement.
        List<Candidate> candidates = new ArrayList<>(feasible.size());
        for (Node node : feasible) {
            String spreadValue = spread == null ? null : node.attribute(group.spread().attr()).orElse(null);
            candidates.add(new Candidate(node, usage(node), spreadValue));
        }
        Resources request = group.resources();
        List<String> portNames = List.copyOf(group.portNames());

        List<Instance> placements = new ArrayList<>();
        for (int position = 0; position < requests.size(); position++) {
            PlacementRequest placement = requests.get(position);
            Map<String, Integer> dynamicRejections = new TreeMap<>();
            Candidate best = null;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (Candidate candidate : candidates) {
                Node node = candidate.node();
                NodeUsage usage = candidate.usage();
                Optional<String> rejection = Feasibility.dynamicRejection(usage, request, portNames.size());
                if (rejection.isPresent()) {
                    dynamicRejections.merge(rejection.get(), 1, Integer::sum);
                    continue;
                }
                double score = config.binPackWeight() * BinPackScorer.fullnessAfter(node.capacity(), usage.used(), request)
                        - config.jobAntiAffinityPenalty() * presence.getOrDefault(node.id(), 0)
                        - (spread == null ? 0 : config.spreadPenalty() * spread.penalty(candidate.spreadValue()))
                        - (node.id().equals(placement.avoidNodeId()) ? config.previousNodePenalty() : 0);
                // Strictly greater: of equal scores the first, i.e. the smallest node id, wins.
                if (score > bestScore) {
                    best = candidate;
                    bestScore = score;
                }
            }
            if (best == null) {
                // Every later request of this group asks for the same resources and ports of the same nodes, so
                // it would be rejected for the same reasons: report them all as unplaced at once.
                Map<String, Integer> reasons = new TreeMap<>(staticRejections);
                dynamicRejections.forEach((reason, count) -> reasons.merge(reason, count, Integer::sum));
                return new GroupOutcome(placements,
                        Optional.of(new PlacementFailure(group.name(), requests.size() - position, nodes.size(), reasons)));
            }
            Instance instance = newInstance(group, placement, best.node(), portNames);
            best.usage().add(instance);
            presence.merge(best.node().id(), 1, Integer::sum);
            if (spread != null) {
                spread.placed(best.spreadValue());
            }
            placements.add(instance);
        }
        return new GroupOutcome(placements, Optional.empty());
    }

    private Instance newInstance(Group group, PlacementRequest placement, Node node, List<String> portNames) {
        String id = RandomIds.uuid(random);
        Map<String, Integer> ports = usage(node).choosePorts(portNames, random);
        Map<String, TaskState> tasks = new LinkedHashMap<>();
        for (Task task : group.tasks()) {
            tasks.put(task.name(), TaskState.pending());
        }
        return new Instance(id, job.app(), job.name(), group.name(), placement.index(), job.version(), node.id(),
                node.name(), group.resources(), ports, InstanceState.PENDING, DesiredStatus.RUN, null, tasks,
                placement.previousInstanceId(), now, now);
    }

    private NodeUsage usage(Node node) {
        return usageByNode.computeIfAbsent(node.id(), id -> NodeUsage.of(node, view.instancesOnNode(id)));
    }

    private Map<String, Integer> presence(String groupName) {
        return presenceByGroup.computeIfAbsent(groupName, name -> new HashMap<>());
    }
}
