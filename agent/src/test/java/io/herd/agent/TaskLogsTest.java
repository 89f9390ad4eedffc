package io.herd.agent;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.LogTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskLogsTest {
    @TempDir
    Path dataDir;
    private AgentStateStore store;
    private TaskLogs logs;
    private Path stdout;

    @BeforeEach
    void setUp() throws Exception {
        store = new AgentStateStore(dataDir);
        logs = new TaskLogs(store, 10, 2);
        stdout = store.logFile("i1", "web", "stdout");
        Files.createDirectories(stdout.getParent());
        Files.writeString(stdout, "0123456789");
    }

    @Test
    void readsFromOffsetAndReturnsTheNextOffset() {
        TaskLogs.Chunk chunk = logs.read("i1", "web", "stdout", 4);
        assertThat(new String(chunk.data(), StandardCharsets.UTF_8)).isEqualTo("456789");
        assertThat(chunk.nextOffset()).isEqualTo(10);
    }

    @Test
    void negativeOffsetCountsFromTheEndAndIsClamped() {
        TaskLogs.Chunk tail = logs.read("i1", "web", "stdout", -3);
        assertThat(new String(tail.data(), StandardCharsets.UTF_8)).isEqualTo("789");
        assertThat(tail.nextOffset()).isEqualTo(10);

        TaskLogs.Chunk everything = logs.read("i1", "web", "stdout", -1000);
        assertThat(new String(everything.data(), StandardCharsets.UTF_8)).isEqualTo("0123456789");

        TaskLogs.Chunk pastTheEnd = logs.read("i1", "web", "stdout", 1000);
        assertThat(pastTheEnd.data()).isEmpty();
        assertThat(pastTheEnd.nextOffset()).isEqualTo(10);
    }

    @Test
    void unknownInstanceTaskOrStreamIsReported() {
        assertThatThrownBy(() -> logs.read("nope", "web", "stdout", 0))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));
        assertThatThrownBy(() -> logs.read("i1", "other", "stdout", 0))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOG_NOT_FOUND));
        assertThatThrownBy(() -> logs.read("i1", "web", "stdin", 0))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> logs.read("..", "web", "stdout", 0))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSTANCE_NOT_FOUND));
    }

    @Test
    void rotationCopiesTruncatesAndKeepsALimitedNumberOfGenerations() throws Exception {
        // an O_APPEND writer, as a task's stdout is, keeps writing at the new end after the truncation
        try (FileOutputStream writer = new FileOutputStream(stdout.toFile(), true)) {
            writer.write("abc".getBytes(StandardCharsets.UTF_8));
            assertThat(logs.rotateIfNeeded(stdout)).isTrue();
            assertThat(Files.readString(TaskLogs.rotated(stdout, 1))).isEqualTo("0123456789abc");
            assertThat(Files.size(stdout)).isZero();

            writer.write("second generation".getBytes(StandardCharsets.UTF_8));
            writer.flush();
            assertThat(Files.readString(stdout)).isEqualTo("second generation");
            logs.rotateAll();
            assertThat(Files.readString(TaskLogs.rotated(stdout, 1))).isEqualTo("second generation");
            assertThat(Files.readString(TaskLogs.rotated(stdout, 2))).isEqualTo("0123456789abc");

            writer.write("third generation".getBytes(StandardCharsets.UTF_8));
            logs.rotateAll();
            assertThat(Files.readString(TaskLogs.rotated(stdout, 1))).isEqualTo("third generation");
            assertThat(Files.readString(TaskLogs.rotated(stdout, 2))).isEqualTo("second generation");
            assertThat(TaskLogs.rotated(stdout, 3)).doesNotExist();

            writer.write("small".getBytes(StandardCharsets.UTF_8));
            assertThat(logs.rotateIfNeeded(stdout)).isFalse();
            assertThat(new String(logs.read("i1", "web", "stdout", -5).data(), StandardCharsets.UTF_8))
                    .isEqualTo("small");
        }
    }

    @Test
    void samplingIndexesALogOnlyWhenItGrewAndSinceReadsFromThere() throws Exception {
        Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
        Files.setLastModifiedTime(stdout, FileTime.from(t0));
        logs.sample(Map.of("i1", List.of("web", "absent")));
        logs.sample(Map.of("i1", List.of("web")));
        Files.writeString(stdout, "abc", StandardOpenOption.APPEND);
        Files.setLastModifiedTime(stdout, FileTime.from(t0.plusSeconds(3)));
        logs.sample(Map.of("i1", List.of("web")));
        assertThat(LogTimeIndex.read(LogTimeIndex.of(stdout)))
                .containsExactly(new LogTime(10, t0), new LogTime(13, t0.plusSeconds(3)));

        assertThat(text(logs.readSince("i1", "web", "stdout", t0.minusSeconds(1)))).isEqualTo("0123456789abc");
        assertThat(text(logs.readSince("i1", "web", "stdout", t0.plusSeconds(1)))).isEqualTo("abc");
        TaskLogs.Chunk nothing = logs.readSince("i1", "web", "stdout", t0.plusSeconds(4));
        assertThat(nothing.data()).isEmpty();
        assertThat(nothing.nextOffset()).isEqualTo(13);

        // output not sampled yet is timed by the log's modification time
        Files.writeString(stdout, "de", StandardOpenOption.APPEND);
        Files.setLastModifiedTime(stdout, FileTime.from(t0.plusSeconds(5)));
        assertThat(logs.times("i1", "web", "stdout", 11, 15))
                .containsExactly(new LogTime(13, t0.plusSeconds(3)), new LogTime(15, t0.plusSeconds(5)));

        // a new agent process (no memory of sizes) continues the index where it ended
        TaskLogs restarted = new TaskLogs(store, 10, 2);
        restarted.sample(Map.of("i1", List.of("web")));
        restarted.sample(Map.of("i1", List.of("web")));
        assertThat(LogTimeIndex.read(LogTimeIndex.of(stdout))).hasSize(3).last()
                .isEqualTo(new LogTime(15, t0.plusSeconds(5)));
    }

    @Test
    void rotationMovesTheTimeIndexWithTheLogAndTimesItsLastBytes() throws Exception {
        Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
        Files.setLastModifiedTime(stdout, FileTime.from(t0));
        logs.sample(Map.of("i1", List.of("web")));
        Files.writeString(stdout, "abc", StandardOpenOption.APPEND);
        Files.setLastModifiedTime(stdout, FileTime.from(t0.plusSeconds(2)));

        assertThat(logs.rotateIfNeeded(stdout)).isTrue();
        Path firstGeneration = TaskLogs.rotated(stdout, 1);
        assertThat(LogTimeIndex.read(LogTimeIndex.of(firstGeneration)))
                .containsExactly(new LogTime(10, t0), new LogTime(13, t0.plusSeconds(2)));
        assertThat(LogTimeIndex.of(stdout)).doesNotExist();

        Files.writeString(stdout, "fresh", StandardOpenOption.APPEND);
        Files.setLastModifiedTime(stdout, FileTime.from(t0.plusSeconds(4)));
        logs.sample(Map.of("i1", List.of("web")));
        assertThat(LogTimeIndex.read(LogTimeIndex.of(stdout))).containsExactly(new LogTime(5, t0.plusSeconds(4)));
        assertThat(text(logs.readSince("i1", "web", "stdout", t0.plusSeconds(3)))).isEqualTo("fresh");

        Files.writeString(stdout, "-and-more", StandardOpenOption.APPEND);
        assertThat(logs.rotateIfNeeded(stdout)).isTrue();
        assertThat(LogTimeIndex.read(LogTimeIndex.of(TaskLogs.rotated(stdout, 2))))
                .containsExactly(new LogTime(10, t0), new LogTime(13, t0.plusSeconds(2)));
        assertThat(LogTimeIndex.read(LogTimeIndex.of(TaskLogs.rotated(stdout, 1)))).hasSize(2)
                .first().isEqualTo(new LogTime(5, t0.plusSeconds(4)));
    }

    @Test
    void sinceIsATimeOrADurationAgo() {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        assertThat(TaskLogs.parseSince("2026-11-24T09:00:00Z", now)).isEqualTo(Instant.parse("2026-11-24T09:00:00Z"));
        assertThat(TaskLogs.parseSince("10m", now)).isEqualTo(now.minusSeconds(600));
        assertThat(TaskLogs.parseSince(" 2h ", now)).isEqualTo(now.minusSeconds(7200));
        assertThatThrownBy(() -> TaskLogs.parseSince("yesterday", now))
                .isInstanceOfSatisfying(HerdException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("duration ago such as 10m");
    }

    private static String text(TaskLogs.Chunk chunk) {
        return new String(chunk.data(), StandardCharsets.UTF_8);
    }
}
