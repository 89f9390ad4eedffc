package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Group;
import io.herd.api.InstanceStop;
import io.herd.api.PriorityBand;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.PlacementFailure;
import io.herd.api.Resources;
import io.herd.api.StickyVolume;
import io.herd.api.Task;
import io.herd.api.TaskState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Chooses nodes for the placements of one evaluation: the chain of feasibility filters (cheap, static ones such
 * as constraints once per group; per-node limits, resources and ports per placement), then scoring (bin packing
 * plus affinities, minus imbalance, anti-affinity, spread and previous-node penalties), then the best node, ties going to
 * the smallest node id.
 *
 * <p>It keeps each node's usage and each group's presence per node as the plan grows, so a later placement sees
 * the earlier ones: a plan never over-commits a node or gives a port twice, and anti-affinity and spread work
 * within one plan. One instance per {@link Scheduler#process} call; not thread-safe.
 *
 * <p>Speed: each node's usage starts from the view's {@link NodeAllocation} (kept by the view between calls, with
 * the fits and resource scores it remembers) and is shared by the groups. On a large cell a group of a few
 * placements scores a random sample of the nodes that fit ({@link NodeSample}). A group
 * with many placements scores one node per {@link NodeClasses equivalence class} instead of every node, which
 * on a cell of similar machines turns thousands of scores per placement into a handful; the node chosen is
 * exactly the one scoring every node would choose, so plans do not depend on it.
 */
final class Placer {
    /** From how many placements of one group on it is worth sorting nodes into {@link NodeClasses}. */
    static final int MIN_PLACEMENTS_FOR_CLASSES = 4;

    private final int minPlacementsForClasses;
    private final SchedulerConfig config;
    private final ClusterView view;
    private final Job job;
    private final RandomGenerator random;
    private final Instant now;
    /** Sorted by node id, so that ties and reason counts never depend on the order of the view. */
    private final List<NodeAllocation> allocations;
    /** Built when a group spreads, the only user. */
    private Map<String, Node> nodesById;
    /**
     * By position in {@link #allocations}, filled lazily: only nodes that pass the static filters of some group are ever
     * looked at. Shared by the groups of the plan, so each sees what the others placed.
     */
    private final NodeUsage[] usageByPosition;
    /** Evictions chosen so far, and the ids of their victims and of this plan's placements. */
    private final List<InstanceStop> preemptions = new ArrayList<>();
    private final Set<String> preemptedIds = new HashSet<>();
    private final Set<String> plannedIds = new HashSet<>();
    /** Looked up per instance on the preemption path: a record key, no string concatenation. */
    private record JobVersionKey(String app, String job, long version) {}
    private final Map<JobVersionKey, Integer> priorityByJobVersion = new HashMap<>();
    /** Per group name, per node id: live instances of the group that this plan keeps, plus its placements. */
    private final Map<String, Map<String, Integer>> presenceByGroup = new HashMap<>();

    /**
     * @param instances every instance of the job
     * @param stoppedIds instances this plan stops: they no longer count for anti-affinity and spread, but still
     *        hold their resources until they are terminal
     */
    Placer(SchedulerConfig config, ClusterView view, Job job, List<Instance> instances, Set<String> stoppedIds,
            RandomGenerator random, Instant now) {
        this(config, view, job, instances, stoppedIds, random, now, MIN_PLACEMENTS_FOR_CLASSES);
    }

    /** @param minPlacementsForClasses for tests: 1 always uses classes, {@link Integer#MAX_VALUE} never does */
    Placer(SchedulerConfig config, ClusterView view, Job job, List<Instance> instances, Set<String> stoppedIds,
            RandomGenerator random, Instant now, int minPlacementsForClasses) {
        this.minPlacementsForClasses = minPlacementsForClasses;
        this.config = config;
        this.view = view;
        this.job = job;
        this.random = random;
        this.now = now;
        this.allocations = view.allocations();
        this.usageByPosition = new NodeUsage[allocations.size()];
        for (Instance instance : instances) {
            if (instance.isLive() && !stoppedIds.contains(instance.id())) {
                presence(instance.group()).merge(instance.nodeId(), 1, Integer::sum);
            }
        }
    }

    record GroupOutcome(List<Instance> placements, Optional<PlacementFailure> failure) {}

    /**
     * Places what fits of {@code requests}, all of {@code group}, in order. An index of a stateful group whose
     * volumes exist goes to their node or waits (see {@link #placeOnVolumeNode}); the others, and every index of a
     * stateless group, go through filters and scores, with a new index's volumes added to its disk request.
     */
    GroupOutcome place(Group group, List<PlacementRequest> requests) {
        if (!group.isStateful()) {
            return placeAnywhere(group, requests);
        }
        Map<Integer, Map<String, StickyVolume>> volumesByIndex = new HashMap<>();
        for (StickyVolume volume : view.volumesOfJob(job.id())) {
            if (volume.group().equals(group.name())) {
                volumesByIndex.computeIfAbsent(volume.index(), index -> new HashMap<>()).put(volume.name(), volume);
            }
        }
        List<PlacementRequest> fresh = new ArrayList<>();
        List<Instance> placements = new ArrayList<>();
        Map<String, Integer> waiting = new TreeMap<>();
        int unplaced = 0;
        for (PlacementRequest request : requests) {
            Map<String, StickyVolume> volumes = volumesByIndex.get(request.index());
            if (volumes == null) {
                fresh.add(request);
                continue;
            }
            Optional<String> reason = placeOnVolumeNode(group, request, volumes, placements);
            if (reason.isPresent()) {
                waiting.merge(reason.get(), 1, Integer::sum);
                unplaced++;
            }
        }
        GroupOutcome rest = fresh.isEmpty() ? new GroupOutcome(List.of(), Optional.empty())
                : placeAnywhere(group, fresh);
        placements.addAll(rest.placements());
        if (unplaced == 0) {
            return new GroupOutcome(placements, rest.failure());
        }
        Map<String, Integer> reasons = new TreeMap<>(waiting);
        int total = unplaced;
        if (rest.failure().isPresent()) {
            rest.failure().get().reasons().forEach((reason, count) -> reasons.merge(reason, count, Integer::sum));
            total += rest.failure().get().unplaced();
        }
        // Preemption is never tried for an index waiting for its volume's node: only the others' answer counts.
        Integer preemptible = rest.failure().map(PlacementFailure::preemptibleNodes).orElse(null);
        return new GroupOutcome(placements, Optional.of(new PlacementFailure(group.name(), total, allocations.size(),
                reasons, preemptible)));
    }

    /**
     * An index whose volumes exist is placed on their node and nowhere else: a replacement of a database instance
     * must find its data, and an empty volume elsewhere would be a new, empty replica. When that node is down,
     * draining, full or no longer meets the constraints, the index waits (it is not preempted for either) and the
     * reason names the node, so {@code herd status} answers why it is pending; once the node has room again, the
     * blocked evaluation runs again. Only a purge of the job lets go of the data.
     *
     * @return empty when placed (added to {@code placements}), else why it waits
     */
    private Optional<String> placeOnVolumeNode(Group group, PlacementRequest request,
            Map<String, StickyVolume> volumes, List<Instance> placements) {
        StickyVolume any = volumes.values().stream().min(java.util.Comparator.comparing(StickyVolume::name))
                .orElseThrow();
        String waitFor = "sticky volume on " + any.nodeName();
        Node node = nodesById().get(any.nodeId());
        if (node == null) {
            return Optional.of(waitFor + ": node is gone");
        }
        int position = positionOf(node.id());
        Optional<String> rejection = Feasibility.staticRejection(node, group.drivers(), ConstraintFilter.of(job, group));
        // Volumes added or grown since the index was last placed take disk too.
        long growth = 0;
        for (io.herd.api.Volume volume : group.volumes()) {
            StickyVolume existing = volumes.get(volume.name());
            growth += existing == null ? volume.sizeBytes() : Math.max(0, volume.sizeBytes() - existing.sizeBytes());
        }
        Resources resources = group.resources().plus(new Resources(0, 0, growth));
        if (rejection.isEmpty()) {
            rejection = Feasibility.gpuRejection(node, resources);
        }
        NodeUsage usage = usage(position);
        Map<String, Integer> presence = presence(group.name());
        if (rejection.isEmpty()) {
            rejection = PerNodeLimit.of(group).rejection(presence.getOrDefault(node.id(), 0));
        }
        if (rejection.isEmpty()) {
            rejection = Feasibility.dynamicRejection(usage, resources, group.portNames().size());
        }
        if (rejection.isPresent()) {
            return Optional.of(waitFor + ": " + rejection.get());
        }
        Instance instance = newInstance(group, request, node, usage, List.copyOf(group.portNames()), resources);
        usage.add(instance);
        usage.reserveDisk(growth);
        plannedIds.add(instance.id());
        presence.merge(node.id(), 1, Integer::sum);
        placements.add(instance);
        return Optional.empty();
    }

    /** Places what fits of {@code requests} on the best nodes, in order. */
    private GroupOutcome placeAnywhere(Group group, List<PlacementRequest> requests) {
        String[] drivers = group.drivers().toArray(String[]::new);
        ConstraintFilter constraints = ConstraintFilter.of(job, group);
        // A stateful group's new index also creates its volumes on the node: their disk is asked for too.
        long volumeBytes = group.volumeBytes();
        Resources request = volumeBytes == 0 ? group.resources()
                : group.resources().plus(new Resources(0, 0, volumeBytes));
        AffinityScorer affinities = AffinityScorer.of(job, group);
        PerNodeLimit limit = PerNodeLimit.of(group);
        int portCount = group.portNames().size();
        Map<String, Integer> presence = presence(group.name());
        int sampleSize = NodeSample.size(config, allocations.size());
        boolean sample = sampleSize < allocations.size() && requests.size() < minPlacementsForClasses
                && group.spread() == null && affinities == null && request.gpuMillis() == 0;
        Pool pool = sample
                ? sample(drivers, constraints, request, limit, presence, portCount, sampleSize)
                : pool(drivers, constraints, request);
        List<Node> feasible = pool.feasible();
        List<NodeUsage> feasibleUsage = pool.usage();
        Map<String, Integer> staticRejections = pool.staticRejections();
        SpreadScorer spread = group.spread() == null ? null
                : new SpreadScorer(group.spread(), group.count(), feasible, presence, nodesById());
        // What the inner loop needs of a node, looked up once per group rather than once per placement.
        NodeClasses.Candidate[] candidates = candidates(group, feasible, feasibleUsage, spread, presence, affinities);
        // Classes pay for themselves over many placements; for a few, scoring every node is cheaper. Both choose
        // the same node.
        NodeClasses classes = requests.size() >= minPlacementsForClasses ? new NodeClasses(candidates) : null;
        Map<String, NodeClasses.Candidate> candidatesById = null;
        List<String> portNames = List.copyOf(group.portNames());

        List<Instance> placements = new ArrayList<>();
        for (int position = 0; position < requests.size(); position++) {
            PlacementRequest placement = requests.get(position);
            NodeClasses.Candidate avoid = null;
            if (placement.avoidNodeId() != null) {
                if (candidatesById == null) {
                    candidatesById = byId(candidates);
                }
                avoid = candidatesById.get(placement.avoidNodeId());
            }
            Choice choice = new Choice();
            if (classes == null) {
                scan(candidates, avoid, limit, request, portCount, spread, choice);
                if (choice.best == null && pool.sampled()) {
                    // The sample is full: look at every node, which also counts every reason if none fits.
                    pool = pool(drivers, constraints, request);
                    feasible = pool.feasible();
                    staticRejections = pool.staticRejections();
                    candidates = candidates(group, feasible, pool.usage(), spread, presence, affinities);
                    candidatesById = null;
                    avoid = placement.avoidNodeId() == null ? null : candidateById(candidates, placement.avoidNodeId());
                    scan(candidates, avoid, limit, request, portCount, spread, choice);
                }
            } else {
                for (NodeClasses.NodeClass nodeClass : classes.classes()) {
                    NodeClasses.Candidate first = classes.candidate(nodeClass.first());
                    if (dynamicRejection(first, limit, request, portCount).isPresent()) {
                        continue;
                    }
                    // Every member of the class scores the same, except the node to avoid, which is penalised.
                    double score = score(first, request, spread);
                    if (first == avoid) {
                        choice.consider(first, score - config.previousNodePenalty());
                        int second = nodeClass.second();
                        if (second >= 0) {
                            choice.consider(classes.candidate(second), score);
                        }
                    } else {
                        choice.consider(first, score);
                    }
                }
            }
            if (choice.best == null && PriorityBand.of(job.priority()) != PriorityBand.BEST_EFFORT) {
                Optional<Preemption> preemption = cheapestPreemption(candidates, limit, request, portCount);
                if (preemption.isPresent()) {
                    NodeClasses.Candidate target = preemption.get().candidate();
                    String preemptor = job.id() + "." + group.name() + "[" + placement.index() + "]";
                    for (Instance victim : preemption.get().victims()) {
                        target.usage.remove(victim);
                        preemptedIds.add(victim.id());
                        preemptions.add(new InstanceStop(victim.id(), "Preempted by " + preemptor));
                    }
                    choice.best = target;
                }
            }
            if (choice.best == null) {
                // Every later request of this group asks for the same resources and ports of the same nodes, so
                // it would be rejected for the same reasons: report them all as unplaced at once.
                Map<String, Integer> reasons = new TreeMap<>(staticRejections);
                if (classes == null) {
                    for (NodeClasses.Candidate candidate : candidates) {
                        dynamicRejection(candidate, limit, request, portCount)
                                .ifPresent(reason -> reasons.merge(reason, 1, Integer::sum));
                    }
                } else {
                    for (NodeClasses.NodeClass nodeClass : classes.classes()) {
                        NodeClasses.Candidate first = classes.candidate(nodeClass.first());
                        dynamicRejection(first, limit, request, portCount)
                                .ifPresent(reason -> reasons.merge(reason, nodeClass.size(), Integer::sum));
                    }
                }
                // Preemption was tried for this very request just above and found no node, so it cannot help here.
                int preemptible = 0;
                return new GroupOutcome(placements, Optional.of(new PlacementFailure(group.name(),
                        requests.size() - position, allocations.size(), reasons, preemptible)));
            }
            NodeClasses.Candidate best = choice.best;
            Instance instance = newInstance(group, placement, best.node, best.usage, portNames, request);
            best.usage.add(instance);
            best.usage.reserveDisk(volumeBytes);
            plannedIds.add(instance.id());
            best.presence++;
            presence.merge(best.node.id(), 1, Integer::sum);
            if (spread != null) {
                spread.placed(best.spreadValue);
            }
            if (classes != null) {
                classes.update(best);
            }
            placements.add(instance);
        }
        return new GroupOutcome(placements, Optional.empty());
    }

    /** The nodes a group's placements are chosen among, with their usage, and why the others can never do. */
    private record Pool(List<Node> feasible, List<NodeUsage> usage, Map<String, Integer> staticRejections,
            boolean sampled) {}

    /** Every node that passes the static filters (drivers, constraints, GPU devices), with the others' reasons. */
    private Pool pool(String[] drivers, ConstraintFilter constraints, Resources request) {
        List<Node> feasible = new ArrayList<>();
        List<NodeUsage> feasibleUsage = new ArrayList<>();
        Map<String, Integer> staticRejections = new TreeMap<>();
        for (int position = 0; position < allocations.size(); position++) {
            Node node = allocations.get(position).node();
            Optional<String> rejection = Feasibility.staticRejection(node, drivers, constraints);
            if (rejection.isEmpty()) {
                rejection = Feasibility.gpuRejection(node, request);
            }
            if (rejection.isPresent()) {
                staticRejections.merge(rejection.get(), 1, Integer::sum);
            } else {
                feasible.add(node);
                feasibleUsage.add(usage(position));
            }
        }
        return new Pool(feasible, feasibleUsage, staticRejections, false);
    }

    /**
     * Relaxed randomization ({@link NodeSample}): the first {@code size} nodes that can take one more instance
     * now, walking the nodes from a random position (drawn from the plan's generator, so the same seed gives the
     * same plan), in node id order. The walk stops there: neither the nodes after it are filtered nor are they
     * scored. No reasons are counted; when no node of the sample fits, the caller falls back to {@link #pool}.
     */
    private Pool sample(String[] drivers, ConstraintFilter constraints, Resources request, PerNodeLimit limit,
            Map<String, Integer> presence, int portCount, int size) {
        int count = allocations.size();
        int start = random.nextInt(count);
        int[] chosen = new int[size];
        int found = 0;
        for (int step = 0; step < count && found < size; step++) {
            int position = start + step < count ? start + step : start + step - count;
            Node node = allocations.get(position).node();
            if (Feasibility.staticRejection(node, drivers, constraints).isPresent()
                    || Feasibility.gpuRejection(node, request).isPresent()
                    || limit.rejection(presence.getOrDefault(node.id(), 0)).isPresent()
                    || Feasibility.dynamicRejection(usage(position), request, portCount).isPresent()) {
                continue;
            }
            chosen[found++] = position;
        }
        java.util.Arrays.sort(chosen, 0, found);
        List<Node> feasible = new ArrayList<>(found);
        List<NodeUsage> feasibleUsage = new ArrayList<>(found);
        for (int index = 0; index < found; index++) {
            feasible.add(allocations.get(chosen[index]).node());
            feasibleUsage.add(usage(chosen[index]));
        }
        return new Pool(feasible, feasibleUsage, Map.of(), true);
    }

    /** What the inner loop needs of a node, looked up once per group rather than once per placement. */
    private NodeClasses.Candidate[] candidates(Group group, List<Node> feasible, List<NodeUsage> feasibleUsage,
            SpreadScorer spread, Map<String, Integer> presence, AffinityScorer affinities) {
        NodeClasses.Candidate[] candidates = new NodeClasses.Candidate[feasible.size()];
        for (int rank = 0; rank < candidates.length; rank++) {
            Node node = feasible.get(rank);
            String spreadValue = spread == null ? null : node.attribute(group.spread().attr()).orElse(null);
            candidates[rank] = new NodeClasses.Candidate(rank, node, feasibleUsage.get(rank), spreadValue,
                    presence.getOrDefault(node.id(), 0), affinities == null ? 0 : affinities.score(node));
        }
        return candidates;
    }

    /** Scores every candidate that can take the placement now. */
    private void scan(NodeClasses.Candidate[] candidates, NodeClasses.Candidate avoid, PerNodeLimit limit,
            Resources request, int portCount, SpreadScorer spread, Choice choice) {
        for (NodeClasses.Candidate candidate : candidates) {
            if (dynamicRejection(candidate, limit, request, portCount).isEmpty()) {
                double score = score(candidate, request, spread);
                choice.consider(candidate, candidate == avoid ? score - config.previousNodePenalty() : score);
            }
        }
    }

    private static Map<String, NodeClasses.Candidate> byId(NodeClasses.Candidate[] candidates) {
        Map<String, NodeClasses.Candidate> byId = new HashMap<>();
        for (NodeClasses.Candidate candidate : candidates) {
            byId.put(candidate.node.id(), candidate);
        }
        return byId;
    }

    private static NodeClasses.Candidate candidateById(NodeClasses.Candidate[] candidates, String nodeId) {
        return byId(candidates).get(nodeId);
    }

    /** The group's per-node limit first (one comparison), then resources and ports. */
    private static Optional<String> dynamicRejection(NodeClasses.Candidate candidate, PerNodeLimit limit,
            Resources request, int portCount) {
        Optional<String> full = limit.rejection(candidate.presence);
        return full.isPresent() ? full : Feasibility.dynamicRejection(candidate.usage, request, portCount);
    }

    /**
     * Bin packing plus affinities minus imbalance, anti-affinity and spread penalties; the caller subtracts the previous-node
     * penalty. The only scoring formula, whether nodes are scored one by one or one per class, so both choose alike.
     */
    private double score(NodeClasses.Candidate candidate, Resources request, SpreadScorer spread) {
        return candidate.usage.fit(request).score(config)
                + AffinityScorer.WEIGHT * candidate.affinity
                - config.jobAntiAffinityPenalty() * candidate.presence
                - (spread == null ? 0 : config.spreadPenalty() * spread.penalty(candidate.spreadValue));
    }

    /** The best candidate so far: the highest score, and of equal scores the smallest node id (lowest rank). */
    private static final class Choice {
        NodeClasses.Candidate best;
        double bestScore;

        void consider(NodeClasses.Candidate candidate, double score) {
            if (best == null || score > bestScore || (score == bestScore && candidate.rank < best.rank)) {
                best = candidate;
                bestScore = score;
            }
        }
    }

    private Instance newInstance(Group group, PlacementRequest placement, Node node, NodeUsage usage,
            List<String> portNames, Resources request) {
        String id = RandomIds.uuid(random);
        Map<String, Integer> ports = usage.choosePorts(portNames, random);
        List<Integer> gpuDevices = usage.chooseGpus(request);
        Map<String, TaskState> tasks = new LinkedHashMap<>();
        for (Task task : group.tasks()) {
            tasks.put(task.name(), TaskState.pending());
        }
        return new Instance(id, job.app(), job.name(), group.name(), placement.index(), job.version(), node.id(),
                node.name(), group.resources(), ports, InstanceState.PENDING, DesiredStatus.RUN, null, tasks,
                placement.previousInstanceId(), now, now, gpuDevices, null, null);
    }

    // ---------------------------------------------------------------------------------------------- preemption

    /** Instances to evict on one node so that one more instance fits there. */
    private record Preemption(NodeClasses.Candidate candidate, List<Instance> victims, int highestPriority,
            int prioritySum) {
        /** Cheapest first: the lowest highest-priority evicted, then the fewest instances, then the lowest sum. */
        static final Comparator<Preemption> CHEAPEST_FIRST = Comparator
                .comparingInt(Preemption::highestPriority)
                .thenComparingInt(preemption -> preemption.victims().size())
                .thenComparingInt(Preemption::prioritySum)
                .thenComparingInt(preemption -> preemption.candidate().rank);
    }

    /** The cheapest node to preempt on for one more instance of {@code request}, if any. */
    private Optional<Preemption> cheapestPreemption(NodeClasses.Candidate[] candidates, PerNodeLimit limit,
            Resources request, int portCount) {
        Preemption cheapest = null;
        for (NodeClasses.Candidate candidate : candidates) {
            // Eviction frees resources, never a per-node limit: distinct_hosts and max_per_node still hold.
            if (limit.rejection(candidate.presence).isPresent()) {
                continue;
            }
            Optional<Preemption> preemption = preemptionOn(candidate, request, portCount);
            if (preemption.isPresent()
                    && (cheapest == null || Preemption.CHEAPEST_FIRST.compare(preemption.get(), cheapest) < 0)) {
                cheapest = preemption.get();
            }
        }
        return Optional.ofNullable(cheapest);
    }

    /**
     * The victims on one node: of the instances there that hold resources and belong to a lower priority band,
     * lowest priority first and of equal priority the largest first (fewer instances), evicted until the request
     * fits; then every victim that turns out not to be needed (highest priority first) is spared again. Leaves
     * the node's usage as it found it.
     */
    private Optional<Preemption> preemptionOn(NodeClasses.Candidate candidate, Resources request, int portCount) {
        NodeAllocation allocation = candidate.usage.base();
        if (allocation != null) {
            // The lowest priority here bounds what could be evicted; it is the same for every plan until the node's
            // instances change, so it is remembered with the allocation (the victims this plan already chose or
            // its own placements only make fewer instances eligible).
            int lowest = allocation.lowestPriority();
            if (lowest == NodeAllocation.PRIORITY_UNKNOWN) {
                lowest = Integer.MAX_VALUE;
                for (Instance instance : view.instancesOnNode(candidate.node.id())) {
                    if (instance.holdsResources() && instance.desired() == DesiredStatus.RUN) {
                        OptionalInt priority = priorityOf(instance);
                        if (priority.isPresent()) {
                            lowest = Math.min(lowest, priority.getAsInt());
                        }
                    }
                }
                allocation.rememberLowestPriority(lowest);
            }
            if (!PriorityBand.mayPreempt(job.priority(), lowest)) {
                return Optional.empty();
            }
        }
        List<Instance> eligible = new ArrayList<>();
        for (Instance instance : view.instancesOnNode(candidate.node.id())) {
            if (instance.holdsResources() && instance.desired() == DesiredStatus.RUN
                    && !(instance.app().equals(job.app()) && instance.job().equals(job.name()))
                    && !preemptedIds.contains(instance.id()) && !plannedIds.contains(instance.id())) {
                OptionalInt priority = priorityOf(instance);
                if (priority.isPresent() && PriorityBand.mayPreempt(job.priority(), priority.getAsInt())) {
                    eligible.add(instance);
                }
            }
        }
        if (eligible.isEmpty()) {
            return Optional.empty();
        }
        Resources capacity = candidate.node.capacity();
        eligible.sort(Comparator.comparingInt((Instance instance) -> priorityOf(instance).getAsInt())
                .thenComparing(Comparator.comparingDouble((Instance instance) -> size(instance.resources(), capacity))
                        .reversed())
                .thenComparing(Instance::id));
        NodeUsage usage = candidate.usage;
        List<Instance> victims = new ArrayList<>();
        boolean fits = false;
        for (Instance instance : eligible) {
            usage.remove(instance);
            victims.add(instance);
            if (Feasibility.dynamicRejection(usage, request, portCount).isEmpty()) {
                fits = true;
                break;
            }
        }
        if (fits) {
            for (int position = victims.size() - 2; position >= 0; position--) {
                Instance spared = victims.get(position);
                usage.add(spared);
                if (Feasibility.dynamicRejection(usage, request, portCount).isEmpty()) {
                    victims.remove(position);
                } else {
                    usage.remove(spared);
                }
            }
        }
        for (Instance victim : victims) {
            usage.add(victim);
        }
        if (!fits) {
            return Optional.empty();
        }
        int highest = 0;
        int sum = 0;
        for (Instance victim : victims) {
            int priority = priorityOf(victim).getAsInt();
            highest = Math.max(highest, priority);
            sum += priority;
        }
        return Optional.of(new Preemption(candidate, List.copyOf(victims), highest, sum));
    }

    /** An instance's share of the node, the largest over cpu, memory and GPUs: how much evicting it frees. */
    private static double size(Resources resources, Resources capacity) {
        double size = 0;
        if (capacity.cpuMillis() > 0) {
            size = Math.max(size, (double) resources.cpuMillis() / capacity.cpuMillis());
        }
        if (capacity.memoryBytes() > 0) {
            size = Math.max(size, (double) resources.memoryBytes() / capacity.memoryBytes());
        }
        if (capacity.gpuMillis() > 0) {
            size = Math.max(size, (double) resources.gpuMillis() / capacity.gpuMillis());
        }
        return size;
    }

    /** The priority of an instance's job version, if the view still knows it; unknown ones are never evicted. */
    private OptionalInt priorityOf(Instance instance) {
        JobVersionKey key = new JobVersionKey(instance.app(), instance.job(), instance.jobVersion());
        Integer priority = priorityByJobVersion.computeIfAbsent(key, ignored -> view
                .jobVersion(instance.jobId(), instance.jobVersion()).map(Job::priority).orElse(-1));
        return priority < 0 ? OptionalInt.empty() : OptionalInt.of(priority);
    }

    /** The instances this plan evicts, with the reason that names the preemptor. */
    List<InstanceStop> preemptions() {
        return List.copyOf(preemptions);
    }

    private Map<String, Node> nodesById() {
        if (nodesById == null) {
            nodesById = new HashMap<>();
            allocations.forEach(allocation -> nodesById.put(allocation.node().id(), allocation.node()));
        }
        return nodesById;
    }

    /** The position of the node in {@link #allocations} (sorted by node id), which must hold it. */
    private int positionOf(String nodeId) {
        int low = 0;
        int high = allocations.size() - 1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            int order = allocations.get(middle).node().id().compareTo(nodeId);
            if (order == 0) {
                return middle;
            } else if (order < 0) {
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        throw new IllegalStateException("node " + nodeId + " is not in the view's allocations");
    }

    private NodeUsage usage(int position) {
        NodeUsage usage = usageByPosition[position];
        if (usage == null) {
            usage = new NodeUsage(allocations.get(position));
            usageByPosition[position] = usage;
        }
        return usage;
    }

    private Map<String, Integer> presence(String groupName) {
        return presenceByGroup.computeIfAbsent(groupName, name -> new HashMap<>());
    }
}
