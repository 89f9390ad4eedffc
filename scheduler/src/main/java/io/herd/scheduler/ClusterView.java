package io.herd.scheduler;

import io.herd.api.Deployment;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.StickyVolume;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The scheduler's read-only window on one consistent snapshot of the cluster. The server adapts its replicated
 * state to this interface; tests use an in-memory implementation. Implementations must not change while a
 * {@link Scheduler#process} call reads them.
 */
public interface ClusterView {
    /** Every node, whatever its status. */
    Collection<Node> nodes();

    Optional<Node> node(String nodeId);

    /** Every instance placed on the node and not garbage collected, terminal ones included. */
    List<Instance> instancesOnNode(String nodeId);

    /** Every instance of the job {@code app/job} not garbage collected, terminal ones included. */
    List<Instance> instancesOfJob(String jobId);

    /**
     * An older version of a job, if the server still keeps it. The scheduler uses it to tell whether an instance
     * of an older version still matches the current spec (only the count changed) and can be kept.
     */
    Optional<Job> jobVersion(String jobId, long version);

    /**
     * The newest deployment of the job, if any. The reconciler advances it when it is the current version's and
     * creates one for a new version. Every view must answer it (no default: a view that forgot it would silently
     * restart every rolling update from scratch); views without deployments (the simulator's) answer empty.
     */
    Optional<Deployment> latestDeployment(String jobId);

    /**
     * The sticky volumes of the job's stateful groups: a placement of an index that has one goes to its node
     * only. A default so that views without stateful jobs (the simulator's) need not answer; a view of a cluster
     * that runs stateful jobs must, or their instances would lose their data.
     */
    default List<StickyVolume> volumesOfJob(String jobId) {
        return List.of();
    }

    /** The sticky volumes kept on the node: their sizes are taken from its disk. See {@link #volumesOfJob}. */
    default List<StickyVolume> volumesOnNode(String nodeId) {
        return List.of();
    }
}
