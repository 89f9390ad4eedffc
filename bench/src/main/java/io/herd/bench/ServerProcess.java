package io.herd.bench;

import io.herd.client.HerdClient;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One real {@code herd server} (a single Raft replica) in its own JVM, started from this JVM's classpath with the
 * launcher's JVM flags, so that its CPU time ({@code /proc/PID/stat}) and heap ({@code jcmd GC.heap_info}) can be
 * measured apart from the load generator's.
 */
final class ServerProcess implements AutoCloseable {
    /** Clock ticks per second of {@code /proc/PID/stat}; 100 on every Linux this runs on. */
    private static final double CLOCK_TICKS = 100.0;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final Process process;
    private final Path directory;
    private final Path log;
    private final String httpAddress;
    private final String javaBinary;

    private ServerProcess(Process process, Path directory, Path log, String httpAddress, String javaBinary) {
        this.process = process;
        this.directory = directory;
        this.log = log;
        this.httpAddress = httpAddress;
        this.javaBinary = javaBinary;
    }

    /**
     * Starts a server with {@code heartbeatInterval} and {@code nodeTimeout} and waits until it leads.
     *
     * @param extraJvmOptions e.g. {@code -Xmx2g} or a flight recording; appended after the launcher's flags
     */
    static ServerProcess start(Duration heartbeatInterval, Duration nodeTimeout, List<String> extraJvmOptions,
            Duration startTimeout) {
        try {
            Path directory = Files.createTempDirectory("herd-hollow-server-");
            Path log = directory.resolve("server.log");
            String httpAddress = "127.0.0.1:" + freePort();
            String javaBinary = ProcessHandle.current().info().command().orElse("java");
            List<String> command = new ArrayList<>(List.of(javaBinary,
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
            command.addAll(extraJvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.herd.cli.Main",
                    "server", "--id", "server-1",
                    "--data-dir", directory.resolve("data").toString(),
                    "--http-addr", httpAddress,
                    "--raft-addr", "127.0.0.1:" + freePort(),
                    "--heartbeat-interval", heartbeatInterval.toMillis() + "ms",
                    "--node-timeout", nodeTimeout.toMillis() + "ms"));
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            ServerProcess server = new ServerProcess(process, directory, log, httpAddress, javaBinary);
            server.awaitLeader(startTimeout);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server", e);
        }
    }

    private void awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HerdClient client = new HerdClient(List.of(httpAddress))) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the server exited with " + process.exitValue() + ":\n" + logTail());
                }
                try {
                    var status = client.status();
                    if (status.serverId().equals(status.leaderId()) && !status.servers().isEmpty()) {
                        return;
                    }
                } catch (RuntimeException notYet) {
                    // still starting
                }
                sleep(Duration.ofMillis(100));
            }
        }
        throw new IllegalStateException("the server did not become leader within " + timeout.toSeconds() + "s:\n"
                + logTail());
    }

    String httpAddress() {
        return httpAddress;
    }

    long pid() {
        return process.pid();
    }

    /** User plus system CPU seconds the server used since it started. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"), StandardCharsets.US_ASCII);
            // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server's CPU time", e);
        }
    }

    /** Resident set size in MiB ({@code VmRSS} of {@code /proc/PID/status}). */
    double residentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            return Double.NaN;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server's memory", e);
        }
    }

    /** Heap in use now, in MiB, as {@code jcmd GC.heap_info} reports it; after a full GC when {@code live}. */
    double heapUsedMiB(boolean live) {
        if (live) {
            jcmd("GC.run");
        }
        Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
        if (!used.find()) {
            return Double.NaN;
        }
        return Long.parseLong(used.group(1)) / 1024.0;
    }

    /** Writes the server's flight recording (if one was started with the name {@code herd}) to {@code file}. */
    void dumpRecording(Path file) {
        jcmd("JFR.dump", "name=herd", "filename=" + file.toAbsolutePath());
    }

    private String jcmd(String... arguments) {
        Path jcmd = Path.of(javaBinary).resolveSibling("jcmd");
        List<String> command = new ArrayList<>(List.of(jcmd.toString(), Long.toString(process.pid())));
        command.addAll(List.of(arguments));
        try {
            Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = run.getInputStream().readAllBytes();
            if (!run.waitFor(60, TimeUnit.SECONDS)) {
                run.destroyForcibly();
            }
            return new String(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running jcmd", e);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    Path log() {
        return log;
    }

    /** Stops the server (SIGTERM, then SIGKILL) and deletes its data; its log stays for a look afterwards. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory.resolve("data"))) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
