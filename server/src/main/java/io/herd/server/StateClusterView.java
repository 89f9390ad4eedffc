package io.herd.server;

import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.scheduler.ClusterView;
import io.herd.state.StateView;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Adapts the replicated state to the scheduler's read interface; valid only while the state's read lock is held. */
public record StateClusterView(StateView state) implements ClusterView {
    @Override
    public Collection<Node> nodes() {
        return state.nodes();
    }

    @Override
    public Optional<Node> node(String nodeId) {
        return state.node(nodeId);
    }

    @Override
    public List<Instance> instancesOnNode(String nodeId) {
        return state.instancesOnNode(nodeId);
    }

    @Override
    public List<Instance> instancesOfJob(String jobId) {
        return state.instancesOfJob(jobId);
    }

    @Override
    public Optional<Job> jobVersion(String jobId, long version) {
        return state.jobVersion(jobId, version);
    }

    @Override
    public Optional<Job> job(String jobId) {
        return state.job(jobId);
    }

    @Override
    public Optional<io.herd.api.Deployment> latestDeployment(String jobId) {
        return state.latestDeployment(jobId);
    }

    @Override
    public List<io.herd.api.StickyVolume> volumesOfJob(String jobId) {
        return state.volumesOfJob(jobId);
    }

    @Override
    public List<io.herd.api.StickyVolume> volumesOnNode(String nodeId) {
        return state.volumesOnNode(nodeId);
    }
}
