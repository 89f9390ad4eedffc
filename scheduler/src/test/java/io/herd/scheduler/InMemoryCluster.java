package io.herd.scheduler;

import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Plan;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A cluster held in maps, for tests: nodes, instances and every version of every job. It applies plans the way
 * the server does, without re-checking them, so that tests can see what a plan would leave behind.
 */
final class InMemoryCluster implements ClusterView {
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, TreeMap<Long, Job>> jobVersions = new HashMap<>();
    private final Map<String, io.herd.api.Deployment> deployments = new HashMap<>();
    /** Sticky volumes by key, created by {@link #apply} as the server's state does. */
    private final Map<String, io.herd.api.StickyVolume> volumes = new java.util.TreeMap<>();

    @Override
    public Optional<io.herd.api.Deployment> latestDeployment(String jobId) {
        return Optional.ofNullable(deployments.get(jobId));
    }

    /** Stores {@code deployment} as the newest of its job. */
    InMemoryCluster put(io.herd.api.Deployment deployment) {
        deployments.put(deployment.jobId(), deployment);
        return this;
    }

    InMemoryCluster add(Node... newNodes) {
        for (Node node : newNodes) {
            nodes.put(node.id(), node);
        }
        return this;
    }

    InMemoryCluster add(List<Node> newNodes) {
        return add(newNodes.toArray(Node[]::new));
    }

    InMemoryCluster add(Instance... newInstances) {
        for (Instance instance : newInstances) {
            instances.put(instance.id(), instance);
        }
        return this;
    }

    /** Keeps {@code job} as the version {@code job.version()} of its id. */
    InMemoryCluster register(Job job) {
        jobVersions.computeIfAbsent(job.id(), id -> new TreeMap<>()).put(job.version(), job);
        return this;
    }

    /** Stops become desired STOP, preemptions desired EVICT; placements become instances. */
    void apply(Plan plan, Instant now) {
        if (plan.deployment() != null) {
            deployments.put(plan.deployment().jobId(), plan.deployment());
        }
        for (InstanceStop stop : plan.stops()) {
            Instance instance = instances.get(stop.instanceId());
            instances.put(instance.id(), instance.withDesired(DesiredStatus.STOP, stop.reason(), now));
        }
        for (InstanceStop preemption : plan.preemptions()) {
            Instance instance = instances.get(preemption.instanceId());
            instances.put(instance.id(), instance.withDesired(DesiredStatus.EVICT, preemption.reason(), now));
        }
        for (Instance placement : plan.placements()) {
            instances.put(placement.id(), placement);
            jobVersion(placement.jobId(), placement.jobVersion()).flatMap(job -> job.group(placement.group()))
                    .ifPresent(group -> group.volumes().forEach(volume -> volumes.putIfAbsent(
                            io.herd.api.StickyVolume.key(placement.app(), placement.job(), placement.group(),
                                    placement.index(), volume.name()),
                            new io.herd.api.StickyVolume("v-" + placement.id(), placement.app(), placement.job(),
                                    placement.group(), placement.index(), volume.name(), volume.sizeBytes(),
                                    placement.nodeId(), placement.nodeName(), now))));
        }
    }

    /** What an agent would report when a stopped instance has exited. */
    void finishStopped(Instant now) {
        instances.replaceAll((id, instance) -> instance.desired() != DesiredStatus.RUN && !instance.state().isTerminal()
                ? instance.withState(InstanceState.COMPLETE, "stopped", now) : instance);
    }

    void update(Instance instance) {
        instances.put(instance.id(), instance);
    }

    Instance instance(String id) {
        return instances.get(id);
    }

    List<Instance> instances() {
        return List.copyOf(instances.values());
    }

    List<Instance> liveInstancesOfJob(String jobId) {
        return instancesOfJob(jobId).stream().filter(Instance::isLive).toList();
    }

    @Override
    public Collection<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    @Override
    public Optional<Node> node(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    @Override
    public List<Instance> instancesOnNode(String nodeId) {
        return instances.values().stream().filter(instance -> instance.nodeId().equals(nodeId)).toList();
    }

    @Override
    public List<Instance> instancesOfJob(String jobId) {
        return instances.values().stream().filter(instance -> instance.jobId().equals(jobId)).toList();
    }

    @Override
    public Optional<Job> job(String jobId) {
        TreeMap<Long, Job> versions = jobVersions.get(jobId);
        return versions == null || versions.isEmpty() ? Optional.empty() : Optional.of(versions.lastEntry().getValue());
    }

    @Override
    public Optional<Job> jobVersion(String jobId, long version) {
        return Optional.ofNullable(jobVersions.getOrDefault(jobId, new TreeMap<>()).get(version));
    }

    @Override
    public List<io.herd.api.StickyVolume> volumesOfJob(String jobId) {
        return volumes.values().stream().filter(volume -> volume.jobId().equals(jobId)).toList();
    }

    @Override
    public List<io.herd.api.StickyVolume> volumesOnNode(String nodeId) {
        return volumes.values().stream().filter(volume -> volume.nodeId().equals(nodeId)).toList();
    }
}
