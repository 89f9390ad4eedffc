package io.herd.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Whether a job's {@code depends_on} are met. Pure: the callers (the state machine, the leader's dispatcher and the
 * API) pass their own lookups, so that every one of them reaches the same answer.
 */
public final class Dependencies {
    private Dependencies() {}

    /**
     * Whether {@code depends_on} still gates the job: only until it first placed anything. A job that started
     * keeps running when a dependency later turns unhealthy (as an init ordering, not a liveness coupling).
     *
     * @param instances every instance of the job still kept
     */
    public static boolean gates(Job job, List<Instance> instances) {
        return !job.dependsOn().isEmpty() && instances.isEmpty();
    }

    /**
     * The dependencies of {@code job} not met now, each as what it waits for: {@code app/db to be healthy (1/3
     * ready)}; empty when the job may place instances.
     */
    public static List<String> waitingFor(Job job, Function<String, Optional<Job>> jobs,
            Function<String, List<Instance>> instancesOfJob, Instant now) {
        List<String> waiting = new ArrayList<>();
        for (Dependency dependency : job.dependsOn()) {
            Optional<Job> other = jobs.apply(dependency.job());
            if (other.isEmpty() || other.get().stopped()) {
                waiting.add(dependency.describe() + (other.isEmpty() ? " (it does not exist yet)" : " (it is stopped)"));
                continue;
            }
            List<Instance> instances = instancesOfJob.apply(dependency.job());
            switch (dependency.condition()) {
                case HEALTHY -> {
                    int desired = 0;
                    int ready = 0;
                    for (Group group : other.get().groups()) {
                        desired += group.count();
                        boolean checked = group.services().stream().anyMatch(service -> service.check() != null);
                        ready += (int) Math.min(group.count(), instances.stream()
                                .filter(instance -> instance.group().equals(group.name()) && instance.isReady()
                                        && (!checked || Boolean.TRUE.equals(instance.healthy())))
                                .count());
                    }
                    if (ready < desired) {
                        waiting.add(dependency.describe() + " (" + ready + "/" + desired + " ready)");
                    }
                }
                case COMPLETE -> {
                    if (other.get().type() != JobType.BATCH) {
                        waiting.add(dependency.describe() + (other.get().type() == JobType.SERVICE
                                ? " (a service never completes; depend on it being healthy)"
                                : " (a cron job never completes; its runs do)"));
                        continue;
                    }
                    BatchProgress progress = BatchProgress.of(other.get(), instances, now);
                    if (progress.state() != BatchProgress.State.COMPLETE) {
                        waiting.add(dependency.describe() + " (" + progress.summary() + ")");
                    }
                }
            }
        }
        return waiting;
    }

    /**
     * A cycle that {@code job} would close among the current jobs' dependencies, as the chain of job ids
     * ({@code a/x -> a/y -> a/x}); empty when there is none.
     */
    public static Optional<List<String>> cycle(Job job, Map<String, Job> jobs) {
        List<String> path = new ArrayList<>();
        path.add(job.id());
        return cycleFrom(job.id(), job, jobs, path, new TreeSet<>());
    }

    private static Optional<List<String>> cycleFrom(String start, Job current, Map<String, Job> jobs, List<String> path,
            Set<String> visited) {
        for (Dependency dependency : current.dependsOn()) {
            if (dependency.job().equals(start)) {
                List<String> cycle = new ArrayList<>(path);
                cycle.add(start);
                return Optional.of(cycle);
            }
            Job next = jobs.get(dependency.job());
            if (next == null || !visited.add(dependency.job())) {
                continue;
            }
            path.add(dependency.job());
            Optional<List<String>> found = cycleFrom(start, next, jobs, path, visited);
            if (found.isPresent()) {
                return found;
            }
            path.removeLast();
        }
        return Optional.empty();
    }
}
