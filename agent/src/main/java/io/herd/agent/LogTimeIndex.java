package io.herd.agent;

import io.herd.api.LogTime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * When the bytes of one task log were written, to about a second. Tasks write their logs straight to files through
 * inherited descriptors, so the agent never sees a line; instead it samples each log's size and modification time
 * periodically and, when the log grew, appends {@code (size, mtime)} to a sidecar file {@code <log>.times}: 16
 * bytes per entry (the size and the epoch millisecond, big-endian longs).
 *
 * <p>An entry {@code (offset, time)} says the log was {@code offset} bytes long at {@code time}. So a byte at
 * {@code x} was written at or before the time of the first entry whose offset exceeds {@code x}, and after the
 * entry before it; bytes written since the last entry were written at or before the file's modification time.
 * These times are approximate (the sampling interval), never later than the truth.
 *
 * <p>The index stays bounded: past {@link #MAX_ENTRIES} entries every second one is dropped, which halves its
 * resolution but keeps it covering the whole log. Rotation of the log moves its index along (see
 * {@link TaskLogs#rotateIfNeeded}).
 */
public final class LogTimeIndex {
    static final int ENTRY_BYTES = 16;
    /** 1 MiB of index per log at most; a log rotated at 10 MiB that grew every second reaches it in 18 hours. */
    static final int MAX_ENTRIES = 1 << 16;
    private static final String SUFFIX = ".times";

    private LogTimeIndex() {}

    /** The index file of a log. */
    public static Path of(Path log) {
        return log.resolveSibling(log.getFileName() + SUFFIX);
    }

    /** Appends an entry; the caller makes sure sizes only grow between rotations. */
    static void append(Path index, long offset, Instant time) throws IOException {
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).putLong(offset).putLong(time.toEpochMilli()).flip();
        long size;
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (entry.hasRemaining()) {
                channel.write(entry);
            }
            size = channel.size();
        }
        if (size / ENTRY_BYTES > MAX_ENTRIES) {
            thin(index);
        }
    }

    /** Every entry of an index; none when it does not exist. A torn last entry (a write in progress) is left out. */
    static List<LogTime> read(Path index) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(index);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        List<LogTime> entries = new ArrayList<>(bytes.length / ENTRY_BYTES);
        while (buffer.remaining() >= ENTRY_BYTES) {
            entries.add(new LogTime(buffer.getLong(), Instant.ofEpochMilli(buffer.getLong())));
        }
        return entries;
    }

    /** The offset of the last entry, or -1 when the index is empty or missing. */
    static long lastOffset(Path index) throws IOException {
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.READ)) {
            long entries = channel.size() / ENTRY_BYTES;
            if (entries == 0) {
                return -1;
            }
            ByteBuffer offset = ByteBuffer.allocate(Long.BYTES);
            channel.read(offset, (entries - 1) * ENTRY_BYTES);
            return offset.flip().getLong();
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * The entries that time the log as it is now: those of the index, and, when the log grew since the last one,
     * a final entry for its current size at its modification time (bytes written since the last sample were
     * written at or before it).
     */
    static List<LogTime> withTail(List<LogTime> entries, BasicFileAttributes log) {
        long lastOffset = entries.isEmpty() ? 0 : entries.getLast().offset();
        if (log.size() <= lastOffset) {
            return entries;
        }
        List<LogTime> all = new ArrayList<>(entries.size() + 1);
        all.addAll(entries);
        all.add(new LogTime(log.size(), log.lastModifiedTime().toInstant()));
        return all;
    }

    /**
     * Where output written at or after {@code since} starts: the log's size at the last entry before
     * {@code since} (0 when there is none). It may include up to one sampling interval of earlier output, never
     * leave out later output.
     */
    public static long offsetSince(List<LogTime> entries, Instant since) {
        long offset = 0;
        for (LogTime entry : entries) {
            if (!entry.time().isBefore(since)) {
                break;
            }
            offset = entry.offset();
        }
        return offset;
    }

    /**
     * The entries needed to time the bytes {@code [from, to)}: from the first whose offset exceeds {@code from}
     * up to the first whose offset reaches {@code to}.
     */
    public static List<LogTime> covering(List<LogTime> entries, long from, long to) {
        List<LogTime> covering = new ArrayList<>();
        for (LogTime entry : entries) {
            if (entry.offset() <= from) {
                continue;
            }
            covering.add(entry);
            if (entry.offset() >= to) {
                break;
            }
        }
        return covering;
    }

    /** Drops every second entry (keeping the last), rewriting the index atomically. */
    private static void thin(Path index) throws IOException {
        List<LogTime> entries = read(index);
        ByteBuffer kept = ByteBuffer.allocate((entries.size() / 2 + 1) * ENTRY_BYTES);
        for (int i = entries.size() % 2 == 0 ? 1 : 0; i < entries.size(); i += 2) {
            kept.putLong(entries.get(i).offset()).putLong(entries.get(i).time().toEpochMilli());
        }
        Path temporary = index.resolveSibling(index.getFileName() + ".tmp");
        Files.write(temporary, java.util.Arrays.copyOf(kept.array(), kept.position()));
        Files.move(temporary, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
