package io.herd.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The lifecycle fields of a job spec: batch limits, cron schedules and depends_on. */
class JobSpecLifecycleTest {
    private static final String GROUPS = """
            groups:
              - name: work
                count: 2
                tasks: [{name: main, driver: exec, config: {command: /bin/true}}]
            """;

    private static List<String> errors(String text) {
        HerdException error = catchThrowableOfType(HerdException.class, () -> JobSpecParser.parse(text));
        assertThat(error).as("expected the spec to be rejected").isNotNull();
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_JOB_SPEC);
        return error.details().stream().map(detail -> detail.path() + ": " + detail.message()).toList();
    }

    @Test
    void parsesACronJobWithEveryField() {
        Job job = JobSpecParser.parse("""
                job: nightly
                app: demo
                type: cron
                cron: {schedule: "0 3 * * *", time_zone: Europe/Berlin, concurrency: forbid, catch_up: last,
                       starting_deadline: 10m}
                batch: {max_attempts: 2, deadline: 1h, parallelism: 1}
                depends_on: [{job: demo/db, condition: healthy}, {job: migrate, condition: complete}]
                """ + GROUPS);

        assertThat(job.type()).isEqualTo(JobType.CRON);
        assertThat(job.cron()).isEqualTo(new CronPolicy("0 3 * * *", "Europe/Berlin", CronPolicy.Concurrency.FORBID,
                CronPolicy.CatchUp.LAST, Duration.ofMinutes(10)));
        assertThat(job.batch()).isEqualTo(new BatchPolicy(2, Duration.ofHours(1), 1));
        assertThat(job.dependsOn()).containsExactly(new Dependency("demo/db", Dependency.Condition.HEALTHY),
                new Dependency("demo/migrate", Dependency.Condition.COMPLETE));
    }

    @Test
    void defaultsOfACronJob() {
        Job job = JobSpecParser.parse("job: tick\napp: demo\ntype: cron\ncron: {schedule: '@hourly'}\n" + GROUPS);

        assertThat(job.cron().timeZone()).isEqualTo("UTC");
        assertThat(job.cron().concurrency()).isEqualTo(CronPolicy.Concurrency.ALLOW);
        assertThat(job.cron().catchUp()).isEqualTo(CronPolicy.CatchUp.NONE);
        assertThat(job.cron().startingDeadline()).isEqualTo(CronPolicy.DEFAULT_STARTING_DEADLINE);
        assertThat(job.batchPolicy()).isEqualTo(BatchPolicy.DEFAULT);
    }

    @Test
    void aJobSpecRoundTripsThroughJsonWithTheNewFields() throws Exception {
        Job job = JobSpecParser.parse("""
                job: nightly
                app: demo
                type: cron
                cron: {schedule: "*/5 * * * * *", concurrency: replace}
                batch: {deadline: 30s}
                depends_on: [{job: demo/db}]
                """ + GROUPS);

        Job copy = Json.mapper().readValue(Json.write(job), Job.class);

        assertThat(copy).isEqualTo(job);
    }

    @Test
    void reportsEveryProblemOfTheNewFieldsAtOnce() {
        assertThat(errors("""
                job: bad
                app: demo
                type: cron
                cron: {schedule: "61 * * * *", time_zone: Mars/Olympus, concurrency: sometimes, catch_up: all, extra: 1}
                batch: {max_attempts: -1, deadline: 0s}
                depends_on: [{job: "a/b/c"}, {job: bad}, {job: demo/db, condition: ready}, {job: demo/x}, {job: x}]
                """ + GROUPS)).containsExactlyInAnyOrder(
                "cron.extra: unknown field (expected one of: catch_up, concurrency, schedule, starting_deadline, time_zone)",
                "cron.schedule: \"61 * * * *\" is not a cron schedule: minute 61 is out of range 0-59",
                "cron.time_zone: \"Mars/Olympus\" is not a time zone (an IANA name such as Europe/Berlin, or UTC)",
                "cron.concurrency: \"sometimes\" is not allow, forbid or replace",
                "cron.catch_up: \"all\" is not none or last",
                "batch.max_attempts: must be 0 or more",
                "batch.deadline: must be longer than 0 (leave it out for no deadline)",
                "depends_on[0].job: \"a/b/c\" is not a job reference (app/job, or job for one of this app)",
                "depends_on[1].job: a job cannot depend on itself",
                "depends_on[2].condition: \"ready\" is not healthy or complete",
                "depends_on[4].job: demo/x is listed twice");
    }

    @Test
    void aCronJobNeedsASchedule_andOnlyACronJobMayHaveOne() {
        assertThat(errors("job: a\napp: demo\ntype: cron\n" + GROUPS))
                .containsExactly("cron: is required for a cron job: cron: {schedule: \"*/5 * * * *\"}");
        assertThat(errors("job: a\napp: demo\ntype: batch\ncron: {schedule: '@daily'}\n" + GROUPS))
                .containsExactly("cron: only a job of type cron has a schedule (add type: cron)");
        assertThat(errors("job: a\napp: demo\ntype: service\nbatch: {max_attempts: 1}\n" + GROUPS))
                .containsExactly("batch: only batch and cron jobs have batch limits");
    }
}
