package io.herd.state;

import io.herd.api.Evaluation;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventSubscription;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Read access to the replicated state. A view is live: it reflects every command applied after it was obtained,
 * so through {@link StateStore#read} it may only be used while the read lock is held. Every method returns an
 * immutable copy (records are immutable, so a copy is a list of references), which stays valid after the lock
 * is released. Collections are sorted by id unless a method says otherwise.
 */
public interface StateView {
    /** The Raft log index of the last applied command; 0 before the first. */
    long index();

    /** The current version of every job, stopped ones included. */
    Collection<Job> jobs();

    Optional<Job> job(String jobId);

    /** The versions kept for a job (the newest {@value ClusterState#JOB_HISTORY_LIMIT}), newest first. */
    List<Job> jobVersions(String jobId);

    Optional<Job> jobVersion(String jobId, long version);

    Collection<Node> nodes();

    Optional<Node> node(String nodeId);

    /** Every instance not yet garbage collected, terminal ones included. */
    Collection<Instance> instances();

    Optional<Instance> instance(String id);

    /** Instances of a job ({@code app/job}), also those of a purged job until they are garbage collected. */
    List<Instance> instancesOfJob(String jobId);

    List<Instance> instancesOnNode(String nodeId);

    /**
     * The log index at which the instances on the node last changed (placed, updated, stopped, removed), or a
     * later one; 0 when nothing was ever placed on it. Never decreases on one replica. A state rebuilt from a
     * snapshot answers the snapshot's index for every node, so replicas may differ, but each answer is at least
     * the index of the last change and at most {@link #index()}: a blocking query on one node's assignments
     * waits for this to pass what it saw, and wakes only for changes of that node.
     */
    long nodeAssignmentsIndex(String nodeId);

    Collection<Evaluation> evaluations();

    Optional<Evaluation> evaluation(String id);

    /** The evaluations of a job, newest (last created) first. */
    List<Evaluation> evaluationsOfJob(String jobId);

    /** Evaluations waiting for a scheduler worker, oldest (first created) first: the order to process them in. */
    List<Evaluation> pendingEvaluations();

    Collection<ServerRecord> servers();

    /** The newest deployment of a job, if it has one. */
    Optional<io.herd.api.Deployment> latestDeployment(String jobId);

    /** The kept deployments of a job (the last {@link ClusterState#DEPLOYMENT_HISTORY_LIMIT}), newest first. */
    List<io.herd.api.Deployment> deploymentsOfJob(String jobId);
    /** The newest {@code limit} events matching {@code filter}, oldest first (in the order they last changed). */
    List<Event> events(EventFilter filter, int limit);

    /** Up to {@code limit} events matching {@code filter} that changed after {@code sequence}, oldest first. */
    List<Event> eventsAfter(long sequence, EventFilter filter, int limit);

    /** The sequence of the latest event change; a stream that starts now resumes after it. */
    long lastEventSequence();

    /** How many events are kept. */
    int eventCount();

    /** The event webhooks, by id. */
    List<EventSubscription> eventSubscriptions();

    /** The kept firings of a cron job, newest first; empty for any other job. */
    List<io.herd.api.CronRun> cronRuns(String jobId);

    /** Every sticky volume of a stateful group, by key. */
    List<io.herd.api.StickyVolume> volumes();

    /** The sticky volumes of the job {@code app/job}, by key; they outlive its instances until it is purged. */
    List<io.herd.api.StickyVolume> volumesOfJob(String jobId);

    /** The sticky volumes kept on the node, by key. */
    List<io.herd.api.StickyVolume> volumesOnNode(String nodeId);
}
