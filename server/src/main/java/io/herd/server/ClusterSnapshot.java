package io.herd.server;

import io.herd.api.Deployment;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.StickyVolume;
import io.herd.scheduler.ClusterView;
import io.herd.scheduler.NodeAllocation;
import io.herd.state.StateView;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A copy of what the scheduler reads, taken under the state's read lock and valid after it is released. A
 * scheduler pass over thousands of nodes takes far longer than copying references to every node and instance,
 * and while a reader holds the lock no command can be applied: holding it for the whole pass stalled every
 * write (agents' reports, other plans) and, behind the waiting writer, every read.
 *
 * <p>With a {@link NodeAllocationCache}, the nodes whose instances did not change since the previous snapshot
 * are taken from the cache: their instance lists are not copied again and their {@link NodeAllocation}s (what
 * their instances take, and the scores remembered with it) are not recomputed.
 */
public final class ClusterSnapshot implements ClusterView {
    private final Map<String, Node> nodes;
    private final Map<String, List<Instance>> instancesByNode;
    private final Map<String, List<Instance>> instancesByJob;
    private final Map<String, Map<Long, Job>> jobVersions;
    private final Map<String, Deployment> latestDeployments;
    /**
     * By node id; null without a cache (then computed when asked, see {@link ClusterView#allocations()}). Their
     * allocations are computed on first use, after the lock is released.
     */
    private final List<NodeAllocationCache.Entry> entries;
    private List<NodeAllocation> allocations;
    private final Map<String, Job> currentJobs;
    private final Map<String, List<StickyVolume>> volumesByJob;
    private final Map<String, List<StickyVolume>> volumesByNode;

    private ClusterSnapshot(Map<String, Node> nodes, Map<String, List<Instance>> instancesByNode,
            Map<String, List<Instance>> instancesByJob, Map<String, Map<Long, Job>> jobVersions,
            Map<String, Deployment> latestDeployments, List<NodeAllocationCache.Entry> entries,
            Map<String, Job> currentJobs, Map<String, List<StickyVolume>> volumesByJob,
            Map<String, List<StickyVolume>> volumesByNode) {
        this.entries = entries;
        this.currentJobs = currentJobs;
        this.volumesByJob = volumesByJob;
        this.volumesByNode = volumesByNode;
        this.nodes = nodes;
        this.instancesByNode = instancesByNode;
        this.instancesByJob = instancesByJob;
        this.jobVersions = jobVersions;
        this.latestDeployments = latestDeployments;
    }

    /** Copies {@code view}; call under the read lock. Records are immutable, so copying references is enough. */
    static ClusterSnapshot of(StateView view) {
        return of(view, null);
    }

    /**
     * Copies {@code view}, taking unchanged nodes from {@code cache} (and recording the changed ones in it); call
     * under the read lock.
     */
    public static ClusterSnapshot of(StateView view, NodeAllocationCache cache) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        Map<String, List<Instance>> instancesByNode = new HashMap<>();
        List<NodeAllocationCache.Entry> entries = null;
        if (cache == null) {
            for (Node node : view.nodes()) {
                nodes.put(node.id(), node);
                instancesByNode.put(node.id(), view.instancesOnNode(node.id()));
            }
        } else {
            entries = new ArrayList<>();
            for (Node node : view.nodes()) {
                NodeAllocationCache.Entry entry = cache.entry(view, node);
                nodes.put(node.id(), node);
                instancesByNode.put(node.id(), entry.instances());
                entries.add(entry);
            }
            cache.retainOnly(nodes.keySet());
            // The view gives nodes by id (the scheduler relies on it); a view that did not is sorted here.
            for (int i = 1; i < entries.size(); i++) {
                if (entries.get(i - 1).node().id().compareTo(entries.get(i).node().id()) > 0) {
                    entries.sort(java.util.Comparator.comparing(entry -> entry.node().id()));
                    break;
                }
            }
        }
        Map<String, List<Instance>> instancesByJob = new HashMap<>();
        Map<String, Map<Long, Job>> jobVersions = new HashMap<>();
        Map<String, Deployment> latestDeployments = new HashMap<>();
        Map<String, Job> currentJobs = new HashMap<>();
        for (Job job : view.jobs()) {
            currentJobs.put(job.id(), job);
            view.latestDeployment(job.id()).ifPresent(deployment -> latestDeployments.put(job.id(), deployment));
            instancesByJob.put(job.id(), view.instancesOfJob(job.id()));
            Map<Long, Job> versions = new HashMap<>();
            view.jobVersions(job.id()).forEach(version -> versions.put(version.version(), version));
            jobVersions.put(job.id(), versions);
        }
        // Instances of a purged job (or of an unknown node) stay until garbage collected and must be seen too.
        for (Instance instance : view.instances()) {
            instancesByJob.computeIfAbsent(instance.jobId(), view::instancesOfJob);
            instancesByNode.computeIfAbsent(instance.nodeId(), view::instancesOnNode);
        }
        Map<String, List<StickyVolume>> volumesByJob = new HashMap<>();
        Map<String, List<StickyVolume>> volumesByNode = new HashMap<>();
        for (StickyVolume volume : view.volumes()) {
            volumesByJob.computeIfAbsent(volume.jobId(), id -> new java.util.ArrayList<>()).add(volume);
            volumesByNode.computeIfAbsent(volume.nodeId(), id -> new java.util.ArrayList<>()).add(volume);
        }
        return new ClusterSnapshot(nodes, instancesByNode, instancesByJob, jobVersions, latestDeployments,
                entries == null ? null : List.copyOf(entries), currentJobs, volumesByJob, volumesByNode);
    }

    @Override
    public Collection<Node> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    @Override
    public Optional<Node> node(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    @Override
    public List<Instance> instancesOnNode(String nodeId) {
        return instancesByNode.getOrDefault(nodeId, List.of());
    }

    @Override
    public List<Instance> instancesOfJob(String jobId) {
        return instancesByJob.getOrDefault(jobId, List.of());
    }

    @Override
    public Optional<Job> jobVersion(String jobId, long version) {
        return Optional.ofNullable(jobVersions.getOrDefault(jobId, Map.of()).get(version));
    }

    @Override
    public List<NodeAllocation> allocations() {
        if (entries == null) {
            return ClusterView.super.allocations();
        }
        if (allocations == null) {
            // One scheduler worker reads a snapshot; computed outside the state lock, once per changed node.
            List<NodeAllocation> computed = new ArrayList<>(entries.size());
            for (NodeAllocationCache.Entry entry : entries) {
                computed.add(entry.allocation());
            }
            allocations = List.copyOf(computed);
        }
        return allocations;
    }

    @Override
    public Optional<Job> job(String jobId) {
        return Optional.ofNullable(currentJobs.get(jobId));
    }

    @Override
    public Optional<Deployment> latestDeployment(String jobId) {
        return Optional.ofNullable(latestDeployments.get(jobId));
    }

    @Override
    public List<StickyVolume> volumesOfJob(String jobId) {
        return volumesByJob.getOrDefault(jobId, List.of());
    }

    @Override
    public List<StickyVolume> volumesOnNode(String nodeId) {
        return volumesByNode.getOrDefault(nodeId, List.of());
    }
}
