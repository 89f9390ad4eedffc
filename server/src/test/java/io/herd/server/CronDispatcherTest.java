package io.herd.server;

import io.herd.api.CronPolicy;
import io.herd.api.Job;
import io.herd.state.FireCron;
import io.herd.testkit.Jobs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What the leader's cron dispatcher fires at a given time: the catch-up policy, without threads or clocks. */
class CronDispatcherTest {
    private static final Instant REGISTERED = Instant.parse("2026-01-01T10:00:30Z");

    private static Job everyMinute(CronPolicy.CatchUp catchUp, Duration startingDeadline) {
        return Jobs.job("tick").submitTime(REGISTERED)
                .cron(new CronPolicy("* * * * *", null, null, catchUp, startingDeadline)).build();
    }

    private static Instant at(String time) {
        return Instant.parse("2026-01-01T" + time + "Z");
    }

    @Test
    void nothingIsDueBeforeTheFirstScheduledTimeAfterRegistration() {
        assertThat(CronDispatcher.due(everyMinute(null, null), Optional.empty(), at("10:00:59"))).isEmpty();
    }

    @Test
    void aFiringOnTimeStarts() {
        FireCron firing = CronDispatcher.due(everyMinute(null, null), Optional.empty(), at("10:01:00.200"))
                .orElseThrow();

        assertThat(firing.scheduledTime()).isEqualTo(at("10:01:00"));
        assertThat(firing.start()).isTrue();
        assertThat(firing.missed()).isZero();
        assertThat(firing.time()).isEqualTo(at("10:01:00.200"));
    }

    @Test
    void afterTheLastRecordedFiringOnlyLaterTimesAreDue() {
        Job job = everyMinute(null, null);
        assertThat(CronDispatcher.due(job, Optional.of(at("10:01:00")), at("10:01:30"))).isEmpty();
        assertThat(CronDispatcher.due(job, Optional.of(at("10:01:00")), at("10:02:01")).orElseThrow().scheduledTime())
                .isEqualTo(at("10:02:00"));
    }

    @Test
    void withCatchUpNoneAFiringLaterThanTheStartingDeadlineIsMissed_andOlderOnesCounted() {
        // No leader from 10:01 to 10:10:30: ten firings (10:01 .. 10:10) were due, the newest 30 s late.
        Job job = everyMinute(CronPolicy.CatchUp.NONE, Duration.ofSeconds(10));

        FireCron firing = CronDispatcher.due(job, Optional.empty(), at("10:10:30")).orElseThrow();

        assertThat(firing.scheduledTime()).isEqualTo(at("10:10:00"));
        assertThat(firing.start()).isFalse();
        assertThat(firing.missed()).isEqualTo(9);
    }

    @Test
    void withCatchUpNoneALateFiringWithinTheStartingDeadlineStillStarts() {
        Job job = everyMinute(CronPolicy.CatchUp.NONE, Duration.ofMinutes(1));

        FireCron firing = CronDispatcher.due(job, Optional.empty(), at("10:10:30")).orElseThrow();

        assertThat(firing.scheduledTime()).isEqualTo(at("10:10:00"));
        assertThat(firing.start()).isTrue();
        assertThat(firing.missed()).isEqualTo(9);
    }

    @Test
    void withCatchUpLastTheNewestMissedFiringRunsOnceHoweverLate() {
        Job job = everyMinute(CronPolicy.CatchUp.LAST, Duration.ofSeconds(10));

        FireCron firing = CronDispatcher.due(job, Optional.of(at("10:01:00")), at("12:00:30")).orElseThrow();

        assertThat(firing.scheduledTime()).isEqualTo(at("12:00:00"));
        assertThat(firing.start()).isTrue();
        assertThat(firing.missed()).isEqualTo(118);
    }

    @Test
    void aStoppedJobOrAJobOfAnotherTypeNeverFires() {
        assertThat(CronDispatcher.due(everyMinute(null, null).withStopped(true), Optional.empty(), at("11:00:00")))
                .isEmpty();
        assertThat(CronDispatcher.due(Jobs.job("web").build(), Optional.empty(), at("11:00:00"))).isEmpty();
    }

    @Test
    void aSecondsScheduleDownForDaysIsCutShortButStillFiresTheNewestTime() {
        Job job = Jobs.job("fast").submitTime(REGISTERED)
                .cron(new CronPolicy("* * * * * *", null, null, CronPolicy.CatchUp.LAST, null)).build();

        FireCron firing = CronDispatcher.due(job, Optional.empty(), Instant.parse("2026-01-05T00:00:00.500Z"))
                .orElseThrow();

        assertThat(firing.scheduledTime()).isEqualTo(Instant.parse("2026-01-05T00:00:00Z"));
        assertThat(firing.start()).isTrue();
    }

    @Test
    void aCronJobStartedAgainOwesNothingForTheTimeItWasStopped() {
        // Last fired at 10:01, stopped, then registered again (a new version) at 12:00:30.
        Job again = Jobs.job("tick").version(3).submitTime(at("12:00:30"))
                .cron(new CronPolicy("* * * * *", null, null, CronPolicy.CatchUp.LAST, null)).build();

        assertThat(CronDispatcher.due(again, Optional.of(at("10:01:00")), at("12:00:45"))).isEmpty();
        assertThat(CronDispatcher.due(again, Optional.of(at("10:01:00")), at("12:01:00.100")).orElseThrow()
                .missed()).isZero();
    }
}
