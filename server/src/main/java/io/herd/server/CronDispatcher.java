package io.herd.server;

import io.herd.api.CronExpression;
import io.herd.api.CronPolicy;
import io.herd.api.CronRun;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.state.FireCron;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Leader-only: fires cron jobs. It keeps no state of its own: what fired last is in the replicated state (the
 * newest {@link CronRun} of each job), so a new leader continues exactly where the old one stopped. Each firing
 * is a {@link FireCron} command carrying its scheduled time; apply ignores a time not after the last recorded
 * one, so a firing proposed twice starts one run.
 */
final class CronDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CronDispatcher.class);
    /** The longest pause between two looks: a new or changed cron job is noticed within it. */
    static final Duration MAX_PAUSE = Duration.ofMillis(500);
    /** Missed firings counted one by one at most; a longer gap (a seconds schedule down for days) is cut there. */
    static final int MAX_COUNTED_FIRINGS = 100_000;

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final Thread thread;
    private volatile boolean running = true;

    CronDispatcher(StateStore store, RaftNode raft, InstantSource clock) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("cron-dispatcher").daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /**
     * What a cron job should fire at {@code now}: the newest firing due (scheduled after the last recorded firing
     * and after the current version's submission, and not after {@code now}), whether to start it, and how
     * many earlier due firings are let go. Empty when nothing is due. Pure, so that catch-up is tested without
     * threads.
     *
     * <p>A firing at most {@code starting_deadline} late starts. A later one (no leader was up in time) starts only
     * with {@code catch_up: last}; with {@code none} it is recorded as missed. Firings before the newest due one
     * never start (a burst of runs after an outage helps no one); they are counted in the firing's note.
     */
    static Optional<FireCron> due(Job job, Optional<Instant> lastFiring, Instant now) {
        CronPolicy policy = job.cron();
        if (policy == null || job.stopped() || job.type() != JobType.CRON) {
            return Optional.empty();
        }
        // Never for times before the current version was registered: a cron job stopped for a week and started
        // again (or changed) does not owe the week's firings.
        Instant after = job.submitTime();
        if (lastFiring.isPresent() && (after == null || lastFiring.get().isAfter(after))) {
            after = lastFiring.get();
        }
        if (after == null) {
            return Optional.empty();
        }
        CronExpression expression = policy.expression();
        Instant newest = null;
        int dueCount = 0;
        Instant cursor = after;
        while (dueCount < MAX_COUNTED_FIRINGS) {
            Optional<Instant> next = expression.next(cursor, policy.zone());
            if (next.isEmpty() || next.get().isAfter(now)) {
                break;
            }
            newest = next.get();
            dueCount++;
            cursor = newest;
        }
        if (newest == null) {
            return Optional.empty();
        }
        if (dueCount == MAX_COUNTED_FIRINGS) {
            // Cut short: the newest firing due is the last one before now.
            Optional<Instant> last = lastBefore(expression, policy, cursor, now);
            newest = last.orElse(newest);
        }
        boolean late = Duration.between(newest, now).compareTo(policy.startingDeadline()) > 0;
        boolean start = !late || policy.catchUp() == CronPolicy.CatchUp.LAST;
        return Optional.of(new FireCron(job.id(), newest, start, dueCount - 1, UUID.randomUUID().toString(), now));
    }

    private static Optional<Instant> lastBefore(CronExpression expression, CronPolicy policy, Instant from,
            Instant now) {
        // Jump close to now, then step forward: the firings between are not counted any more.
        Instant cursor = now.minus(Duration.ofDays(1)).isAfter(from) ? now.minus(Duration.ofDays(1)) : from;
        Instant last = null;
        while (true) {
            Optional<Instant> next = expression.next(cursor, policy.zone());
            if (next.isEmpty() || next.get().isAfter(now)) {
                return Optional.ofNullable(last);
            }
            last = next.get();
            cursor = last;
        }
    }

    /** The first firing after now of any running cron job; null when there is none. */
    static Instant nextFiring(List<Job> cronJobs, StateView view, Instant now) {
        Instant earliest = null;
        for (Job job : cronJobs) {
            Instant after = lastFiring(view, job.id()).filter(last -> last.isAfter(now)).orElse(now);
            Optional<Instant> next = job.cron().expression().next(after, job.cron().zone());
            if (next.isPresent() && (earliest == null || next.get().isBefore(earliest))) {
                earliest = next.get();
            }
        }
        return earliest;
    }

    static Optional<Instant> lastFiring(StateView view, String jobId) {
        List<CronRun> runs = view.cronRuns(jobId);
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.getFirst().scheduledTime());
    }

    private void loop() {
        while (running) {
            try {
                Instant now = clock.instant();
                List<FireCron> firings = new ArrayList<>();
                Instant next = store.read(view -> {
                    List<Job> cronJobs = view.jobs().stream()
                            .filter(job -> job.type() == JobType.CRON && !job.stopped() && job.cron() != null)
                            .toList();
                    for (Job job : cronJobs) {
                        due(job, lastFiring(view, job.id()), now).ifPresent(firings::add);
                    }
                    return nextFiring(cronJobs, view, now);
                });
                for (FireCron firing : firings) {
                    if (!running) {
                        return;
                    }
                    var result = raft.propose(firing);
                    LOG.info("cron {}: {}", firing.jobId(), result.message());
                }
                long pause = MAX_PAUSE.toMillis();
                if (next != null) {
                    pause = Math.max(10, Math.min(pause, Duration.between(clock.instant(), next).toMillis() + 1));
                }
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("cron dispatcher: {}; retrying", e.toString());
                try {
                    Thread.sleep(MAX_PAUSE.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
