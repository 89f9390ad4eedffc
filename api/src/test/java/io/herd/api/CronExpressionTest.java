package io.herd.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronExpressionTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static Instant next(String schedule, String after, ZoneId zone) {
        return CronExpression.parse(schedule).next(Instant.parse(after), zone).orElseThrow();
    }

    @ParameterizedTest(name = "{0} after {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            */5 * * * *          | 2026-01-01T10:02:00Z | 2026-01-01T10:05:00Z
            */5 * * * *          | 2026-01-01T10:05:00Z | 2026-01-01T10:10:00Z
            0 3 * * *            | 2026-01-01T03:00:00Z | 2026-01-02T03:00:00Z
            15,45 9-10 * * *     | 2026-01-01T09:20:00Z | 2026-01-01T09:45:00Z
            15,45 9-10 * * *     | 2026-01-01T10:50:00Z | 2026-01-02T09:15:00Z
            5/20 * * * *         | 2026-01-01T10:26:00Z | 2026-01-01T10:45:00Z
            0 0 * * MON-FRI      | 2026-01-02T12:00:00Z | 2026-01-05T00:00:00Z
            0 0 1 JAN,jul *      | 2026-01-02T00:00:00Z | 2026-07-01T00:00:00Z
            0 0 * * 7            | 2026-01-01T00:00:00Z | 2026-01-04T00:00:00Z
            0 0 13 * FRI         | 2026-01-01T00:00:00Z | 2026-01-02T00:00:00Z
            0 0 29 2 *           | 2026-01-01T00:00:00Z | 2028-02-29T00:00:00Z
            @hourly              | 2026-01-01T10:00:00Z | 2026-01-01T11:00:00Z
            @daily               | 2026-01-01T10:00:00Z | 2026-01-02T00:00:00Z
            @weekly              | 2026-01-01T10:00:00Z | 2026-01-04T00:00:00Z
            @monthly             | 2026-01-01T10:00:00Z | 2026-02-01T00:00:00Z
            @yearly              | 2026-01-01T10:00:00Z | 2027-01-01T00:00:00Z
            */2 * * * * *        | 2026-01-01T10:00:00Z | 2026-01-01T10:00:02Z
            */2 * * * * *        | 2026-01-01T10:00:01.500Z | 2026-01-01T10:00:02Z
            30 */10 * * * *      | 2026-01-01T10:00:31Z | 2026-01-01T10:10:30Z
            """)
    void nextFiringInUtc(String schedule, String after, String expected) {
        assertThat(next(schedule, after, ZoneOffset.UTC)).isEqualTo(Instant.parse(expected));
    }

    @Test
    void readsTheScheduleInItsTimeZone() {
        // 03:00 in Berlin is 02:00 UTC in winter and 01:00 UTC in summer.
        assertThat(next("0 3 * * *", "2026-01-10T00:00:00Z", BERLIN)).isEqualTo("2026-01-10T02:00:00Z");
        assertThat(next("0 3 * * *", "2026-07-10T00:00:00Z", BERLIN)).isEqualTo("2026-07-10T01:00:00Z");
    }

    @Test
    void aLocalTimeSkippedBySpringForwardFiresWhenTheClockJumps() {
        // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist that day.
        CronExpression expression = CronExpression.parse("30 2 * * *");
        List<Instant> times = expression.nextTimes(Instant.parse("2026-03-28T12:00:00Z"), BERLIN, 3);

        assertThat(times).containsExactly(Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-30T00:30:00Z"),
                Instant.parse("2026-03-31T00:30:00Z"));
    }

    @Test
    void aLocalTimeRepeatedByFallBackFiresOnce() {
        // 2026-10-25 in Berlin: 03:00 CEST goes back to 02:00 CET; 02:30 happens at 00:30 and at 01:30 UTC.
        CronExpression expression = CronExpression.parse("30 2 * * *");
        List<Instant> times = expression.nextTimes(Instant.parse("2026-10-24T12:00:00Z"), BERLIN, 3);

        assertThat(times).containsExactly(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-26T01:30:00Z"),
                Instant.parse("2026-10-27T01:30:00Z"));
    }

    @Test
    void everyFifteenMinutesAcrossBothDaylightSavingChangesKeepsRealIntervals() {
        CronExpression expression = CronExpression.parse("*/15 * * * *");
        List<Instant> spring = expression.nextTimes(Instant.parse("2026-03-29T00:30:00Z"), BERLIN, 4);
        // 01:45 CET (00:45Z), then the clock jumps: 03:00 CEST (01:00Z), 03:15 CEST ...
        assertThat(spring).containsExactly(Instant.parse("2026-03-29T00:45:00Z"), Instant.parse("2026-03-29T01:00:00Z"),
                Instant.parse("2026-03-29T01:15:00Z"), Instant.parse("2026-03-29T01:30:00Z"));
        List<Instant> autumn = expression.nextTimes(Instant.parse("2026-10-25T00:30:00Z"), BERLIN, 3);
        assertThat(autumn).isSortedAccordingTo(Instant::compareTo).doesNotHaveDuplicates();
        assertThat(autumn.getFirst()).isEqualTo("2026-10-25T00:45:00Z");
    }

    @Test
    void aScheduleThatNeverFiresHasNoNextTime() {
        assertThat(CronExpression.parse("0 0 30 2 *").next(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                .isEmpty();
    }

    @Test
    void knowsWhetherItHasSeconds() {
        assertThat(CronExpression.parse("*/5 * * * * *").hasSeconds()).isTrue();
        assertThat(CronExpression.parse("*/5 * * * *").hasSeconds()).isFalse();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            * * * *              | has 4 fields; expected 5
            * * * * * * *        | has 7 fields
            60 * * * *           | minute 60 is out of range 0-59
            * 24 * * *           | hour 24 is out of range 0-23
            * * 0 * *            | day of month 0 is out of range 1-31
            * * * 13 *           | month 13 is out of range 1-12
            * * * FOO *          | is not a number or a name (JAN
            * * * * 8            | day of week 8 is out of range 0-7
            10-5 * * * *         | ends before it starts
            1,,2 * * * *         | has an empty list element
            */0 * * * *          | out of range
            @sometimes           | unknown macro @sometimes
            """)
    void rejectsBadSchedulesWithTheReason(String schedule, String message) {
        assertThatThrownBy(() -> CronExpression.parse(schedule)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
