package io.herd.agent;

import io.herd.api.LogTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogTimeIndexTest {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    /** The log was 100 bytes at T0+1s, 250 at T0+2s and 400 at T0+5s. */
    private static final List<LogTime> ENTRIES = List.of(entry(100, 1), entry(250, 2), entry(400, 5));

    @TempDir
    Path directory;

    @Test
    void entriesAreAppendedAndReadBackAndATornLastEntryIsLeftOut() throws Exception {
        Path index = LogTimeIndex.of(directory.resolve("web.stdout"));
        assertThat(index.getFileName().toString()).isEqualTo("web.stdout.times");
        assertThat(LogTimeIndex.read(index)).isEmpty();
        assertThat(LogTimeIndex.lastOffset(index)).isEqualTo(-1);

        for (LogTime entry : ENTRIES) {
            LogTimeIndex.append(index, entry.offset(), entry.time());
        }
        assertThat(LogTimeIndex.read(index)).isEqualTo(ENTRIES);
        assertThat(LogTimeIndex.lastOffset(index)).isEqualTo(400);
        assertThat(Files.size(index)).isEqualTo(3L * LogTimeIndex.ENTRY_BYTES);

        Files.write(index, new byte[] {1, 2, 3}, StandardOpenOption.APPEND); // an entry being written
        assertThat(LogTimeIndex.read(index)).isEqualTo(ENTRIES);
    }

    @Test
    void sinceResolvesToTheSizeAtTheLastEntryBeforeIt() {
        assertThat(LogTimeIndex.offsetSince(ENTRIES, T0)).as("before everything").isZero();
        assertThat(LogTimeIndex.offsetSince(ENTRIES, T0.plusSeconds(1))).as("at the first entry").isZero();
        assertThat(LogTimeIndex.offsetSince(ENTRIES, T0.plusMillis(1500))).isEqualTo(100);
        assertThat(LogTimeIndex.offsetSince(ENTRIES, T0.plusSeconds(2))).isEqualTo(100);
        assertThat(LogTimeIndex.offsetSince(ENTRIES, T0.plusSeconds(3))).isEqualTo(250);
        assertThat(LogTimeIndex.offsetSince(ENTRIES, T0.plusSeconds(60))).as("after everything").isEqualTo(400);
        assertThat(LogTimeIndex.offsetSince(List.of(), T0)).isZero();
    }

    @Test
    void coveringKeepsTheEntriesThatTimeARange() {
        assertThat(LogTimeIndex.covering(ENTRIES, 0, 100)).containsExactly(entry(100, 1));
        assertThat(LogTimeIndex.covering(ENTRIES, 0, 101)).containsExactly(entry(100, 1), entry(250, 2));
        assertThat(LogTimeIndex.covering(ENTRIES, 100, 300)).containsExactly(entry(250, 2), entry(400, 5));
        assertThat(LogTimeIndex.covering(ENTRIES, 399, 400)).containsExactly(entry(400, 5));
        assertThat(LogTimeIndex.covering(ENTRIES, 400, 400)).isEmpty();
    }

    @Test
    void outputNotSampledYetIsTimedByTheLogsModificationTime() throws Exception {
        Path log = Files.writeString(directory.resolve("web.stdout"), "x".repeat(450));
        Files.setLastModifiedTime(log, FileTime.from(T0.plusSeconds(6)));
        BasicFileAttributes attributes = Files.readAttributes(log, BasicFileAttributes.class);
        assertThat(LogTimeIndex.withTail(ENTRIES, attributes)).endsWith(entry(400, 5), entry(450, 6)).hasSize(4);

        Files.writeString(log, "x".repeat(400));
        assertThat(LogTimeIndex.withTail(ENTRIES, Files.readAttributes(log, BasicFileAttributes.class)))
                .isEqualTo(ENTRIES);
    }

    @Test
    void aFullIndexDropsEveryOtherEntryAndStillCoversTheWholeLog() throws Exception {
        Path index = LogTimeIndex.of(directory.resolve("web.stdout"));
        for (int i = 1; i <= LogTimeIndex.MAX_ENTRIES + 1; i++) {
            LogTimeIndex.append(index, i * 10L, T0.plusSeconds(i));
        }
        List<LogTime> thinned = LogTimeIndex.read(index);
        assertThat(thinned).hasSizeLessThanOrEqualTo(LogTimeIndex.MAX_ENTRIES / 2 + 1);
        assertThat(thinned.getLast()).isEqualTo(new LogTime((LogTimeIndex.MAX_ENTRIES + 1) * 10L,
                T0.plusSeconds(LogTimeIndex.MAX_ENTRIES + 1)));
        assertThat(thinned).isSortedAccordingTo(java.util.Comparator.comparingLong(LogTime::offset));
        // still a valid answer, at half the resolution
        assertThat(LogTimeIndex.offsetSince(thinned, T0.plusSeconds(1000).plusMillis(500)))
                .isBetween(9_980L, 10_000L);
    }

    private static LogTime entry(long offset, long seconds) {
        return new LogTime(offset, T0.plusSeconds(seconds));
    }
}
