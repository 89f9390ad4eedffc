package io.herd.agent;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

/**
 * Task logs: rotation by size and reads by offset. Tasks write their logs through descriptors opened with
 * O_APPEND (by the agent, inherited by the shim and the task), which no agent can re-open later, so rotation is
 * copy-then-truncate: the file is copied to {@code .1} (older copies shift up to {@code .<keep>}) and truncated,
 * and the writers continue at the new end. What a task writes between the copy and the truncation is lost; that
 * is the price of never interrupting the task.
 */
public final class TaskLogs {
    public static final long DEFAULT_MAX_BYTES = 10L << 20;
    public static final int DEFAULT_KEEP = 3;
    /** The most one read returns; a reader asks again from the returned offset. */
    public static final int MAX_READ_BYTES = 4 << 20;
    public static final Set<String> STREAMS = Set.of("stdout", "stderr");

    private static final Logger log = LoggerFactory.getLogger(TaskLogs.class);

    private final AgentStateStore store;
    private final long maxBytes;
    private final int keep;

    public TaskLogs(AgentStateStore store, long maxBytes, int keep) {
        if (maxBytes <= 0 || keep < 1) {
            throw new IllegalArgumentException("maxBytes must be positive and keep at least 1");
        }
        this.store = store;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /** Bytes of a log from {@code offset} and the offset to read next. */
    public record Chunk(byte[] data, long nextOffset) {}

    /**
     * Reads a task's log from {@code offset}; a negative offset counts from the end. Offsets outside the file are
     * clamped to it (after a rotation a reader's old offset may lie past the new end).
     */
    public Chunk read(String instanceId, String task, String stream, long offset) {
        if (!STREAMS.contains(stream)) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "stream must be stdout or stderr, not " + stream);
        }
        if (!AgentStateStore.isSafeName(instanceId) || !Files.isDirectory(store.instanceDir(instanceId))) {
            throw new HerdException(ErrorCode.INSTANCE_NOT_FOUND, "no instance " + instanceId + " on this node");
        }
        if (!AgentStateStore.isSafeName(task)) {
            throw new HerdException(ErrorCode.LOG_NOT_FOUND, "no log for task " + task);
        }
        Path file = store.logFile(instanceId, task, stream);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long start = offset < 0 ? Math.max(0, size + offset) : Math.min(offset, size);
            int length = (int) Math.min(size - start, MAX_READ_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, start + buffer.position());
                if (read < 0) {
                    break;
                }
            }
            byte[] data = buffer.position() == length
                    ? buffer.array()
                    : Arrays.copyOf(buffer.array(), buffer.position());
            return new Chunk(data, start + data.length);
        } catch (NoSuchFileException e) {
            throw new HerdException(ErrorCode.LOG_NOT_FOUND,
                    "no " + stream + " log for task " + task + " of instance " + instanceId);
        } catch (IOException e) {
            throw new HerdException(ErrorCode.INTERNAL, "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Rotates every task log under the data directory that has grown past the limit. */
    public void rotateAll() {
        Path instances = store.instancesDir();
        if (!Files.isDirectory(instances)) {
            return;
        }
        try (DirectoryStream<Path> directories = Files.newDirectoryStream(instances, Files::isDirectory)) {
            for (Path directory : directories) {
                Path logs = directory.resolve("logs");
                if (!Files.isDirectory(logs)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(logs, "*.{stdout,stderr}")) {
                    for (Path file : files) {
                        rotateIfNeeded(file);
                    }
                }
            }
        } catch (IOException e) {
            log.warn("log rotation failed: {}", e.toString());
        }
    }

    /** Rotates one log when it is larger than the limit; true when it did. */
    public boolean rotateIfNeeded(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) <= maxBytes) {
            return false;
        }
        Files.deleteIfExists(rotated(file, keep));
        for (int generation = keep - 1; generation >= 1; generation--) {
            Path older = rotated(file, generation);
            if (Files.exists(older)) {
                Files.move(older, rotated(file, generation + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        return true;
    }

    static Path rotated(Path file, int generation) {
        return file.resolveSibling(file.getFileName() + "." + generation);
    }
}
