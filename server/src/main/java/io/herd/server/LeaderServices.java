package io.herd.server;

import io.herd.scheduler.Scheduler;
import io.herd.scheduler.SchedulerConfig;
import io.herd.server.metrics.SchedulerMetrics;
import io.herd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The one place where leader-only work starts and stops: the evaluation dispatcher with its scheduler workers,
 * the plan applier, node liveness, node drains, garbage collection, event webhook delivery and the cron dispatcher.
 * A watcher polls the Raft role; work starts only once this server leads
 * and has applied every entry of earlier terms, and stops as soon as it no longer leads.
 */
final class LeaderServices implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderServices.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration DRAIN_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final ServerConfig config;
    private final SchedulerMetrics schedulerMetrics;
    private final Thread watcher;
    private volatile boolean running = true;
    /** Guarded by this. */
    private Active active;

    private record Active(EvaluationDispatcher dispatcher, NodeLiveness liveness, GarbageCollector collector,
            WebhookDelivery webhooks, CronDispatcher cron, NodeDrainer drainer) {}

    LeaderServices(StateStore store, RaftNode raft, InstantSource clock, ServerConfig config,
            SchedulerMetrics schedulerMetrics) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.config = config;
        this.schedulerMetrics = schedulerMetrics;
        this.watcher = Thread.ofPlatform().name("leader-watcher").daemon().unstarted(this::watch);
    }

    void start() {
        watcher.start();
    }

    private void watch() {
        while (running) {
            try {
                boolean leading = raft.isReadyLeader();
                synchronized (this) {
                    if (leading && active == null && running) {
                        LOG.info("this server ({}) is the leader (term {}): starting scheduler workers, plan applier and node liveness",
                                raft.selfId(), raft.term());
                        PlanApplier applier = new PlanApplier(store, raft, clock);
                        EvaluationDispatcher dispatcher = new EvaluationDispatcher(store,
                                new Scheduler(SchedulerConfig.DEFAULT), applier, clock, config.schedulerWorkers(), schedulerMetrics);
                        NodeLiveness liveness = new NodeLiveness(store, raft, clock, config.nodeTimeout());
                        GarbageCollector collector = new GarbageCollector(store, raft, clock, config.gcInterval(),
                                config.gcDefaults());
                        dispatcher.start();
                        liveness.start();
                        collector.start();
                        WebhookDelivery webhooks = new WebhookDelivery(store, raft, clock);
                        webhooks.start();
                        CronDispatcher cron = new CronDispatcher(store, raft, clock);
                        cron.start();
                        NodeDrainer drainer = new NodeDrainer(store, raft, clock, DRAIN_CHECK_INTERVAL);
                        drainer.start();
                        active = new Active(dispatcher, liveness, collector, webhooks, cron, drainer);
                    } else if (!leading && active != null) {
                        LOG.info("this server ({}) is no longer the leader: stopping leader work", raft.selfId());
                        stopActive();
                    }
                }
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("leader watcher: {}", e.toString());
            }
        }
    }

    /** Node liveness when this server leads right now. */
    synchronized Optional<NodeLiveness> liveness() {
        return Optional.ofNullable(active).map(Active::liveness);
    }

    private void stopActive() {
        active.dispatcher().close();
        active.liveness().close();
        active.collector().close();
        active.webhooks().close();
        active.cron().close();
        active.drainer().close();
        active = null;
    }

    @Override
    public synchronized void close() {
        running = false;
        watcher.interrupt();
        if (active != null) {
            stopActive();
        }
    }
}
