package io.herd.cli;

import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.PlacementFailure;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.wire.JobStatus;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code herd up} prints and decides, from hand-made snapshots of a job. */
class DeploymentTrackerTest {
    private static final Job HELLO = Jobs.job("hello").version(1)
            .group(Jobs.group("web").count(2).task(Jobs.task("server").ports("http")))
            .build();

    @Test
    void saysWhatAJobWaitsForOnce_untilItChanges() {
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");
        Evaluation done = evaluation("eval-1", EvaluationStatus.COMPLETE);

        DeploymentTracker.Observation first = tracker.observe(new JobStatus(HELLO, List.of(), List.of(done), null, 0,
                null, List.of("demo/db to be healthy (0/1 ready)"), null));
        DeploymentTracker.Observation same = tracker.observe(new JobStatus(HELLO, List.of(), List.of(done), null, 0,
                null, List.of("demo/db to be healthy (0/1 ready)"), null));
        DeploymentTracker.Observation changed = tracker.observe(new JobStatus(HELLO, List.of(), List.of(done), null,
                0, null, List.of("demo/db to be healthy (1/2 ready)"), null));

        assertThat(first.lines()).containsExactly("  waiting for demo/db to be healthy (0/1 ready)");
        assertThat(first.outcome()).isInstanceOf(DeploymentTracker.InProgress.class);
        assertThat(same.lines()).isEmpty();
        assertThat(changed.lines()).containsExactly("  waiting for demo/db to be healthy (1/2 ready)");
    }

    @Test
    void followsAFreshDeploymentUntilEveryInstanceRuns() {
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");

        DeploymentTracker.Observation submitted = tracker.observe(status(HELLO, List.of(), evaluation("eval-1", EvaluationStatus.PENDING)));
        assertThat(submitted.lines()).isEmpty();
        assertThat(submitted.outcome()).isInstanceOf(DeploymentTracker.InProgress.class);
        assertThat(submitted.desired()).isEqualTo(2);

        Instance pending0 = instance(HELLO, 0, "i-0").state(InstanceState.PENDING).build();
        Instance pending1 = instance(HELLO, 1, "i-1").state(InstanceState.PENDING).build();
        DeploymentTracker.Observation placed = tracker.observe(
                status(HELLO, List.of(pending1, pending0), evaluation("eval-1", EvaluationStatus.COMPLETE)));
        assertThat(placed.lines()).containsExactly(
                "  hello.web[0]  pending on node-a",
                "  hello.web[1]  pending on node-a");
        assertThat(placed.outcome()).isInstanceOf(DeploymentTracker.InProgress.class);

        Instance running0 = running(HELLO, 0, "i-0", 41237, 20513);
        DeploymentTracker.Observation oneRunning = tracker.observe(
                status(HELLO, List.of(pending1, running0), evaluation("eval-1", EvaluationStatus.COMPLETE)));
        assertThat(oneRunning.lines()).containsExactly("  hello.web[0]  running on node-a (pid 41237, port http=20513)");
        assertThat(oneRunning.ready()).isEqualTo(1);

        DeploymentTracker.Observation unchanged = tracker.observe(
                status(HELLO, List.of(pending1, running0), evaluation("eval-1", EvaluationStatus.COMPLETE)));
        assertThat(unchanged.lines()).as("no transition, no line").isEmpty();

        Instance running1 = running(HELLO, 1, "i-1", 41240, 20514);
        DeploymentTracker.Observation done = tracker.observe(
                status(HELLO, List.of(running1, running0), evaluation("eval-1", EvaluationStatus.COMPLETE)));
        assertThat(done.lines()).containsExactly("  hello.web[1]  running on node-a (pid 41240, port http=20514)");
        assertThat(done.outcome()).isInstanceOf(DeploymentTracker.Deployed.class);
        assertThat(done.ready()).isEqualTo(2);
        assertThat(done.desired()).isEqualTo(2);
    }

    @Test
    void aRestartedTaskIsATransition() {
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");
        tracker.observe(status(HELLO, List.of(running(HELLO, 0, "i-0", 100, 20000)), evaluation("eval-1", EvaluationStatus.PENDING)));
        Instance restarted = instance(HELLO, 0, "i-0").port("http", 20000)
                .task("server", new TaskState(TaskStatus.RUNNING, 200L, null, null, null, 1, FakeClock.DEFAULT_START, null))
                .build();
        assertThat(tracker.observe(status(HELLO, List.of(restarted), evaluation("eval-1", EvaluationStatus.PENDING))).lines())
                .containsExactly("  hello.web[0]  running on node-a (pid 200, port http=20000, 1 restart)");
    }

