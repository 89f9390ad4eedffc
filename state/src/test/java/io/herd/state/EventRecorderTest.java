package io.herd.state;

import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.InstanceStop;
import io.herd.api.Json;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class EventRecorderTest {
    private ClusterState state = new ClusterState();
    private long index;

    private void apply(Command command) {
        state.apply(++index, command);
        StateInvariants.check(state);
    }

    private List<Event> events() {
        return state.view().events(EventFilter.ALL, Integer.MAX_VALUE);
    }

    private List<Event> events(EventFilter filter) {
        return state.view().events(filter, Integer.MAX_VALUE);
    }

    private void runningCheckout(String instanceId) {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(job("checkout"), "e1", at(1)));
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(instance(instanceId, "checkout", "n1")),
                List.of(), List.of()), false, "p1", at(2)));
        apply(report(instanceId, InstanceState.RUNNING, null, task(TaskStatus.RUNNING, null, null, 0), at(3)));
    }

    private static TaskState task(TaskStatus status, String reason, Integer exitCode, int restarts) {
        return new TaskState(status, status == TaskStatus.RUNNING ? 42L : null, exitCode, reason, null, restarts,
                at(0), null);
    }

    private static UpdateInstances report(String instanceId, InstanceState state, String reason, TaskState task,
            Instant time) {
        return new UpdateInstances("n1", List.of(new InstanceStatusUpdate(instanceId, state, reason,
                Map.of("main", task))), "u-" + time, time);
    }

    @Test
    void aJobsLifeIsTold() {
        runningCheckout("i1");
        apply(report("i1", InstanceState.FAILED, "task main OOMKilled (memory limit 128Mi) after 0 restarts",
                task(TaskStatus.DEAD, "OOMKilled", 137, 0), at(4)));
        apply(new DeregisterJob(jobId("checkout"), false, "e2", at(5)));

        assertThat(events()).extracting(Event::level, Event::reason, Event::object, Event::message, Event::first)
                .containsExactly(
                        tuple(EventLevel.NORMAL, "Registered", "node/host-n1", "node registered at 127.0.0.1:7710",
                                at(0)),
                        tuple(EventLevel.NORMAL, "Registered", "job/shop_web/checkout", "version 1 registered", at(1)),
                        tuple(EventLevel.NORMAL, "Scheduled", "instance/shop_web/checkout.web[0]",
                                "placed on node host-n1 at version 1", at(2)),
                        tuple(EventLevel.NORMAL, "Started", "instance/shop_web/checkout.web[0]",
                                "running on node host-n1", at(3)),
                        tuple(EventLevel.WARNING, "OOMKilled", "instance/shop_web/checkout.web[0]",
                                "task main OOMKilled (memory limit 128Mi) after 0 restarts", at(4)),
                        tuple(EventLevel.NORMAL, "Stopped", "job/shop_web/checkout", "job stopped", at(5)));
        Event oom = events().get(4);
        assertThat(oom.app()).isEqualTo("shop_web");
        assertThat(oom.job()).isEqualTo("checkout");
        assertThat(oom.group()).isEqualTo("web");
        assertThat(oom.instance()).isEqualTo("i1");
        assertThat(oom.nodeId()).isEqualTo("n1");
        assertThat(oom.node()).isEqualTo("host-n1");
        assertThat(oom.count()).isEqualTo(1);
        assertThat(oom.last()).isEqualTo(at(4));
    }

    @Test
    void repeatedRestartsFoldIntoOneEventWithACountUntilTheFoldWindowEnds() {
        runningCheckout("i1");
        for (int restart = 1; restart <= 3; restart++) {
            apply(report("i1", InstanceState.RUNNING, null, task(TaskStatus.PENDING, "Error", 1, restart),
                    at(10L * restart)));
        }
        Instant afterWindow = at(10).plus(EventPolicy.DEFAULT_FOLD_WINDOW).plusSeconds(1);
        apply(report("i1", InstanceState.RUNNING, null, task(TaskStatus.PENDING, "Error", 1, 4), afterWindow));

        List<Event> restarts = events(new EventFilter(null, null, null, null, null, "Restarted", null, null));
        assertThat(restarts).extracting(Event::count, Event::first, Event::last, Event::message).containsExactly(
                tuple(3L, at(10), at(30), "task main exited with code 1; restarting it"),
                tuple(1L, afterWindow, afterWindow, "task main exited with code 1; restarting it"));
        assertThat(restarts.get(0).level()).isEqualTo(EventLevel.WARNING);
        // A fold moves the event to the end of the change order, so a stream sees the new count.
        long beforeLast = state.view().lastEventSequence();
        apply(report("i1", InstanceState.RUNNING, null, task(TaskStatus.PENDING, "OOMKilled", 137, 5),
                afterWindow.plusSeconds(1)));
        apply(report("i1", InstanceState.RUNNING, null, task(TaskStatus.PENDING, "OOMKilled", 137, 6),
                afterWindow.plusSeconds(2)));
        assertThat(state.view().eventsAfter(beforeLast, EventFilter.ALL, 10))
                .extracting(Event::reason, Event::count, Event::message)
                .containsExactly(tuple("OOMKilled", 2L, "task main was killed at its memory limit; restarting it"));
    }

    @Test
    void aDownNodeAPreemptionAStopAndUnplaceableInstancesAreWarnedAbout() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(job("scavenger"), "e1", at(1)));
        apply(new ApplyPlan(new Plan("e1", jobId("scavenger"), 1, List.of(instance("victim", "scavenger", "n1"),
                instance("other", "scavenger", "n1")), List.of(), List.of()), false, "p1", at(2)));
        apply(new RegisterJob(job("checkout"), "e2", at(3)));
        PlacementFailure failure = new PlacementFailure("web", 2, 1, Map.of("insufficient memory", 1), 0);
        Plan plan = new Plan("e2", jobId("checkout"), 1, List.of(instance("preemptor", "checkout", "n1")),
                List.of(), List.of(failure), null,
                List.of(new InstanceStop("victim", "Preempted by shop_web/checkout.web[0]")), null);
        apply(new ApplyPlan(plan, false, "p2", at(4)));
        apply(new ApplyPlan(new Plan("e2", jobId("scavenger"), 1, List.of(),
                List.of(new InstanceStop("other", "scaled down")), List.of()), false, "p3", at(5)));
        apply(new SetNodeStatus("n1", NodeStatus.DOWN, "c2", at(6)));
        apply(new SetNodeStatus("n1", NodeStatus.READY, "c3", at(7)));

        assertThat(events()).extracting(Event::level, Event::reason, Event::object, Event::message)
                .contains(
                        tuple(EventLevel.WARNING, "Preempted", "instance/shop_web/scavenger.web[0]",
                                "Preempted by shop_web/checkout.web[0]"),
                        tuple(EventLevel.WARNING, "FailedScheduling", "job/shop_web/checkout",
                                "group web: 2 not placed (1 node: insufficient memory); preemption cannot help: "
                                        + "no lower-priority instances to preempt whose eviction would make room"),
                        tuple(EventLevel.NORMAL, "Killing", "instance/shop_web/scavenger.web[0]",
                                "stopping: scaled down"),
                        tuple(EventLevel.WARNING, "NodeDown", "node/host-n1",
                                "node stopped answering; its instances are lost"),
                        tuple(EventLevel.WARNING, "Lost", "instance/shop_web/checkout.web[0]",
                                "lost: node down (node host-n1)"),
                        tuple(EventLevel.NORMAL, "NodeReady", "node/host-n1", "node is ready"));
        assertThat(events(new EventFilter(null, null, null, "host-n1", EventLevel.WARNING, null, null, null)))
                .extracting(Event::reason).containsExactly("Preempted", "NodeDown", "Lost", "Lost", "Lost");
    }

    @Test
    void repeatedSchedulingFailuresFold() {
        apply(new RegisterJob(job("checkout"), "e1", at(1)));
        PlacementFailure failure = new PlacementFailure("web", 1, 0, Map.of());
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(), List.of(), List.of(failure)), false,
                "p1", at(2)));
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(), List.of(), List.of(failure)), false,
                "p2", at(3)));
        // A partly rejected plan is retried at once: no event until the retry says what could not be placed.
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(), List.of(), List.of(failure)), true,
                "p3", at(4)));

        assertThat(events(new EventFilter(null, null, null, null, null, "failedscheduling", null, null)))
                .singleElement().satisfies(event -> {
                    assertThat(event.count()).isEqualTo(2);
                    assertThat(event.message()).isEqualTo("group web: 1 not placed (no ready nodes)");
                    assertThat(event.last()).isEqualTo(at(3));
                });
    }

    @Test
    void eventsOlderThanTheRetentionAndBeyondTheLimitArePrunedByCommandTime() {
        state = new ClusterState(new EventPolicy(Duration.ofHours(1), 3, Duration.ofMinutes(10)));
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new UpsertNode(node("n2"), "c2", at(1800)));
        apply(new RegisterServer("s1", "a:1", "a:2", at(3601)));
        assertThat(events()).extracting(Event::object).containsExactly("node/host-n2");

        apply(new UpsertNode(node("n3"), "c3", at(3602)));
        apply(new UpsertNode(node("n4"), "c4", at(3603)));
        apply(new UpsertNode(node("n5"), "c5", at(3604)));
        assertThat(events()).extracting(Event::object).containsExactly("node/host-n3", "node/host-n4", "node/host-n5");
        assertThat(state.view().eventCount()).isEqualTo(3);
    }

    @Test
    void aSnapshotKeepsEventsAndTheRestoredStateFoldsAndCountsOnLikeTheOriginal() {
        runningCheckout("i1");
        apply(report("i1", InstanceState.RUNNING, null, task(TaskStatus.PENDING, "Error", 1, 1), at(10)));

        ClusterState restored = ClusterState.fromData(Json.read(Json.writeBytes(state.toData()), StateData.class),
                state.eventPolicy());
        UpdateInstances again = report("i1", InstanceState.RUNNING, null, task(TaskStatus.PENDING, "Error", 1, 2),
                at(11));
        state.apply(++index, again);
        restored.apply(index, again);

        assertThat(restored.toData()).isEqualTo(state.toData());
        assertThat(restored.view().events(new EventFilter(null, null, "i", null, null, "Restarted", null, null), 5))
                .singleElement().extracting(Event::count).isEqualTo(2L);
    }

    @Test
    void filtersSelectByAppSubtreeJobInstanceNodeLevelReasonAndTime() {
        runningCheckout("i1-abcdef");

        assertThat(events(new EventFilter("shop", null, null, null, null, null, null, null))).hasSize(3);
        assertThat(events(new EventFilter("shop_", null, null, null, null, null, null, null))).hasSize(3);
        assertThat(events(new EventFilter("shop_web", null, null, null, null, null, null, null))).hasSize(3);
        assertThat(events(new EventFilter("sho", null, null, null, null, null, null, null))).isEmpty();
        assertThat(events(new EventFilter("shop_web_api", null, null, null, null, null, null, null))).isEmpty();
        assertThat(events(new EventFilter(null, "checkout", null, null, null, null, null, null))).hasSize(3);
        assertThat(events(new EventFilter(null, "shop_web/checkout", null, null, null, null, null, null))).hasSize(3);
        assertThat(events(new EventFilter(null, "other/checkout", null, null, null, null, null, null))).isEmpty();
        assertThat(events(new EventFilter(null, null, "i1-abc", null, null, null, null, null)))
                .extracting(Event::reason).containsExactly("Scheduled", "Started");
        assertThat(events(new EventFilter(null, null, null, "n1", null, null, null, null))).hasSize(3);
        assertThat(events(new EventFilter(null, null, null, null, EventLevel.WARNING, null, null, null))).isEmpty();
        assertThat(events(new EventFilter(null, null, null, null, null, null, at(2), at(2))))
                .extracting(Event::reason).containsExactly("Scheduled");
        assertThat(state.view().events(EventFilter.ALL, 2)).extracting(Event::reason)
                .containsExactly("Scheduled", "Started");
    }

    @Test
    void aSubscriptionStartsAtTheNewestEventAndItsCursorOnlyMovesForward() {
        runningCheckout("i1");
        long newest = state.view().lastEventSequence();
        apply(new SubscribeEvents(new io.herd.api.EventSubscription("hook", "http://127.0.0.1:9/", null, null, null,
                0, null), at(10)));
        assertThat(state.view().eventSubscriptions()).singleElement().satisfies(subscription -> {
            assertThat(subscription.deliveredSequence()).isEqualTo(newest);
            assertThat(subscription.createTime()).isEqualTo(at(10));
        });

        apply(new AckEvents("hook", newest + 5, at(11)));
        // The same request resent (its answer was lost) leaves the cursor alone.
        apply(new SubscribeEvents(new io.herd.api.EventSubscription("hook", "http://127.0.0.1:9/", null, null, null,
                0, null), at(11)));
        apply(new AckEvents("hook", newest + 2, at(12)));
        apply(new AckEvents("other", newest + 9, at(12)));
        assertThat(state.view().eventSubscriptions()).singleElement().satisfies(subscription -> {
            assertThat(subscription.deliveredSequence()).isEqualTo(newest + 5);
            assertThat(subscription.deliveredTime()).isEqualTo(at(11));
        });
        assertThat(ClusterState.fromData(Json.read(Json.writeBytes(state.toData()), StateData.class)).view()
                .eventSubscriptions()).isEqualTo(state.view().eventSubscriptions());

        apply(new UnsubscribeEvents("hook", at(13)));
        assertThat(state.view().eventSubscriptions()).isEmpty();
    }
}
