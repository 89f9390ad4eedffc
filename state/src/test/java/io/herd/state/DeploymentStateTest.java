package io.herd.state;

import io.herd.api.Deployment;
import io.herd.api.DeploymentGroup;
import io.herd.api.DeploymentStatus;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.api.Task;
import io.herd.api.UpdatePolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DeploymentStateTest {
    private final ClusterState state = new ClusterState();
    private long index;

    private ApplyResult apply(Command command) {
        return state.apply(++index, command);
    }

    private static Job withArgs(String argument) {
        Job base = job("shop");
        Group group = base.groups().getFirst();
        Task task = group.tasks().getFirst();
        Task changed = new Task(task.name(), task.driver(), Map.of("command", "/bin/sleep", "args", List.of(argument)),
                task.env(), task.resources(), task.ports(), task.killTimeout());
        Group revertible = new Group(group.name(), group.count(), group.constraints(), group.spread(),
                new UpdatePolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(30), true), group.restart(),
                group.services(), List.of(changed));
        return new Job(base.name(), base.app(), base.type(), base.priority(), base.constraints(), List.of(revertible),
                0, null, false);
    }

    private static Deployment deployment(String id, long version, DeploymentStatus status) {
        return new Deployment(id, jobId("shop"), version, status, null,
                Map.of("web", new DeploymentGroup(1, 0, true, 1, 1, 0, true, null)), null, null, null, at(0), at(0));
    }

    private void plan(long version, Deployment deployment) {
        apply(new ApplyPlan(new Plan("e" + index, jobId("shop"), version, List.of(), List.of(), List.of(), null,
                List.of(), deployment), false, "c" + index, at(index)));
    }

    @Test
    void aFailedDeploymentWithAutoRevertRegistersTheLastSuccessfulSpecAsANewVersion() {
        apply(new RegisterJob(withArgs("60"), "e1", at(1)));
        plan(1, deployment("d1", 1, DeploymentStatus.SUCCESSFUL));
        apply(new RegisterJob(withArgs("61"), "e2", at(2)));
        plan(2, deployment("d2", 2, DeploymentStatus.RUNNING));

        plan(2, deployment("d2", 2, DeploymentStatus.FAILED));

        Job current = state.view().job(jobId("shop")).orElseThrow();
        assertThat(current.version()).isEqualTo(3);
        assertThat(current.sameSpecAs(withArgs("60"))).isTrue();
        Deployment failed = state.view().latestDeployment(jobId("shop")).orElseThrow();
        assertThat(failed.revertedToVersion()).isEqualTo(3);
        assertThat(failed.description()).contains("auto-reverted to version 3 (the spec of version 1)");
        assertThat(state.view().pendingEvaluations()).anyMatch(evaluation -> evaluation.jobId().equals(jobId("shop")));
        assertThat(ClusterState.fromData(state.toData()).toData()).isEqualTo(state.toData());
        assertThat(jobEvents()).extracting(Event::level, Event::reason).containsSubsequence(
                tuple(EventLevel.NORMAL, "DeploymentStarted"), tuple(EventLevel.NORMAL, "DeploymentSucceeded"),
                tuple(EventLevel.NORMAL, "DeploymentStarted"), tuple(EventLevel.WARNING, "DeploymentFailed"),
                tuple(EventLevel.WARNING, "AutoReverted"));
        assertThat(jobEvents()).filteredOn(event -> event.reason().equals("AutoReverted")).singleElement()
                .extracting(Event::message).asString().contains("registered again as version 3");
    }

    @Test
    void aNewVersionCancelsTheActiveDeploymentAndAPlanNeverReopensIt() {
        apply(new RegisterJob(withArgs("60"), "e1", at(1)));
        plan(1, deployment("d1", 1, DeploymentStatus.RUNNING));
        apply(new RegisterJob(withArgs("61"), "e2", at(2)));

        assertThat(state.view().latestDeployment(jobId("shop")).orElseThrow().status())
                .isEqualTo(DeploymentStatus.CANCELLED);
        plan(1, deployment("d1", 1, DeploymentStatus.RUNNING));
        assertThat(state.view().latestDeployment(jobId("shop")).orElseThrow().status())
                .isEqualTo(DeploymentStatus.CANCELLED);
    }

    @Test
    void promoteAndRestartDriveTheDeployment() {
        apply(new RegisterJob(withArgs("60"), "e1", at(1)));
        Deployment paused = new Deployment("d1", jobId("shop"), 1, DeploymentStatus.PAUSED, null,
                Map.of("web", new DeploymentGroup(1, 1, false, 1, 1, 0, true, null)), null, null, null, at(0), at(0));
        plan(1, paused);

        assertThat(apply(new PromoteDeployment(jobId("shop"), "d1", "e-promote", at(5))).changed()).isTrue();
        Deployment promoted = state.view().latestDeployment(jobId("shop")).orElseThrow();
        assertThat(promoted.status()).isEqualTo(DeploymentStatus.RUNNING);
        assertThat(promoted.groups().get("web").promoted()).isTrue();
        assertThat(state.view().evaluation("e-promote")).isPresent();

        apply(new RestartJob(jobId("shop"), List.of("web"), "d-restart", "e-restart", at(6)));
        Deployment restart = state.view().latestDeployment(jobId("shop")).orElseThrow();
        assertThat(restart.id()).isEqualTo("d-restart");
        assertThat(restart.restartBefore()).isEqualTo(at(6));
        assertThat(restart.restarts("web")).isTrue();
        assertThat(state.view().deploymentsOfJob(jobId("shop"))).extracting(Deployment::status)
                .containsExactly(DeploymentStatus.RUNNING, DeploymentStatus.CANCELLED);
        assertThat(jobEvents()).extracting(Event::reason).containsSubsequence("DeploymentPaused", "Promoted",
                "DeploymentCancelled", "DeploymentStarted");
    }

    @Test
    void readinessIsTrackedFromTheAgentsReportsAndWakesAnActiveDeployment() {
        apply(new UpsertNode(node("n1"), "c-node", at(0)));
        apply(new RegisterJob(withArgs("60"), "e1", at(1)));
        Instance placed = instance("i1", "shop", "n1");
        apply(new ApplyPlan(new Plan("e1", jobId("shop"), 1, List.of(placed), List.of(), List.of(), null,
                List.of(), deployment("d1", 1, DeploymentStatus.RUNNING)), false, "c1", at(2)));

        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.RUNNING, null, Map.of(),
                false)), "c2", at(3)));
        Instance starting = state.view().instance("i1").orElseThrow();
        assertThat(instanceEvents("Unhealthy")).as("a new instance starts unhealthy: no event").isEmpty();
        assertThat(starting.healthy()).isFalse();
        assertThat(starting.readySince()).isNull();

        ApplyResult healthy = apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1",
                InstanceState.RUNNING, null, Map.of(), true)), "c3", at(4)));
        assertThat(state.view().instance("i1").orElseThrow().readySince()).isEqualTo(at(4));
        assertThat(healthy.evaluationIds()).singleElement()
                .satisfies(id -> assertThat(state.view().evaluation(id).orElseThrow().trigger().wireName())
                        .isEqualTo("deployment_watch"));

        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.RUNNING, null, Map.of(),
                false)), "c4", at(5)));
        assertThat(instanceEvents("Unhealthy")).singleElement().satisfies(event -> {
            assertThat(event.level()).isEqualTo(EventLevel.WARNING);
            assertThat(event.instance()).isEqualTo("i1");
        });
    }

    private List<Event> jobEvents() {
        return state.view().events(new EventFilter(null, "shop", null, null, null, null, null, null),
                Integer.MAX_VALUE).stream().filter(event -> event.kind().equals(Event.JOB)).toList();
    }

    private List<Event> instanceEvents(String reason) {
        return state.view().events(new EventFilter(null, null, null, null, null, reason, null, null),
                Integer.MAX_VALUE);
    }
}
