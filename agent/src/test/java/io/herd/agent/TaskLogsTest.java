package io.herd.agent;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
