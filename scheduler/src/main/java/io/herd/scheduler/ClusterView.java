package io.herd.scheduler;

import io.herd.api.Deployment;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.StickyVolume;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
     * The current version of any job, for {@code depends_on}: a job waits until the jobs it depends on are healthy
     * or complete. A view that does not know other jobs answers empty, and a job with dependencies then waits.
     */
    default Optional<Job> job(String jobId) {
        return Optional.empty();
    }

    /**
     * The newest deployment of the job, if any. The reconciler advances it when it is the current version's and
     * creates one for a new version. Every view must answer it (no default: a view that forgot it would silently
     * restart every rolling update from scratch); views without deployments (the simulator's) answer empty.
     */
    Optional<Deployment> latestDeployment(String jobId);

    /**
     * Every node with what its instances take, sorted by node id. The default walks every instance of every node;
     * a view that keeps allocations between calls, replacing a node's only when its instances or its record
     * change, spares each evaluation that walk and keeps the scores remembered in each allocation
     * ({@link NodeAllocation}) for the nodes that did not change.
     */
    default List<NodeAllocation> allocations() {
        List<Node> sorted = new ArrayList<>(nodes());
        sorted.sort(Comparator.comparing(Node::id));
        List<NodeAllocation> allocations = new ArrayList<>(sorted.size());
        for (Node node : sorted) {
            allocations.add(NodeAllocation.of(node, instancesOnNode(node.id()), volumesOnNode(node.id())));
        }
        return allocations;
    }

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