    @Test
    void anInstanceWhoseTaskWaitsForARestartIsNotRunning() {
        DeploymentTracker tracker = new DeploymentTracker(1, null);
        Instance crashing = instance(HELLO, 0, "i-0")
                .task("server", new TaskState(TaskStatus.DEAD, null, 3, "Error", null, 1, FakeClock.DEFAULT_START, null))
                .build();
        DeploymentTracker.Observation observation = tracker.observe(
                status(HELLO, List.of(crashing, running(HELLO, 1, "i-1", 2, 20001))));
        assertThat(observation.lines()).contains("  hello.web[0]  running on node-a (exited with code 3, restarting, 1 restart)");
        assertThat(observation.ready()).isEqualTo(1);
        assertThat(observation.outcome()).isInstanceOf(DeploymentTracker.InProgress.class);
    }

    @Test
    void nothingIsDecidedBeforeTheSchedulerHasSeenTheSubmission() {
        // Version 1 runs fully, but version 2 was just submitted and its evaluation is still pending.
        Job version2 = Jobs.job("hello").version(2)
                .group(Jobs.group("web").count(2).task(Jobs.task("server").ports("http"))).build();
        DeploymentTracker tracker = new DeploymentTracker(2, "eval-2");
        List<Instance> old = List.of(running(HELLO, 0, "i-0", 1, 20000), running(HELLO, 1, "i-1", 2, 20001));
        assertThat(tracker.observe(status(version2, old, evaluation("eval-2", EvaluationStatus.PENDING))).outcome())
                .isInstanceOf(DeploymentTracker.InProgress.class);
        assertThat(tracker.observe(status(version2, old)).outcome())
                .as("the submission's evaluation is not visible yet")
                .isInstanceOf(DeploymentTracker.InProgress.class);
    }

    @Test
    void aReplicaThatHasNotAppliedTheSubmissionIsWaitedFor() {
        DeploymentTracker tracker = new DeploymentTracker(2, null);
        List<Instance> old = List.of(running(HELLO, 0, "i-0", 1, 20000), running(HELLO, 1, "i-1", 2, 20001));
        assertThat(tracker.observe(status(HELLO, old)).outcome()).isInstanceOf(DeploymentTracker.InProgress.class);
    }

    @Test
    void instancesBeingStoppedAreWaitedFor() {
        Job version2 = Jobs.job("hello").version(2)
                .group(Jobs.group("web").count(1).task(Jobs.task("server").ports("http"))).build();
        DeploymentTracker tracker = new DeploymentTracker(2, "eval-2");
        Instance kept = running(version2, 0, "i-0", 1, 20000);
        Instance stopping = instance(HELLO, 1, "i-1").desired(DesiredStatus.STOP).reason("count lowered").build();
        DeploymentTracker.Observation first = tracker.observe(
                status(version2, List.of(kept, stopping), evaluation("eval-2", EvaluationStatus.COMPLETE)));
        assertThat(first.outcome()).isInstanceOf(DeploymentTracker.InProgress.class);
        assertThat(first.lines()).contains("  hello.web[1]  stopping on node-a: count lowered [version 1]");

        Instance stopped = instance(HELLO, 1, "i-1").desired(DesiredStatus.STOP).state(InstanceState.COMPLETE)
                .reason("count lowered").build();
        DeploymentTracker.Observation done = tracker.observe(
                status(version2, List.of(kept, stopped), evaluation("eval-2", EvaluationStatus.COMPLETE)));
        assertThat(done.lines()).containsExactly("  hello.web[1]  complete on node-a (exit 0): count lowered [version 1]");
        assertThat(done.outcome()).isInstanceOf(DeploymentTracker.Deployed.class);
    }

    @Test
    void instancesOfAnOlderVersionCountWhenOnlyTheCountChanged() {
        Job version2 = Jobs.job("hello").version(2)
                .group(Jobs.group("web").count(3).task(Jobs.task("server").ports("http"))).build();
        DeploymentTracker tracker = new DeploymentTracker(2, "eval-2");
        List<Instance> instances = List.of(running(HELLO, 0, "i-0", 1, 20000), running(HELLO, 1, "i-1", 2, 20001),
                running(version2, 2, "i-2", 3, 20002));
        DeploymentTracker.Observation observation =
                tracker.observe(status(version2, instances, evaluation("eval-2", EvaluationStatus.COMPLETE)));
        assertThat(observation.outcome()).isInstanceOf(DeploymentTracker.Deployed.class);
        assertThat(observation.ready()).isEqualTo(3);
        assertThat(observation.lines()).contains("  hello.web[0]  running on node-a (pid 1, port http=20000) [version 1]");
    }

    @Test
    void anUnchangedJobThatRunsIsDoneAtOnce() {
        DeploymentTracker tracker = new DeploymentTracker(1, null);
        Instance oldFailure = instance(HELLO, 1, "i-old").state(InstanceState.FAILED).reason("OOMKilled").build();
        DeploymentTracker.Observation observation = tracker.observe(status(HELLO,
                List.of(running(HELLO, 0, "i-0", 1, 20000), running(HELLO, 1, "i-1", 2, 20001), oldFailure)));
        assertThat(observation.outcome()).as("a failure from before the submission is history")
                .isInstanceOf(DeploymentTracker.Deployed.class);
        assertThat(observation.lines()).hasSize(2).noneMatch(line -> line.contains("failed"));
    }

