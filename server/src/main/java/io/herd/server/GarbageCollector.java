package io.herd.server;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.GcPolicy;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.state.GarbageCollect;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Leader-only: forgets what no one needs any more, so that state, agents' instance lists and nodes' disks do not
 * grow without end (a crash-looping job creates a new instance at every failure).
 *
 * <p>Finished (terminal) instances are kept per job, group and index by the job's {@code gc} policy, each field it
 * leaves out taken from the cluster default ({@code herd server --gc-keep-finished}, {@code --gc-keep-for}): the
 * newest {@code keep_finished}, and of those only the ones that ended less than {@code keep_for} ago. One more is
 * always kept while the job exists: the newest finished instance of an index that has no live one, because the
 * scheduler decides by it whether a batch index is done and how long a failed index waits. The scheduler counts
 * the failed instances it still sees to lengthen that wait, so a policy keeping fewer than 7 lowers its ceiling.
 * Instances of purged jobs go once terminal. Finished evaluations are kept, newest first, up to
 * {@link #EVALUATIONS_KEPT} per job. An agent deletes the directory and logs of an instance once the instance is
 * gone from its list.
 */
final class GarbageCollector implements AutoCloseable {
    static final int EVALUATIONS_KEPT = 20;
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final Duration interval;
    private final GcPolicy defaults;
    private final Thread collector;
    private volatile boolean running = true;

    GarbageCollector(StateStore store, RaftNode raft, InstantSource clock, Duration interval, GcPolicy defaults) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.interval = interval;
        this.defaults = defaults.orElse(GcPolicy.CLUSTER_DEFAULT);
        this.collector = Thread.ofPlatform().name("garbage-collector").daemon().unstarted(this::collectLoop);
    }

    void start() {
        collector.start();
    }

    private void collectLoop() {
        while (running) {
            try {
                Thread.sleep(interval.toMillis());
                GarbageCollect command = store.read(view -> garbage(view, clock, defaults));
                if (!command.instanceIds().isEmpty() || !command.evaluationIds().isEmpty()) {
                    raft.propose(command);
                    LOG.info("garbage collected {} instances and {} evaluations", command.instanceIds().size(),
                            command.evaluationIds().size());
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("garbage collection failed; retrying later: {}", e.toString());
            }
        }
    }

    /** What may go now under the cluster default policy {@link GcPolicy#CLUSTER_DEFAULT}. */
    static GarbageCollect garbage(StateView view, InstantSource clock) {
        return garbage(view, clock, GcPolicy.CLUSTER_DEFAULT);
    }

    /** What may go now; a pure function of the state, the time and the cluster default policy. */
    static GarbageCollect garbage(StateView view, InstantSource clock, GcPolicy defaults) {
        Instant now = clock.instant();
        List<String> instances = new ArrayList<>();
        Map<String, List<Instance>> bySlot = view.instances().stream()
                .collect(Collectors.groupingBy(instance -> instance.jobId() + "\n" + instance.group() + "\n" + instance.index()));
        bySlot.values().forEach(slot -> {
            Optional<Job> job = view.job(slot.getFirst().jobId());
            GcPolicy policy = job.map(Job::gc).map(own -> own.orElse(defaults)).orElse(defaults);
            List<Instance> finished = slot.stream()
                    .filter(instance -> instance.state().isTerminal())
                    .sorted(Comparator.comparing(Instance::modifyTime, Comparator.nullsFirst(Comparator.reverseOrder()))
                            .thenComparing(Instance::id))
                    .toList();
            boolean anyLive = slot.stream().anyMatch(instance -> !instance.state().isTerminal());
            for (int rank = 0; rank < finished.size(); rank++) {
                Instance instance = finished.get(rank);
                boolean kept = job.isPresent() && (rank == 0 && !anyLive || withinPolicy(instance, rank, policy, now));
                if (!kept) {
                    instances.add(instance.id());
                }
            }
        });
        List<String> evaluations = new ArrayList<>();
        Map<String, List<Evaluation>> finishedByJob = view.evaluations().stream()
                .filter(evaluation -> evaluation.status() == EvaluationStatus.COMPLETE || evaluation.status() == EvaluationStatus.FAILED)
                .collect(Collectors.groupingBy(Evaluation::jobId));
        finishedByJob.values().forEach(finished -> finished.stream()
                .sorted(Comparator.comparing(Evaluation::modifyTime, Comparator.nullsFirst(Comparator.reverseOrder())))
                // A job that is gone (purged, or a cron run past the kept history) needs none of them.
                .skip(view.job(finished.getFirst().jobId()).isEmpty() ? 0 : EVALUATIONS_KEPT)
                .forEach(evaluation -> evaluations.add(evaluation.id())));
        instances.sort(null);
        evaluations.sort(null);
        return new GarbageCollect(instances, evaluations, now);
    }

    /** Whether the {@code rank}-th newest finished instance of its index is kept by the policy. */
    private static boolean withinPolicy(Instance instance, int rank, GcPolicy policy, Instant now) {
        if (policy.keepFinished() != null && rank >= policy.keepFinished()) {
            return false;
        }
        Instant ended = instance.modifyTime();
        return policy.keepFor() == null || ended == null || ended.plus(policy.keepFor()).isAfter(now);
    }

    @Override
    public void close() {
        running = false;
        collector.interrupt();
    }
}
