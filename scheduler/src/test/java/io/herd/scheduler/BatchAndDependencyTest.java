package io.herd.scheduler;

import io.herd.api.BatchPolicy;
import io.herd.api.BatchProgress;
import io.herd.api.CronPolicy;
import io.herd.api.Dependency;
import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Plan;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The reconciler's part of batch limits, cron jobs and depends_on. */
class BatchAndDependencyTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static Job batch(int count, BatchPolicy policy) {
        return Jobs.job("crunch").type(JobType.BATCH).batch(policy).group(Jobs.group("work").count(count)).build();
    }

    private Instance failed(Job job, int index, long secondsAgo) {
        Instance instance = Instances.instance(job, "work", index).node("n1").state(InstanceState.FAILED)
                .reason("exit code 1").createTime(harness.clock.instant().minusSeconds(secondsAgo + 5))
                .modifyTime(harness.clock.instant().minusSeconds(secondsAgo)).build();
        harness.cluster.add(instance);
        return instance;
    }

    @Test
    void aFailedIndexIsRetriedUntilMaxAttempts_thenTheJobFailsAndNothingIsPlaced() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job job = batch(1, new BatchPolicy(2, null, 0));
        failed(job, 0, 600);

        assertThat(harness.process(job).placements()).as("attempt 2 of 2").hasSize(1);

        failed(job, 0, 300);
        Plan plan = harness.process(job);

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.nextEvaluationAt()).isNull();
        BatchProgress progress = BatchProgress.of(job, harness.cluster.instancesOfJob(job.id()),
                harness.clock.instant());
        assertThat(progress.state()).isEqualTo(BatchProgress.State.FAILED);
        assertThat(progress.reason()).isEqualTo("work[0] failed 2 of max_attempts 2: exit code 1");
        assertThat(progress.summary()).isEqualTo("failed: work[0] failed 2 of max_attempts 2: exit code 1 (2 attempts)");
    }

    @Test
    void aNewVersionGetsAFreshBudgetOfAttempts() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job broken = batch(1, new BatchPolicy(1, null, 0));
        failed(broken, 0, 600);
        Job fixed = Jobs.job("crunch").type(JobType.BATCH).version(2).batch(new BatchPolicy(1, null, 0))
                .group(Jobs.group("work").count(1).task(Jobs.task("server").memory("64Mi"))).build();

        assertThat(harness.process(fixed).placements()).hasSize(1);
    }

    @Test
    void atTheDeadlineRunningInstancesStopAndTheJobFails() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job job = batch(2, new BatchPolicy(3, Duration.ofMinutes(10), 0));
        Instance running = Instances.instance(job, "work", 0).node("n1").state(InstanceState.RUNNING).build();
        Instance done = Instances.instance(job, "work", 1).node("n1").state(InstanceState.COMPLETE).build();
        harness.cluster.add(running, done);

        Plan before = harness.process(job);
        assertThat(before.stops()).isEmpty();
        assertThat(before.nextEvaluationAt()).as("evaluated again at the deadline")
                .isEqualTo(job.submitTime().plus(Duration.ofMinutes(10)));

        harness.clock.advance(Duration.ofMinutes(10));
        Plan after = harness.process(job);

        assertThat(after.stops()).containsExactly(new InstanceStop(running.id(), BatchProgress.DEADLINE_EXCEEDED));
        assertThat(after.placements()).isEmpty();
    }

    @Test
    void parallelismBoundsHowManyInstancesLiveAtOnce() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = batch(5, new BatchPolicy(3, null, 2));

        assertThat(harness.processAndApply(job).placements()).extracting(Instance::index).containsExactly(0, 1);
        assertThat(harness.process(job).placements()).as("two live already").isEmpty();
    }

    @Test
    void aCronJobPlacesNothingItself() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job cron = Jobs.job("nightly").cron(new CronPolicy("@daily", null, null, null, null)).build();

        Plan plan = harness.process(cron);

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).isEmpty();
    }

    @Test
    void aJobWaitsForItsDependencies_andStartsOnceTheyAreMet() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job database = Jobs.job("db").group(Jobs.group("web").count(2)).build();
        Job migrate = Jobs.job("migrate").type(JobType.BATCH).group(Jobs.group("work").count(1)).build();
        Job web = Jobs.job("web").dependsOn(database.id(), Dependency.Condition.HEALTHY)
                .dependsOn(migrate.id(), Dependency.Condition.COMPLETE).build();

        assertThat(harness.process(web).placements()).as("neither exists yet").isEmpty();

        harness.cluster.register(database).register(migrate);
        harness.cluster.add(Instances.instance(database, "web", 0).node("n1").state(InstanceState.RUNNING).build());
        harness.cluster.add(Instances.instance(migrate, "work", 0).node("n1").state(InstanceState.COMPLETE).build());
        assertThat(harness.process(web).placements()).as("db has 1 of 2 instances").isEmpty();
        assertThat(io.herd.api.Dependencies.waitingFor(web, harness.cluster::job, harness.cluster::instancesOfJob,
                harness.clock.instant())).containsExactly("demo/db to be healthy (1/2 ready)");

        harness.cluster.add(Instances.instance(database, "web", 1).node("n2").state(InstanceState.RUNNING).build());
        assertThat(harness.process(web).placements()).hasSize(web.groups().getFirst().count());
    }

    @Test
    void aStartedJobKeepsRunningWhenADependencyLaterFails() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job web = Jobs.job("web").group(Jobs.group("web").count(2))
                .dependsOn("other/db", Dependency.Condition.HEALTHY).build();
        harness.cluster.add(Instances.instance(web, "web", 0).node("n1").state(InstanceState.RUNNING).build());

        Plan plan = harness.process(web);

        assertThat(plan.placements()).extracting(Instance::index).containsExactly(1);
        assertThat(plan.stops()).isEmpty();
    }

    @Test
    void aCompletedBatchIsNotCompleteWhenTheServerStoppedIt() {
        Job job = batch(1, BatchPolicy.DEFAULT);
        Instance stopped = Instances.instance(job, "work", 0).node("n1").state(InstanceState.COMPLETE)
                .desired(DesiredStatus.STOP).build();

        BatchProgress progress = BatchProgress.of(job, List.of(stopped), harness.clock.instant());

        assertThat(progress.state()).isNotEqualTo(BatchProgress.State.COMPLETE);
    }
}
