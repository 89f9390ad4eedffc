package io.herd.server;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.Instance;
import io.herd.state.GarbageCollect;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Leader-only: forgets what no one needs any more, so that state, agents' instance lists and nodes' disks do not
 * grow without end (a crash-looping job creates a new instance at every failure). Per job, group and index the
 * newest {@link #TERMINAL_INSTANCES_KEPT} terminal instances are kept, which is also what the scheduler counts to
 * lengthen the reschedule delay; instances of purged jobs go once terminal. Finished evaluations are kept, newest
 * first, up to {@link #EVALUATIONS_KEPT} per job. An agent deletes the directory and logs of an instance once the
 * instance is gone from its list.
 */
final class GarbageCollector implements AutoCloseable {
    static final int TERMINAL_INSTANCES_KEPT = 10;
    static final int EVALUATIONS_KEPT = 20;
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final Duration interval;
    private final Thread collector;
    private volatile boolean running = true;

    GarbageCollector(StateStore store, RaftNode raft, InstantSource clock, Duration interval) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.interval = interval;
        this.collector = Thread.ofPlatform().name("garbage-collector").daemon().unstarted(this::collectLoop);
    }

    void start() {
        collector.start();
    }

    private void collectLoop() {
        while (running) {
            try {
                Thread.sleep(interval.toMillis());
                GarbageCollect command = store.read(view -> garbage(view, clock));
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

    /** What may go now; a pure function of the state. */
    static GarbageCollect garbage(StateView view, InstantSource clock) {
        List<String> instances = new ArrayList<>();
        Map<String, List<Instance>> terminalBySlot = view.instances().stream()
                .filter(instance -> instance.state().isTerminal())
                .collect(Collectors.groupingBy(instance -> instance.jobId() + "\n" + instance.group() + "\n" + instance.index()));
        terminalBySlot.values().forEach(slot -> {
            boolean jobGone = view.job(slot.getFirst().jobId()).isEmpty();
            slot.stream()
                    .sorted(Comparator.comparing(Instance::modifyTime, Comparator.nullsFirst(Comparator.reverseOrder())))
                    .skip(jobGone ? 0 : TERMINAL_INSTANCES_KEPT)
                    .forEach(instance -> instances.add(instance.id()));
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
        return new GarbageCollect(instances, evaluations, clock.instant());
    }

    @Override
    public void close() {
        running = false;
        collector.interrupt();
    }
}
