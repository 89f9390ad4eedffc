package io.herd.state;

import io.herd.api.BatchPolicy;
import io.herd.api.CronPolicy;
import io.herd.api.CronRun;
import io.herd.api.Dependency;
import io.herd.api.DesiredStatus;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Plan;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.APP;
import static io.herd.state.StateFixtures.SMALL;
import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Cron firings, runs and their concurrency policies, and the evaluations depends_on and parallelism need. */
class CronStateTest {
    private static final String CRON_ID = jobId("nightly");
    private final ClusterState state = new ClusterState();
    private long index;

    private ApplyResult apply(Command command) {
        return state.apply(++index, command);
    }

    private static Job cronJob(CronPolicy.Concurrency concurrency) {
        Job base = job("nightly", JobType.CRON, 1);
        return new Job(base.name(), APP, JobType.CRON, 100, List.of(), List.of(), base.groups(), 0, null, false,
                new BatchPolicy(2, null, 0), new CronPolicy("* * * * *", null, concurrency, null, null), List.of());
    }

    private ApplyResult fire(long scheduledSecond) {
        return apply(new FireCron(CRON_ID, at(scheduledSecond), true, 0, "e-fire-" + scheduledSecond,
                at(scheduledSecond + 1)));
    }

    private static String runId(long scheduledSecond) {
        return Job.id(APP, CronRun.runName("nightly", at(scheduledSecond)));
    }

    private void place(String instanceId, String runJobId, long second) {
        String runName = runJobId.substring(runJobId.indexOf('/') + 1);
        Instance instance = new Instance(instanceId, APP, runName, "web", 0, 1, "n1", "host-n1", SMALL, Map.of(),
                InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, at(second), at(second));
        apply(new ApplyPlan(new Plan("p" + index, runJobId, 1, List.of(instance), List.of(), List.of(), null), false,
                "c" + index, at(second)));
    }

