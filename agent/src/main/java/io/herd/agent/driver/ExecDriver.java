package io.herd.agent.driver;

import io.herd.agent.cgroup.Cgroups;
import io.herd.agent.cgroup.TaskCgroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code exec} driver: a task is a plain process tree. Each run is started as
 * {@code setsid /bin/sh herd-shim.sh EXIT_FILE CGROUPS -- tini -s -g -- COMMAND ARGS}, working directory the
 * task's directory, stdin {@code /dev/null}, stdout and stderr appended to the task's log files. No pipe connects
 * it to the agent, so it survives the agent; see {@link Shim} for what the shim does.
 */
public final class ExecDriver implements TaskDriver {
    public static final String NAME = "exec";
    private static final Logger log = LoggerFactory.getLogger(ExecDriver.class);
    private static final File DEV_NULL = new File("/dev/null");
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final Path shim;
    private final Path setsid;
    private final Optional<Path> tini;
    private final Cgroups cgroups;
    private final ProcessTable processes;

    public ExecDriver(Path shim, Path setsid, Optional<Path> tini, Cgroups cgroups, ProcessTable processes) {
        this.shim = shim;
        this.setsid = setsid;
        this.tini = tini;
        this.cgroups = cgroups;
        this.processes = processes;
    }

    /**
     * Installs the shim under {@code binDirectory} and finds setsid and tini; empty when this machine cannot run
     * exec tasks (no {@code /bin/sh} or no {@code setsid}).
     */
    public static Optional<ExecDriver> create(Path binDirectory, Cgroups cgroups) throws IOException {
        if (!Files.isExecutable(Path.of("/bin/sh"))) {
            log.warn("/bin/sh is missing: the exec driver is not available");
            return Optional.empty();
        }
        Optional<Path> setsid = findExecutable("setsid");
        if (setsid.isEmpty()) {
            log.warn("setsid is missing (util-linux): the exec driver is not available");
            return Optional.empty();
        }
        Optional<Path> tini = findExecutable("tini").or(() -> findExecutable("tini-static"));
        if (tini.isEmpty()) {
            log.warn("tini is not installed: exec tasks run without a subreaper, so their orphaned processes are"
                    + " not reaped until the task ends (install the tini package)");
        }
        Path shim = Shim.install(binDirectory);
        return Optional.of(new ExecDriver(shim, setsid.get(), tini, cgroups, new ProcessTable()));
    }

    /** Searches the agent's PATH and the usual system directories. */
    public static Optional<Path> findExecutable(String name) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("") + ":" + DEFAULT_PATH;
        for (String directory : path.split(":")) {
            if (!directory.isEmpty()) {
                Path candidate = Path.of(directory, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return NAME;
    }

    public Optional<Path> tini() {
        return tini;
    }

    /** The setsid every task starts through: what a probe of this driver runs. */
    public Path setsid() {
        return setsid;
    }

    public Cgroups cgroups() {
        return cgroups;
    }

    @Override
    public TaskHandle start(TaskLaunch launch) throws TaskStartException {
        resolveCommand(launch);
        try {
            Files.createDirectories(launch.taskDir());
            Files.createDirectories(launch.stdout().toAbsolutePath().getParent());
            Files.createDirectories(launch.stderr().toAbsolutePath().getParent());
            Files.deleteIfExists(launch.exitFile());
        } catch (IOException e) {
            throw new TaskStartException("cannot prepare the task directory " + launch.taskDir() + ": " + e, e);
        }
        TaskCgroup cgroup;
        try {
            cgroup = cgroups.create(launch.cgroupName(), launch.resources());
        } catch (IOException | RuntimeException e) {
            throw new TaskStartException("cannot create cgroup " + launch.cgroupName() + ": " + e, e);
        }
        List<String> command = new ArrayList<>();
        command.add(setsid.toString());
        command.add("/bin/sh");
        command.add(shim.toString());
        command.add(launch.exitFile().toString());
        command.add(cgroup.procsFiles().stream().map(Path::toString).collect(Collectors.joining(":")));
        command.add("--");
        tini.ifPresent(path -> command.addAll(List.of(path.toString(), "-s", "-g", "--")));
        command.add(launch.command());
        command.addAll(launch.args());

        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(launch.taskDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(launch.stdout().toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(launch.stderr().toFile()));
        builder.environment().clear();
        builder.environment().putAll(launch.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            cgroup.remove();
            throw new TaskStartException("cannot start " + launch.command() + ": " + e.getMessage(), e);
        }
        long startTicks = processes.startTicks(process.pid());
        return ExecTaskHandle.started(process, startTicks, launch.exitFile(), cgroup, processes);
    }

    @Override
    public TaskHandle reattach(ProcessRecord record) {
        TaskCgroup cgroup = cgroups.open(record.cgroupDirectories().stream().map(Path::of).toList());
        return ExecTaskHandle.adopted(record.pid(), record.startTicks(), Path.of(record.exitFile()), cgroup, processes);
    }

    /** Fails early, with a clear message, when the command cannot be executed at all. */
    private static void resolveCommand(TaskLaunch launch) throws TaskStartException {
        String command = launch.command();
        if (command.isBlank()) {
            throw new TaskStartException("the task has no command");
        }
        if (command.contains("/")) {
            Path path = launch.taskDir().resolve(command);
            if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
                throw new TaskStartException("command " + command + " is not an executable file");
            }
            return;
        }
        String path = launch.environment().getOrDefault("PATH", DEFAULT_PATH);
        for (String directory : path.split(":")) {
            Path candidate = launch.taskDir().resolve(directory.isEmpty() ? "." : directory).resolve(command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
        }
        throw new TaskStartException("command " + command + " not found in PATH " + path);
    }
}
