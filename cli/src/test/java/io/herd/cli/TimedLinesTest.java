package io.herd.cli;

import io.herd.api.LogTime;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Cutting log bytes into timed lines, and interleaving the lines of stdout and stderr. */
class TimedLinesTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void eachLineTakesTheTimeOfTheFirstEntryPastItsFirstByte() {
        // "a\nbb\nccc\n" starting at offset 100; the log was 105 bytes at T0+1s and 109 at T0+2s
        byte[] data = bytes("a\nbb\nccc\n");
        TimedLines.Cut cut = TimedLines.cut(data, 100, List.of(time(105, 1), time(109, 2)), 0, false);
        assertThat(cut.consumed()).isEqualTo(data.length);
        assertThat(cut.lines()).extracting(line -> text(line.bytes())).containsExactly("a\n", "bb\n", "ccc\n");
        assertThat(cut.lines()).extracting(TimedLines.Line::time)
                .containsExactly(T0.plusSeconds(1), T0.plusSeconds(1), T0.plusSeconds(2));
    }

    @Test
    void aPartialLastLineWaitsUnlessTheLogIsComplete() {
        byte[] data = bytes("done\nhalf");
        List<LogTime> times = List.of(time(9, 3));
        TimedLines.Cut waiting = TimedLines.cut(data, 0, times, 0, false);
        assertThat(waiting.lines()).extracting(line -> text(line.bytes())).containsExactly("done\n");
        assertThat(waiting.consumed()).isEqualTo(5);

        TimedLines.Cut complete = TimedLines.cut(data, 0, times, 0, true);
        assertThat(complete.lines()).extracting(line -> text(line.bytes())).containsExactly("done\n", "half");
        assertThat(complete.consumed()).isEqualTo(data.length);
        assertThat(TimedLines.cut(new byte[0], 0, times, 0, true).lines()).isEmpty();
    }

    @Test
    void streamsInterleaveByTimeKeepingEachStreamsOwnOrder() {
        List<TimedLines.Line> stdout = List.of(line(1, 0, "out 1"), line(3, 0, "out 3"), line(2, 0, "out late-timed"));
        List<TimedLines.Line> stderr = List.of(line(2, 1, "err 2"), line(3, 1, "err 3"));
        assertThat(TimedLines.interleave(List.of(stdout, stderr))).extracting(line -> text(line.bytes()))
                .containsExactly("out 1", "err 2", "out 3", "out late-timed", "err 3");
    }

    @Test
    void timestampsAreUtcToTheSecond() {
        assertThat(text(TimedLines.timestamp(T0.plusMillis(1999)))).isEqualTo("2026-11-24T10:00:01Z ");
    }

    private static TimedLines.Line line(long seconds, int stream, String text) {
        return new TimedLines.Line(T0.plusSeconds(seconds), stream, bytes(text));
    }

    private static LogTime time(long offset, long seconds) {
        return new LogTime(offset, T0.plusSeconds(seconds));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