    @Test
    void aBlockedEvaluationFailsWithItsReasons() {
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");
        PlacementFailure failure = new PlacementFailure("web", 2, 3, Map.of("insufficient memory", 3));
        Evaluation blocked = new Evaluation("eval-1", HELLO.id(), EvaluationTrigger.JOB_REGISTER,
                EvaluationStatus.BLOCKED, null, List.of(failure), FakeClock.DEFAULT_START, FakeClock.DEFAULT_START);
        DeploymentTracker.Observation observation = tracker.observe(status(HELLO, List.of(), blocked));
        assertThat(observation.outcome()).isEqualTo(new DeploymentTracker.Blocked(List.of(failure), null));
        assertThat(UpCommand.cannotPlace(failure)).isEqualTo("cannot place 2 instances of group web: 3 nodes: insufficient memory");
    }

    @Test
    void aFailedEvaluationFails() {
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");
        Evaluation failed = new Evaluation("eval-1", HELLO.id(), EvaluationTrigger.JOB_REGISTER,
                EvaluationStatus.FAILED, "too many attempts", List.of(), FakeClock.DEFAULT_START, FakeClock.DEFAULT_START);
        assertThat(tracker.observe(status(HELLO, List.of(), failed)).outcome())
                .isEqualTo(new DeploymentTracker.EvaluationFailed("too many attempts"));
    }

    @Test
    void aFailedInstanceOfTheNewVersionFails() {
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");
        tracker.observe(status(HELLO, List.of(), evaluation("eval-1", EvaluationStatus.PENDING)));
        Instance failed = instance(HELLO, 0, "i-0").state(InstanceState.FAILED)
                .reason("task server exited with code 1").build();
        DeploymentTracker.Observation observation = tracker.observe(
                status(HELLO, List.of(failed), evaluation("eval-1", EvaluationStatus.COMPLETE)));
        assertThat(observation.outcome()).isEqualTo(new DeploymentTracker.InstanceFailed(failed));
        assertThat(observation.lines()).containsExactly("  hello.web[0]  failed on node-a: task server exited with code 1");
    }

    @Test
    void aNewerVersionOrAStopEndsTheWait() {
        Job version2 = Jobs.job("hello").version(2).group(Jobs.group("web").task(Jobs.task("server"))).build();
        assertThat(new DeploymentTracker(1, null).observe(status(version2, List.of())).outcome())
                .isEqualTo(new DeploymentTracker.Superseded(2));
        Job stopped = Jobs.job("hello").version(1).stopped(true).group(Jobs.group("web").task(Jobs.task("server"))).build();
        assertThat(new DeploymentTracker(1, null).observe(status(stopped, List.of())).outcome())
                .isInstanceOf(DeploymentTracker.JobStopped.class);
    }

    @Test
    void aBatchJobIsDoneWhenItsInstancesStartedOrFinished() {
        Job batch = Jobs.job("compute").type(JobType.BATCH).version(1)
                .group(Jobs.group("main").count(2).task(Jobs.task("work"))).build();
        DeploymentTracker tracker = new DeploymentTracker(1, "eval-1");
        Instance finished = Instances.instance(batch, "main", 0).id("b-0").node("node-a").state(InstanceState.COMPLETE).build();
        Instance running = Instances.instance(batch, "main", 1).id("b-1").node("node-a").build();
        DeploymentTracker.Observation observation = tracker.observe(
                status(batch, List.of(finished, running), evaluation("eval-1", EvaluationStatus.COMPLETE)));
        assertThat(observation.outcome()).isInstanceOf(DeploymentTracker.Deployed.class);
        assertThat(observation.ready()).isEqualTo(2);
    }

    private static Instances.Builder instance(Job job, int index, String id) {
        return Instances.instance(job, "web", index).id(id).node("node-a");
    }

    private static Instance running(Job job, int index, String id, long pid, int port) {
        return instance(job, index, id).port("http", port)
                .task("server", new TaskState(TaskStatus.RUNNING, pid, null, null, null, 0, FakeClock.DEFAULT_START, null))
                .build();
    }

    private static Evaluation evaluation(String id, EvaluationStatus status) {
        return new Evaluation(id, HELLO.id(), EvaluationTrigger.JOB_REGISTER, status, null, List.of(),
                FakeClock.DEFAULT_START, FakeClock.DEFAULT_START);
    }

    private static JobStatus status(Job job, List<Instance> instances, Evaluation... evaluations) {
        return new JobStatus(job, instances, List.of(evaluations));
    }
}
