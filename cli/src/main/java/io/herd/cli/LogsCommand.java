package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Instance;
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
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code herd logs INSTANCE[/TASK]}: prints a task's stdout (or stderr), optionally only its last lines, and
 * with {@code -f} keeps printing what it writes until the instance ends. Bytes are copied as they are: a log is
 * not necessarily text, and a chunk boundary may split a character.
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

    @Option(names = "--stderr", description = "Print the task's standard error instead of its standard output.")
    boolean stderr;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Print only the last N lines.")
    Integer tail;

    /** Where log bytes go; standard output unless a test says otherwise. */
    OutputStream sink = System.out;

    @Override
    public Integer call() {
        if (tail != null && tail < 0) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--tail must be 0 or more, got " + tail);
        }
        LogTarget logTarget = LogTarget.parse(target);
        spec.commandLine().getOut().flush();
        try (HerdClient client = clientOptions.client()) {
            Instance instance = client.instance(logTarget.instance());
            String task = logTarget.chooseTask(instance.name(), taskNames(client, instance));
            String stream = stderr ? "stderr" : "stdout";
            Reader reader = new Reader(client, instance.id(), task, stream);
            long offset;
            try {
                offset = tail != null ? reader.printTail(tail) : reader.printFrom(0);
            } catch (HerdException e) {
                if (!follow || !isMissingLog(e)) {
                    throw e;
                }
                offset = 0; // nothing written yet; following will show it when it comes
            }
            if (follow) {
                reader.follow(offset);
            }
        }
        return 0;
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

    private final class Reader {
        private final HerdClient client;
        private final String instanceId;
        private final String task;
        private final String stream;

        Reader(HerdClient client, String instanceId, String task, String stream) {
            this.client = client;
            this.instanceId = instanceId;
            this.task = task;
            this.stream = stream;
        }

        /**
         * Reads a window from the end that is likely to hold {@code lines} lines, growing it until it does or
         * holds the whole log, and prints those lines. Returns the offset after the last byte read.
         */
        long printTail(int lines) {
            long window = Math.max(MIN_TAIL_WINDOW, lines * BYTES_PER_LINE);
            while (true) {
                HerdClient.LogChunk chunk = client.logs(instanceId, task, stream, -window);
                byte[] data = chunk.data();
                int start = LogTail.startOfLastLines(data, lines);
                if (start > 0 || data.length < window || window >= MAX_TAIL_WINDOW) {
                    write(data, start, data.length - start);
                    return chunk.nextOffset();
                }
                window = Math.min(MAX_TAIL_WINDOW, window * 4);
            }
        }

        /** Prints everything from {@code offset} to the current end; returns the offset after it. */
        long printFrom(long offset) {
            long position = offset;
            while (true) {
                HerdClient.LogChunk chunk = client.logs(instanceId, task, stream, position);
                write(chunk.data(), 0, chunk.data().length);
                if (chunk.data().length == 0 || chunk.nextOffset() <= position) {
                    return Math.max(position, chunk.nextOffset());
                }
                position = chunk.nextOffset();
            }
        }

        /**
         * Polls for new output until the instance has ended and a read after that brought nothing: the state is
         * checked before the read, so output written just before the end is still printed.
         */
        void follow(long offset) {
            long position = offset;
            while (true) {
                boolean ended = hasEnded();
                HerdClient.LogChunk chunk;
                try {
                    chunk = client.logs(instanceId, task, stream, position);
                } catch (HerdException e) {
                    if (!isMissingLog(e)) {
                        throw e;
                    }
                    chunk = new HerdClient.LogChunk(new byte[0], position);
                }
                if (chunk.data().length > 0) {
                    write(chunk.data(), 0, chunk.data().length);
                    position = Math.max(position, chunk.nextOffset());
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
