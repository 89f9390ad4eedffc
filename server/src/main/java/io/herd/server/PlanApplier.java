package io.herd.server;

import io.herd.api.Plan;
import io.herd.scheduler.PlanCheck;
import io.herd.state.ApplyPlan;
import io.herd.state.ApplyResult;
import io.herd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one place plans are committed. Scheduler workers compute plans from snapshots that may be stale by the
 * time they finish; the applier re-checks every node a plan touches against the newest state and commits only
 * what still fits ({@link PlanCheck}: placements and the preemptions that make room for them, per node), sending
 * the rest back for another pass. Plans are applied one at a time and each commit
 * completes before the next check, so concurrent workers can never over-commit a node.
 */
final class PlanApplier {
    private static final Logger LOG = LoggerFactory.getLogger(PlanApplier.class);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    /** Serialises check-then-commit; guards nothing else. */
    private final ReentrantLock applyLock = new ReentrantLock();

    PlanApplier(StateStore store, RaftNode raft, InstantSource clock) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
    }

    /** Result of applying a plan: how many placements were committed and how many were refused. */
    record Outcome(int placed, int refused, ApplyResult result) {}

    Outcome apply(Plan plan) {
        applyLock.lock();
        try {
            Plan accepted = store.read(view -> {
                PlanCheck.Result check = PlanCheck.check(plan, new StateClusterView(view));
                check.rejections().forEach((nodeId, rejection) -> LOG.info(
                        "plan for evaluation {} no longer fits node {}: {}; retrying those placements",
                        plan.evaluationId(), nodeId, rejection));
                return check.accepted();
            });
            int refused = plan.placements().size() - accepted.placements().size();
            ApplyResult result = raft.propose(new ApplyPlan(accepted, refused > 0, UUID.randomUUID().toString(), clock.instant()));
            return new Outcome(accepted.placements().size(), refused, result);
        } finally {
            applyLock.unlock();
        }
    }
}
