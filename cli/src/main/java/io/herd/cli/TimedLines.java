package io.herd.cli;

import io.herd.api.LogTime;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Log bytes cut into lines, each with the approximate time it was written (from the agent's time index: the first
 * entry whose offset lies past the line's first byte). Used by {@code herd logs --timestamps} and to interleave
 * stdout and stderr.
 */
final class TimedLines {
    /** A line with no newline in this much output is taken as it is, so that it cannot stall a reader. */
    static final int LONGEST_LINE = 1 << 20;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z' ")
            .withZone(ZoneOffset.UTC);

    private TimedLines() {}

    /** One line (with its newline, if it has one) of one stream. */
    record Line(Instant time, int stream, byte[] bytes) {}

    /** Lines cut from a chunk and how many of its bytes they hold (a partial last line may be left for later). */
    record Cut(List<Line> lines, int consumed) {}

    /**
     * Cuts {@code data}, which starts at byte {@code startOffset} of its log, into lines timed by {@code times}.
     *
     * @param complete whether to take a last line that has no newline yet (the log will not grow any more)
     * @param stream   a number for the stream, which orders lines of the same time
     */
    static Cut cut(byte[] data, long startOffset, List<LogTime> times, int stream, boolean complete) {
        List<Line> lines = new ArrayList<>();
        int lineStart = 0;
        int timeIndex = 0;
        for (int i = 0; i <= data.length; i++) {
            boolean newline = i < data.length && data[i] == '\n';
            boolean last = i == data.length && i > lineStart
                    && (complete || data.length - lineStart >= LONGEST_LINE);
            if (!newline && !last) {
                continue;
            }
            int end = newline ? i + 1 : i;
            long offset = startOffset + lineStart;
            while (timeIndex < times.size() && times.get(timeIndex).offset() <= offset) {
                timeIndex++;
            }
            Instant time = timeIndex < times.size() ? times.get(timeIndex).time()
                    : times.isEmpty() ? Instant.now() : times.getLast().time();
            lines.add(new Line(time, stream, Arrays.copyOfRange(data, lineStart, end)));
            lineStart = end;
        }
        return new Cut(lines, lineStart);
    }

    /**
     * Lines of several streams merged in the order they were written, as far as the index can tell: each stream's
     * own order is kept, and of two streams' next lines the earlier goes first (the lower stream on a tie).
     */
    static List<Line> interleave(List<List<Line>> streams) {
        List<Line> merged = new ArrayList<>();
        int[] next = new int[streams.size()];
        while (true) {
            int pick = -1;
            for (int s = 0; s < streams.size(); s++) {
                if (next[s] < streams.get(s).size() && (pick < 0
                        || streams.get(s).get(next[s]).time().isBefore(streams.get(pick).get(next[pick]).time()))) {
                    pick = s;
                }
            }
            if (pick < 0) {
                return merged;
            }
            merged.add(streams.get(pick).get(next[pick]++));
        }
    }

    /** The prefix {@code --timestamps} puts before a line: its time to the second, in UTC. */
    static byte[] timestamp(Instant time) {
        return TIMESTAMP.format(time.truncatedTo(ChronoUnit.SECONDS)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