    private void report(String instanceId, InstanceState instanceState, long second) {
        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate(instanceId, instanceState, null, Map.of())),
                "c" + index, at(second)));
    }

    private List<Event> cronEvents() {
        return state.view().events(new EventFilter(null, "nightly", null, null, null, null, null, null),
                Integer.MAX_VALUE).stream().filter(event -> event.kind().equals(Event.JOB)).toList();
    }

    @Test
    void aFiringStartsARun_aBatchJobWithTheCronJobsGroupsAndLimits() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.ALLOW), "e1", at(0)));

        ApplyResult fired = fire(60);

        Job run = state.view().job(runId(60)).orElseThrow();
        assertThat(run.type()).isEqualTo(JobType.BATCH);
        assertThat(run.name()).isEqualTo("nightly@20250301-100100");
        assertThat(run.groups()).isEqualTo(cronJob(CronPolicy.Concurrency.ALLOW).groups());
        assertThat(run.batch()).isEqualTo(new BatchPolicy(2, null, 0));
        assertThat(run.cron()).isNull();
        assertThat(run.submitTime()).isEqualTo(at(61));
        assertThat(fired.evaluationIds()).singleElement().satisfies(id -> {
            assertThat(state.view().evaluation(id).orElseThrow().jobId()).isEqualTo(runId(60));
            assertThat(state.view().evaluation(id).orElseThrow().trigger()).isEqualTo(EvaluationTrigger.JOB_REGISTER);
        });
        assertThat(state.view().cronRuns(CRON_ID)).singleElement().satisfies(firing -> {
            assertThat(firing.outcome()).isEqualTo(CronRun.Outcome.STARTED);
            assertThat(firing.scheduledTime()).isEqualTo(at(60));
            assertThat(firing.runJobId()).isEqualTo(runId(60));
        });
        assertThat(cronEvents()).extracting(Event::level, Event::reason)
                .containsSubsequence(tuple(EventLevel.NORMAL, "Registered"), tuple(EventLevel.NORMAL, "RunStarted"));
    }

    @Test
    void aFiringProposedTwice_orAnOlderOne_startsNothing() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.ALLOW), "e1", at(0)));
        fire(120);

        assertThat(fire(120).changed()).isFalse();
        assertThat(fire(60).changed()).as("a firing before the last one").isFalse();

        assertThat(state.view().cronRuns(CRON_ID)).hasSize(1);
        assertThat(state.view().jobs()).extracting(Job::id).containsExactlyInAnyOrder(CRON_ID, runId(120));
    }

    @Test
    void forbidSkipsAFiringWhileARunIsActive_andStartsOneOnceItCompleted() {
        apply(new UpsertNode(node("n1"), "c-node", at(0)));
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.FORBID), "e1", at(0)));
        fire(60);
        place("i1", runId(60), 62);
        report("i1", InstanceState.RUNNING, 63);

        ApplyResult skipped = fire(120);

        assertThat(skipped.changed()).isTrue();
        assertThat(state.view().job(runId(120))).isEmpty();
        assertThat(state.view().cronRuns(CRON_ID).getFirst()).satisfies(firing -> {
            assertThat(firing.outcome()).isEqualTo(CronRun.Outcome.SKIPPED);
            assertThat(firing.reason()).isEqualTo("run " + runId(60) + " is still active (concurrency: forbid)");
        });
        assertThat(cronEvents()).extracting(Event::reason).contains("RunSkipped");

        report("i1", InstanceState.COMPLETE, 150);
        fire(180);

        assertThat(state.view().job(runId(180))).isPresent();
        assertThat(state.view().cronRuns(CRON_ID)).extracting(CronRun::outcome).containsExactly(
                CronRun.Outcome.STARTED, CronRun.Outcome.SKIPPED, CronRun.Outcome.STARTED);
    }

    @Test
    void replaceStopsTheActiveRunBeforeStartingTheNewOne() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.REPLACE), "e1", at(0)));
        fire(60);

        ApplyResult replaced = fire(120);

        assertThat(state.view().job(runId(60)).orElseThrow().stopped()).isTrue();
        assertThat(state.view().job(runId(120)).orElseThrow().stopped()).isFalse();
        assertThat(replaced.evaluationIds()).hasSize(2)
                .extracting(id -> state.view().evaluation(id).orElseThrow().jobId())
                .containsExactly(runId(120), runId(60));
        assertThat(state.view().cronRuns(CRON_ID).getFirst().reason()).isEqualTo("replaced " + runId(60));
    }

    @Test
    void allowRunsThemSideBySide() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.ALLOW), "e1", at(0)));
        fire(60);
        fire(120);

        assertThat(state.view().job(runId(60)).orElseThrow().stopped()).isFalse();
        assertThat(state.view().job(runId(120)).orElseThrow().stopped()).isFalse();
    }

    @Test
    void aMissedFiringIsRecordedAsAWarning_andCountsAsTheLastFiring() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.ALLOW), "e1", at(0)));

        apply(new FireCron(CRON_ID, at(600), false, 9, "e-missed", at(900)));

        assertThat(state.view().jobs()).extracting(Job::id).containsExactly(CRON_ID);
        assertThat(state.view().cronRuns(CRON_ID)).singleElement().satisfies(firing -> {
            assertThat(firing.outcome()).isEqualTo(CronRun.Outcome.MISSED);
            assertThat(firing.reason()).contains("missed 10 firings").contains("catch_up: none");
        });
        assertThat(cronEvents()).extracting(Event::level, Event::reason).contains(tuple(EventLevel.WARNING, "RunMissed"));
        assertThat(fire(540).changed()).isFalse();
    }

    @Test
    void stoppingACronJobStopsItsRuns_andPurgingForgetsThem() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.ALLOW), "e1", at(0)));
        fire(60);

        apply(new DeregisterJob(CRON_ID, false, "e-stop", at(100)));
        assertThat(state.view().job(runId(60)).orElseThrow().stopped()).isTrue();
        assertThat(fire(120).changed()).as("a stopped cron job does not fire").isFalse();

        apply(new DeregisterJob(CRON_ID, true, "e-purge", at(130)));
        assertThat(state.view().jobs()).isEmpty();
        assertThat(state.view().cronRuns(CRON_ID)).isEmpty();
    }

    @Test
    void firingsAndRunsSurviveASnapshot() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.FORBID), "e1", at(0)));
        fire(60);
        fire(120);

        ClusterState restored = ClusterState.fromData(state.toData());

        assertThat(restored.toData()).isEqualTo(state.toData());
        assertThat(restored.view().cronRuns(CRON_ID)).extracting(CronRun::outcome)
                .containsExactly(CronRun.Outcome.SKIPPED, CronRun.Outcome.STARTED);
        // The restored state knows the last firing: the same firing again starts nothing.
        assertThat(restored.apply(++index, new FireCron(CRON_ID, at(120), true, 0, "again", at(121))).changed())
                .isFalse();
    }

    @Test
    void onlyTheNewestFiringsAreKept_andFinishedRunsGoWithThem() {
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.REPLACE), "e1", at(0)));
        for (int minute = 1; minute <= ClusterState.CRON_RUN_HISTORY_LIMIT + 5; minute++) {
            fire(minute * 60L);
        }

        assertThat(state.view().cronRuns(CRON_ID)).hasSize(ClusterState.CRON_RUN_HISTORY_LIMIT);
        assertThat(state.view().job(runId(60))).as("the oldest, stopped run is forgotten").isEmpty();
        assertThat(state.view().jobs()).hasSize(ClusterState.CRON_RUN_HISTORY_LIMIT + 1);
    }

    @Test
    void aJobWaitingForADependencyIsEvaluatedOnceItIsMet() {
        apply(new UpsertNode(node("n1"), "c-node", at(0)));
        Job database = job("db", JobType.SERVICE, 1);
        Job base = job("web", JobType.SERVICE, 1);
        Job web = new Job("web", APP, JobType.SERVICE, 200, List.of(), List.of(), base.groups(), 0, null, false,
                null, null, List.of(new Dependency(jobId("db"), Dependency.Condition.HEALTHY)));
        apply(new RegisterJob(web, "e-web", at(1)));
        apply(new RegisterJob(database, "e-db", at(2)));
        Instance instance = new Instance("d1", APP, "db", "web", 0, 1, "n1", "host-n1", SMALL, Map.of(),
                InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, at(3), at(3));
        apply(new ApplyPlan(new Plan("e-db", jobId("db"), 1, List.of(instance), List.of(), List.of(), null), false,
                "c-plan", at(3)));

        ApplyResult running = apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("d1",
                InstanceState.RUNNING, null, Map.of())), "c-run", at(4)));

        assertThat(running.evaluationIds()).extracting(id -> state.view().evaluation(id).orElseThrow())
                .anySatisfy(evaluation -> {
                    assertThat(evaluation.jobId()).isEqualTo(jobId("web"));
                    assertThat(evaluation.trigger()).isEqualTo(EvaluationTrigger.DEPENDENCY_MET);
                });
    }

    @Test
    void aCompletedInstanceOfABatchJobWithLimitedParallelismMakesRoomForTheNext() {
        apply(new UpsertNode(node("n1"), "c-node", at(0)));
        Job base = job("crunch", JobType.BATCH, 3);
        Job crunch = new Job("crunch", APP, JobType.BATCH, 100, List.of(), List.of(), base.groups(), 0, null, false,
                new BatchPolicy(3, null, 1), null, List.of());
        apply(new RegisterJob(crunch, "e1", at(0)));
        Instance first = new Instance("b0", APP, "crunch", "web", 0, 1, "n1", "host-n1", SMALL, Map.of(),
                InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, at(1), at(1));
        apply(new ApplyPlan(new Plan("e1", jobId("crunch"), 1, List.of(first), List.of(), List.of(), null), false,
                "c-plan", at(1)));
        // The evaluation that placed it is done once its plan is applied; nothing is pending for the job now.
        report("b0", InstanceState.RUNNING, 2);

        ApplyResult completed = apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("b0",
                InstanceState.COMPLETE, null, Map.of())), "c-done", at(3)));

        assertThat(completed.evaluationIds()).extracting(id -> state.view().evaluation(id).orElseThrow())
                .anySatisfy(evaluation -> {
                    assertThat(evaluation.jobId()).isEqualTo(jobId("crunch"));
                    assertThat(evaluation.trigger()).isEqualTo(EvaluationTrigger.INSTANCE_COMPLETED);
                });
    }

    @Test
    void aRunThatCompletesOrRunsOutOfAttemptsIsAnEventOfTheCronJob() {
        apply(new UpsertNode(node("n1"), "c-node", at(0)));
        apply(new RegisterJob(cronJob(CronPolicy.Concurrency.ALLOW), "e1", at(0)));
        fire(60);
        place("i1", runId(60), 61);
        report("i1", InstanceState.COMPLETE, 65);
        fire(120);
        place("i2", runId(120), 121);
        report("i2", InstanceState.FAILED, 122);
        place("i3", runId(120), 130);
        report("i3", InstanceState.FAILED, 131);

        assertThat(cronEvents()).filteredOn(event -> event.reason().startsWith("Run"))
                .extracting(Event::level, Event::reason, Event::message).containsExactly(
                        tuple(EventLevel.NORMAL, "RunStarted", "firing of " + at(60) + " started run " + runId(60)),
                        tuple(EventLevel.NORMAL, "RunComplete", "run " + runId(60) + " complete 1/1"),
                        tuple(EventLevel.NORMAL, "RunStarted", "firing of " + at(120) + " started run " + runId(120)),
                        tuple(EventLevel.WARNING, "RunFailed", "run " + runId(120)
                                + " failed: web[0] failed 2 of max_attempts 2 (2 attempts)"));
    }
}
