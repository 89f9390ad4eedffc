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
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Task logs: rotation by size, reads by offset or by time, and the time index that makes reads by time possible
 * ({@link LogTimeIndex}, sampled by {@link #sample}). Tasks write their logs through descriptors opened with
 * O_APPEND (by the agent, inherited by the shim and the task), which no agent can re-open later, so rotation is
 * copy-then-truncate: the file is copied to {@code .1} (older copies shift up to {@code .<keep>}) and truncated,
 * and the writers continue at the new end. What a task writes between the copy and the truncation is lost; that
 * is the price of never interrupting the task. Each log's time index is rotated with it, so every generation keeps
 * the times of its own bytes.
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
    /** Each sampled log's size at its last index entry, so that a sample that finds it unchanged writes nothing. */
    private final Map<Path, Long> indexedSizes = new ConcurrentHashMap<>();

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
        Path file = logFile(instanceId, task, stream);
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

    /**
     * Reads a task's log from where its output written at or after {@code since} starts (to the sampling interval
     * of the time index: it may begin up to that much earlier).
     */
    public Chunk readSince(String instanceId, String task, String stream, Instant since) {
        Path file = logFile(instanceId, task, stream);
        return read(instanceId, task, stream, LogTimeIndex.offsetSince(times(file, instanceId, task, stream), since));
    }

    /**
     * The time index entries that time the bytes {@code [from, to)} of a task's log as it is now; the last entry
     * may stand for output not sampled yet, at the log's modification time.
     */
    public List<io.herd.api.LogTime> times(String instanceId, String task, String stream, long from, long to) {
        Path file = logFile(instanceId, task, stream);
        return LogTimeIndex.covering(times(file, instanceId, task, stream), from, to);
    }

    private List<io.herd.api.LogTime> times(Path file, String instanceId, String task, String stream) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return LogTimeIndex.withTail(LogTimeIndex.read(LogTimeIndex.of(file)), attributes);
        } catch (NoSuchFileException e) {
            throw new HerdException(ErrorCode.LOG_NOT_FOUND,
                    "no " + stream + " log for task " + task + " of instance " + instanceId);
        } catch (IOException e) {
            throw new HerdException(ErrorCode.INTERNAL, "cannot read the time index of " + file + ": " + e.getMessage());
        }
    }

    /**
     * A time to read a log from: an instant ({@code 2026-01-02T15:04:05Z}) or a duration before {@code now}
     * ({@code 10m}, {@code 2h}).
     */
    public static Instant parseSince(String text, Instant now) {
        String trimmed = text.trim();
        try {
            return Instant.parse(trimmed);
        } catch (DateTimeParseException notAnInstant) {
            Duration ago = io.herd.api.Quantities.parseDuration(trimmed).filter(duration -> !duration.isNegative())
                    .orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT, "since must be a time such as "
                            + "2026-01-02T15:04:05Z or a duration ago such as 10m, got " + text));
            return now.minus(ago);
        }
    }

    private Path logFile(String instanceId, String task, String stream) {
        if (!STREAMS.contains(stream)) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "stream must be stdout or stderr, not " + stream);
        }
        if (!AgentStateStore.isSafeName(instanceId) || !Files.isDirectory(store.instanceDir(instanceId))) {
            throw new HerdException(ErrorCode.INSTANCE_NOT_FOUND, "no instance " + instanceId + " on this node");
        }
        if (!AgentStateStore.isSafeName(task)) {
            throw new HerdException(ErrorCode.LOG_NOT_FOUND, "no log for task " + task);
        }
        return store.logFile(instanceId, task, stream);
    }

    /**
     * Samples the logs of the given tasks ({@code instance id -> task names}): each log that grew since its last
     * index entry gets a new entry with its size and modification time. One stat per log when nothing changed.
     */
    public void sample(Map<String, ? extends Collection<String>> tasksByInstance) {
        Set<Path> sampled = new java.util.HashSet<>();
        tasksByInstance.forEach((instanceId, tasks) -> {
            for (String task : tasks) {
                for (String stream : STREAMS) {
                    try {
                        Path file = store.logFile(instanceId, task, stream);
                        sampled.add(file);
                        sample(file);
                    } catch (IOException | IllegalArgumentException e) {
                        log.debug("cannot sample the {} log of {}/{}: {}", stream, instanceId, task, e.toString());
                    }
                }
            }
        });
        // logs no longer sampled (ended, or gone) are forgotten; their index on disk says where they were
        indexedSizes.keySet().retainAll(sampled);
    }

    /** Samples one log (see {@link #sample(Map)}). */
    void sample(Path file) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            indexedSizes.remove(file);
            return;
        }
        Path index = LogTimeIndex.of(file);
        Long indexed = indexedSizes.get(file);
        if (indexed == null) {
            // first look since this agent process started: the index on disk says how far it got
            indexed = Math.max(0, LogTimeIndex.lastOffset(index));
        }
        long size = attributes.size();
        if (size > indexed) {
            LogTimeIndex.append(index, size, attributes.lastModifiedTime().toInstant());
        }
        // a log smaller than its index (truncated by someone else) restarts counting from its size
        indexedSizes.put(file, size);
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
        Files.deleteIfExists(LogTimeIndex.of(rotated(file, keep)));
        for (int generation = keep - 1; generation >= 1; generation--) {
            Path older = rotated(file, generation);
            if (Files.exists(older)) {
                Files.move(older, rotated(file, generation + 1), StandardCopyOption.REPLACE_EXISTING);
            }
            Path olderIndex = LogTimeIndex.of(older);
            if (Files.exists(olderIndex)) {
                Files.move(olderIndex, LogTimeIndex.of(rotated(file, generation + 1)),
                        StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path copy = rotated(file, 1);
        Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        // The copy's index ends with the copy itself, so its last bytes are timed too; the log starts a new one.
        Path index = LogTimeIndex.of(file);
        BasicFileAttributes copied = Files.readAttributes(copy, BasicFileAttributes.class);
        if (copied.size() > Math.max(0, LogTimeIndex.lastOffset(index))) {
            LogTimeIndex.append(index, copied.size(), copied.lastModifiedTime().toInstant());
        }
        if (Files.exists(index)) {
            Files.move(index, LogTimeIndex.of(copy), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        indexedSizes.put(file, 0L);
        return true;
    }

    static Path rotated(Path file, int generation) {
        return file.resolveSibling(file.getFileName() + "." + generation);
    }
}
