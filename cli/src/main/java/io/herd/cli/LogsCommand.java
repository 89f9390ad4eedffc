package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.LogTime;
import io.herd.api.Task;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code herd logs INSTANCE[/TASK]}: prints a task's stdout, stderr or both, optionally only since a time or its
 * last lines, and with {@code -f} keeps printing what it writes until the instance ends. One stream without
 * timestamps is copied byte for byte (a log is not necessarily text, and a chunk boundary may split a character);
 * with {@code --timestamps} or both streams it is cut into lines timed by the agent's time index.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Print the output of a task of an instance.",
                "INSTANCE is an instance id or a unique prefix of one (see 'herd status JOB');",
                "TASK may be left out when the instance has a single task.",
        })
final class LogsCommand implements Callable<Integer> {
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    /** A guess of the average line length, to size the first window read for {@code --tail}. */
    private static final long BYTES_PER_LINE = 200;
    private static final long MIN_TAIL_WINDOW = 4096;
    private static final long MAX_TAIL_WINDOW = 64L << 20;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "INSTANCE[/TASK]", description = "The instance, and maybe the task.")
    String target;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the instance ends (or Ctrl-C).")
    boolean follow;

    @Option(names = "--stderr", description = "Print the task's standard error instead of its standard output "
            + "(the same as --stream stderr).")
    boolean stderr;

    @Option(names = "--stream", paramLabel = "STREAM", description = "stdout (the default), stderr, or all: both, "
            + "interleaved in the order they were written as far as the agent's time index tells (about a second).")
    String stream;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Print only the last N lines.")
    Integer tail;

    @Option(names = "--since", paramLabel = "TIME", description = "Only output written since a time "
            + "(2026-01-02T15:04:05Z) or a duration ago (10m, 2h). Resolved to about a second; it may start a "
            + "little earlier, never later.")
    String since;

    @Option(names = {"-t", "--timestamps"}, description = "Prefix each line with the time it was written, in UTC "
            + "to the second. Approximate: the agent samples each log's size every second, so a line shows the "
            + "end of the second in which it was seen written.")
    boolean timestamps;

    /** Where log bytes go; standard output unless a test says otherwise. */
    OutputStream sink = System.out;

    @Override
    public Integer call() {
        if (tail != null && tail < 0) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--tail must be 0 or more, got " + tail);
        }
        List<String> streams = streams();
        if (since != null && since.isBlank()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "--since needs a time such as 2026-01-02T15:04:05Z or a duration ago such as 10m");
        }
        LogTarget logTarget = LogTarget.parse(target);
        spec.commandLine().getOut().flush();
        try (HerdClient client = clientOptions.client()) {
            Instance instance = find(client, logTarget.instance());
            String task = logTarget.chooseTask(instance.name(), taskNames(client, instance));
            List<Cursor> cursors = new ArrayList<>();
            for (String name : streams) {
                Cursor cursor = new Cursor(name, cursors.size());
                try {
                    cursor.position = start(client, instance.id(), task, name);
                } catch (HerdException e) {
                    if (!follow || !isMissingLog(e)) {
                        throw e;
                    }
                    // nothing written yet; following will show it when it comes
                }
                cursors.add(cursor);
            }
            Reader reader = new Reader(client, instance.id(), task, cursors, streams.size() > 1 || timestamps);
            reader.printAvailable(!follow, tail);
            if (follow) {
                reader.follow();
            }
        }
        return 0;
    }

    /** The streams to print, from --stream and --stderr. */
    private List<String> streams() {
        String chosen = stream == null ? (stderr ? "stderr" : "stdout") : stream.toLowerCase(Locale.ROOT);
        if (stderr && !chosen.equals("stderr")) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--stderr and --stream " + stream
                    + " contradict each other; give one of them");
        }
        return switch (chosen) {
            case "stdout", "stderr" -> List.of(chosen);
            case "all" -> List.of("stdout", "stderr");
            default -> throw new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "--stream must be stdout, stderr or all, not " + stream);
        };
    }

    /**
     * The instance, or a clear word that it is not there: its logs lived with it and went when it was garbage
     * collected.
     */
    private static Instance find(HerdClient client, String idOrPrefix) {
        try {
            return client.instance(idOrPrefix);
        } catch (HerdException e) {
            if (e.code() != ErrorCode.INSTANCE_NOT_FOUND) {
                throw e;
            }
            throw new HerdException(ErrorCode.INSTANCE_NOT_FOUND, e.getMessage() + ". If it existed, it was garbage "
                    + "collected: a finished instance's logs are kept on its node until then (see 'Logs' in the "
                    + "README for how long)");
        }
    }

    /** Where printing starts in one stream: at --since, then at most --tail lines before the end. */
    private long start(HerdClient client, String instanceId, String task, String name) {
        long from = since == null ? 0 : client.logsSince(instanceId, task, name, since.trim()).startOffset();
        return tail == null ? from : tailStart(client, instanceId, task, name, tail, from);
    }

    /**
     * Reads a window from the end that is likely to hold {@code lines} lines, growing it until it does or reaches
     * {@code floor}, and returns where those lines start (never before {@code floor}).
     */
    private static long tailStart(HerdClient client, String instanceId, String task, String name, int lines,
            long floor) {
        long window = Math.max(MIN_TAIL_WINDOW, lines * BYTES_PER_LINE);
        while (true) {
            HerdClient.LogChunk chunk = client.logs(instanceId, task, name, -window);
            byte[] data = chunk.data();
            long windowStart = chunk.startOffset();
            if (windowStart <= floor) {
                int skip = (int) Math.min(data.length, floor - windowStart);
                byte[] tailOfRange = java.util.Arrays.copyOfRange(data, skip, data.length);
                return floor + LogTail.startOfLastLines(tailOfRange, lines);
            }
            int start = LogTail.startOfLastLines(data, lines);
            if (start > 0 || window >= MAX_TAIL_WINDOW) {
                return windowStart + start;
            }
            window = Math.min(MAX_TAIL_WINDOW, window * 4);
        }
    }

    /** The instance's tasks as reported by its agent, or, before the first report, as its job spec declares. */
    private static Collection<String> taskNames(HerdClient client, Instance instance) {
        if (!instance.tasks().isEmpty()) {
            return instance.tasks().keySet();
        }
        try {
            return client.jobStatus(instance.jobId()).job().group(instance.group())
                    .map(group -> group.tasks().stream().map(Task::name).toList())
                    .orElse(List.of());
        } catch (HerdException e) {
            return List.of();
        }
    }

    private static boolean isMissingLog(HerdException e) {
        return e.code() == ErrorCode.LOG_NOT_FOUND || e.code() == ErrorCode.TASK_NOT_FOUND;
    }

    /** How far one stream has been printed. */
    private static final class Cursor {
        final String stream;
        final int number;
        long position;

        Cursor(String stream, int number) {
            this.stream = stream;
            this.number = number;
        }
    }

    private final class Reader {
        private final HerdClient client;
        private final String instanceId;
        private final String task;
        private final List<Cursor> cursors;
        /** Line by line with times (several streams or --timestamps), rather than bytes as they are. */
        private final boolean timed;

        Reader(HerdClient client, String instanceId, String task, List<Cursor> cursors, boolean timed) {
            this.client = client;
            this.instanceId = instanceId;
            this.task = task;
            this.cursors = cursors;
            this.timed = timed;
        }

        /**
         * Prints what the streams hold past their cursors and moves them on; true when there was something.
         *
         * @param complete whether a last line without a newline is printed too (the log will not grow)
         * @param lastLines at most this many lines (of all streams together), or null for all
         */
        boolean printAvailable(boolean complete, Integer lastLines) {
            if (!timed) {
                Cursor cursor = cursors.getFirst();
                long before = cursor.position;
                cursor.position = printFrom(cursor.stream, cursor.position);
                return cursor.position != before;
            }
            List<List<TimedLines.Line>> streams = new ArrayList<>();
            for (Cursor cursor : cursors) {
                streams.add(readLines(cursor, complete));
            }
            List<TimedLines.Line> lines = TimedLines.interleave(streams);
            if (lastLines != null && lines.size() > lastLines) {
                lines = lines.subList(lines.size() - lastLines, lines.size());
            }
            for (TimedLines.Line line : lines) {
                if (timestamps) {
                    byte[] prefix = TimedLines.timestamp(line.time());
                    write(prefix, 0, prefix.length);
                }
                write(line.bytes(), 0, line.bytes().length);
            }
            return !lines.isEmpty();
        }

        /** Prints bytes from {@code offset} to the current end; returns the offset after them. */
        private long printFrom(String stream, long offset) {
            long position = offset;
            while (true) {
                HerdClient.LogChunk chunk = read(stream, position);
                if (chunk.nextOffset() < position) {
                    position = 0; // the log was rotated: its new generation starts at 0
                    continue;
                }
                write(chunk.data(), 0, chunk.data().length);
                if (chunk.data().length == 0) {
                    return position;
                }
                position = chunk.nextOffset();
            }
        }

        /** The whole lines (all of them when {@code complete}) past a cursor, with their times; moves it on. */
        private List<TimedLines.Line> readLines(Cursor cursor, boolean complete) {
            List<TimedLines.Line> lines = new ArrayList<>();
            while (true) {
                HerdClient.LogChunk chunk = read(cursor.stream, cursor.position);
                if (chunk.nextOffset() < cursor.position) {
                    cursor.position = 0; // rotated
                    continue;
                }
                if (chunk.data().length == 0) {
                    return lines;
                }
                List<LogTime> times = client.logTimes(instanceId, task, cursor.stream, chunk.startOffset(),
                        chunk.nextOffset());
                TimedLines.Cut cut = TimedLines.cut(chunk.data(), chunk.startOffset(), times, cursor.number, complete);
                lines.addAll(cut.lines());
                cursor.position = chunk.startOffset() + cut.consumed();
                if (cut.consumed() < chunk.data().length) {
                    return lines; // a partial line at the end: it is printed once it is complete
                }
            }
        }

        /** A read that finds no log yet finds nothing (the task has not written or started yet). */
        private HerdClient.LogChunk read(String stream, long position) {
            try {
                return client.logs(instanceId, task, stream, position);
            } catch (HerdException e) {
                if (!follow || !isMissingLog(e)) {
                    throw e;
                }
                return new HerdClient.LogChunk(new byte[0], position);
            }
        }

        /**
         * Polls for new output until the instance has ended and a read after that brought nothing: the state is
         * checked before the read, so output written just before the end is still printed.
         */
        void follow() {
            while (true) {
                boolean ended = hasEnded();
                if (printAvailable(ended, null)) {
                    continue;
                }
                if (ended) {
                    return;
                }
                UpCommand.sleep(POLL_INTERVAL);
            }
        }

        private boolean hasEnded() {
            try {
                return client.instance(instanceId).state().isTerminal();
            } catch (HerdException e) {
                if (e.code() == ErrorCode.INSTANCE_NOT_FOUND) {
                    return true; // garbage collected: it ended long ago
                }
                throw e;
            }
        }

        private void write(byte[] data, int from, int length) {
            if (length <= 0) {
                return;
            }
            try {
                sink.write(data, from, length);
                sink.flush();
                if (sink instanceof PrintStream printStream && printStream.checkError()) {
                    // The reader went away (e.g. 'herd logs -f ... | head'): stop quietly.
                    throw new OutputClosedException();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Thrown when standard output is closed; Main treats it as a normal end. */
    static final class OutputClosedException extends RuntimeException {
        OutputClosedException() {
            super("output closed", null, false, false);
        }
    }
}
