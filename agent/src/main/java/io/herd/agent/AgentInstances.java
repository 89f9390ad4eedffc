package io.herd.agent;

import io.herd.agent.AgentStateStore.InstanceRecord;
import io.herd.api.DesiredStatus;
import io.herd.api.ErrorKind;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.TaskStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The instances this node runs, one {@link InstanceRunner} each, reconciled against the servers' assignments:
 * assigned and not running here → start; running here and asked to stop or no longer assigned → stop (and, once
 * gone from the assignments, forget its directory).
 */
public final class AgentInstances {
    private static final Logger log = LoggerFactory.getLogger(AgentInstances.class);

    private final RunnerContext context;
    private final InstanceSpecSource specs;
    private final Map<String, InstanceRunner> runners = new ConcurrentHashMap<>();
    /** Instances being forgotten: stopped because no longer assigned, deleted once terminated. */
    private final Set<String> forgetting = ConcurrentHashMap.newKeySet();
    /** Stateful instances not started yet because an instance that shares their volumes still runs. */
    private final Set<String> waitingForVolumes = ConcurrentHashMap.newKeySet();
    /** Instances the server wants stopped that never ran here, already reported complete. */
    private final Set<String> reportedAbsent = ConcurrentHashMap.newKeySet();

    public AgentInstances(RunnerContext context, InstanceSpecSource specs) {
        this.context = context;
        this.specs = specs;
    }

    /** Re-attaches to what an earlier agent process ran, before the agent registers. */
    public void restore() {
        for (InstanceRecord record : context.store().loadAll()) {
            try {
                InstanceRunner runner = InstanceRunner.restore(record, context);
                runners.put(runner.id(), runner);
                runner.start();
            } catch (RuntimeException e) {
                log.error("cannot restore instance {}", record.instance() == null ? "?" : record.instance().id(), e);
            }
        }
        if (!runners.isEmpty()) {
            log.info("restored {} instances from {}", runners.size(), context.store().instancesDir());
        }
    }

    /**
     * Brings this node in line with its assignments.
     *
     * @return true when an instance could not be started yet (its spec was unavailable) and the caller should
     *         call again soon even if the assignments do not change
     */
    public boolean reconcile(List<Instance> assigned) {
        boolean retrySoon = false;
        Set<String> seen = new HashSet<>();
        for (Instance instance : assigned) {
            if (!AgentStateStore.isSafeName(instance.id())) {
                log.error("ignoring instance with unusable id {}", instance.id());
                continue;
            }
            seen.add(instance.id());
            InstanceRunner runner = runners.get(instance.id());
            if (runner != null) {
                runner.update(instance);
            } else if (instance.desired() == DesiredStatus.RUN && !instance.state().isTerminal()) {
                retrySoon |= !startNew(instance);
            } else if (!instance.state().isTerminal() && reportedAbsent.add(instance.id())) {
                // the server waits for a stop, but nothing of this instance runs here
                context.listener().accept(new InstanceStatusUpdate(instance.id(), InstanceState.COMPLETE,
                        "not running on this node", instance.tasks()));
            }
        }
        for (InstanceRunner runner : List.copyOf(runners.values())) {
            if (!seen.contains(runner.id()) && forgetting.add(runner.id())) {
                log.info("instance {} is no longer assigned to this node", runner.id());
                runner.stop("no longer assigned to this node");
                runner.terminated().thenRun(() -> {
                    runners.remove(runner.id(), runner);
                    context.store().delete(runner.id());
                    forgetting.remove(runner.id());
                });
            }
        }
        reportedAbsent.retainAll(seen);
        waitingForVolumes.retainAll(seen);
        return retrySoon;
    }

    /**
     * Starts an instance new to this node; false when it cannot start yet (try again soon): its spec could not be
     * fetched, or an instance that shares its volumes still runs.
     */
    private boolean startNew(Instance instance) {
        InstanceSpec spec;
        try {
            spec = specs.specFor(instance);
        } catch (HerdException e) {
            if (e.code().kind() == ErrorKind.NOT_FOUND) {
                if (reportedAbsent.add(instance.id())) {
                    log.error("cannot start instance {}: {}", instance.id(), e.getMessage());
                    context.listener().accept(new InstanceStatusUpdate(instance.id(), InstanceState.FAILED,
                            "cannot start: " + e.getMessage(), instance.tasks()));
                }
                return true;
            }
            log.warn("cannot fetch the spec of instance {} yet: {}", instance.id(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.warn("cannot fetch the spec of instance {} yet: {}", instance.id(), e.toString());
            return false;
        }
        Optional<InstanceRunner> sharing = holderOfVolumes(spec);
        if (sharing.isPresent()) {
            // The instance it replaces still runs (within its kill timeout): two processes must never work on
            // one volume, so this one starts once that one ended.
            if (waitingForVolumes.add(instance.id())) {
                log.info("instance {} waits for instance {} to stop: they share volumes", instance.id(),
                        sharing.get().id());
            }
            return false;
        }
        waitingForVolumes.remove(instance.id());
        InstanceRunner runner = InstanceRunner.create(instance, spec, context);
        runners.put(instance.id(), runner);
        log.info("starting instance {} ({})", instance.id(), instance.name());
        runner.start();
        return true;
    }

    /** Where this node keeps instances and volumes. */
    public AgentStateStore store() {
        return context.store();
    }

    /** A runner here that has not ended and uses one of the volumes of {@code spec}, if any. */
    private Optional<InstanceRunner> holderOfVolumes(InstanceSpec spec) {
        if (spec.volumeIds().isEmpty()) {
            return Optional.empty();
        }
        return runners.values().stream()
                .filter(runner -> !runner.terminated().isDone())
                .filter(runner -> !java.util.Collections.disjoint(runner.spec().volumeIds().values(),
                        spec.volumeIds().values()))
                .findFirst();
    }

    public Collection<InstanceRunner> runners() {
        return List.copyOf(runners.values());
    }

    public InstanceRunner runner(String instanceId) {
        return runners.get(instanceId);
    }

    public List<InstanceStatusUpdate> statuses() {
        return runners.values().stream().map(InstanceRunner::status).toList();
    }

    public long tasksRunning() {
        return runners.values().stream().flatMap(runner -> runner.tasks().values().stream())
                .filter(task -> task.status() == TaskStatus.RUNNING).count();
    }

    public long restartsTotal() {
        return context.restarts().get();
    }

    /** Stops every instance and waits (at most {@code timeout}) until they are gone. */
    public void stopAll(String why, Duration timeout) {
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (InstanceRunner runner : runners.values()) {
            runner.stop(why);
            stopped.add(runner.terminated());
        }
        try {
            CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("some instances did not stop within {}", timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("stopping instances failed", e);
        }
    }

    /** Lets go of every instance; their processes keep running for the next agent process. */
    public void detachAll() {
        runners.values().forEach(InstanceRunner::detach);
    }
}
