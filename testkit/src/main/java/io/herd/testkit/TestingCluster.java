package io.herd.testkit;

import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.wire.ClusterStatus;
import io.herd.client.HerdClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Real servers and agents, each in its own JVM started from this JVM's classpath ({@code herd server} and
 * {@code herd agent} through {@code io.herd.cli.Main}), talking HTTP and Raft on loopback. Processes can be
 * killed (SIGKILL, like a machine dying) and started again on the same data directories. {@link #close()} kills
 * every process and every task the agents started.
 */
public final class TestingCluster implements AutoCloseable {
    private static final String MAIN_CLASS = "io.herd.cli.Main";

    private final Path root;
    private final Duration nodeTimeout;
    private final List<Member> servers = new ArrayList<>();
    private final List<Member> agents = new ArrayList<>();
    private final HerdClient client;

    /** One process slot: its arguments stay the same across restarts. */
    public static final class Member {
        private final String name;
        private final List<String> arguments;
        private final Path log;
        private final String httpAddress;
        private Process process;

        Member(String name, List<String> arguments, Path log, String httpAddress) {
            this.name = name;
            this.arguments = arguments;
            this.log = log;
            this.httpAddress = httpAddress;
        }

        public String name() {
            return name;
        }

        public String httpAddress() {
            return httpAddress;
        }

        public Optional<Process> process() {
            return Optional.ofNullable(process).filter(Process::isAlive);
        }

        public Path log() {
            return log;
        }
    }

    private TestingCluster(Path root, Duration nodeTimeout, int serverCount, List<String> extraServerArguments) {
        this.root = root;
        this.nodeTimeout = nodeTimeout;
        List<String> peers = new ArrayList<>();
        List<String> httpAddresses = new ArrayList<>();
        List<Integer> raftPorts = new ArrayList<>();
        for (int i = 1; i <= serverCount; i++) {
            int raftPort = freePort();
            raftPorts.add(raftPort);
            peers.add("server-" + i + "=127.0.0.1:" + raftPort);
            httpAddresses.add("127.0.0.1:" + freePort());
        }
        for (int i = 1; i <= serverCount; i++) {
            String name = "server-" + i;
            List<String> arguments = new ArrayList<>(List.of("server", "--id", name,
                    "--data-dir", root.resolve(name).toString(),
                    "--http-addr", httpAddresses.get(i - 1),
                    "--raft-addr", "127.0.0.1:" + raftPorts.get(i - 1),
                    "--node-timeout", nodeTimeout.toMillis() + "ms",
                    "--heartbeat-interval", Math.max(200, nodeTimeout.toMillis() / 5) + "ms"));
            if (serverCount > 1) {
                arguments.addAll(List.of("--peers", String.join(",", peers)));
            }
            arguments.addAll(extraServerArguments);
            servers.add(new Member(name, arguments, root.resolve(name + ".log"), httpAddresses.get(i - 1)));
        }
        this.client = new HerdClient(httpAddresses);
    }

    /** Starts {@code serverCount} servers and waits for a leader. */
    public static TestingCluster start(int serverCount, Duration nodeTimeout) {
        return start(serverCount, nodeTimeout, List.of());
    }

    /** As above, each server also given {@code extraServerArguments} (e.g. {@code --gc-interval 1s}). */
    public static TestingCluster start(int serverCount, Duration nodeTimeout, List<String> extraServerArguments) {
        try {
            Path root = Files.createTempDirectory("herd-cluster-");
            TestingCluster cluster = new TestingCluster(root, nodeTimeout, serverCount, extraServerArguments);
            for (Member server : cluster.servers) {
                cluster.launch(server);
            }
            cluster.awaitLeader(Duration.ofSeconds(60));
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts an agent named {@code name} with the given labels and capacity and waits until its node is ready. */
    public Member startAgent(String name, String cpu, String memory, String... labels) {
        return startAgent(name, List.of(), cpu, memory, labels);
    }

    /** The same, with more {@code herd agent} flags (e.g. {@code --disk-pressure-threshold 1}). */
    public Member startAgent(String name, String cpu, String memory, List<String> extraArguments, String... labels) {
        return startAgent(name, extraArguments, cpu, memory, labels);
    }

    /** The same, with more agent options, e.g. {@code List.of("--gpus", "2", "--gpu-model", "T4")}. */
    public Member startAgent(String name, List<String> options, String cpu, String memory, String... labels) {
        List<String> arguments = new ArrayList<>(List.of("agent",
                "--servers", String.join(",", servers.stream().map(Member::httpAddress).toList()),
                "--data-dir", root.resolve(name).toString(),
                "--name", name,
                "--http-addr", "127.0.0.1:" + freePort(),
                "--cpu", cpu,
                "--memory", memory));
        for (String label : labels) {
            arguments.addAll(List.of("--label", label));
        }
        arguments.addAll(options);
        Member agent = new Member(name, arguments, root.resolve(name + ".log"), null);
        agents.add(agent);
        launch(agent);
        awaitCondition("agent " + name + " registered and ready", Duration.ofSeconds(60),
                () -> node(name).map(node -> node.status() == NodeStatus.READY).orElse(false));
        return agent;
    }

    public HerdClient client() {
        return client;
    }

    public List<Member> servers() {
        return List.copyOf(servers);
    }

    public List<Member> agents() {
        return List.copyOf(agents);
    }

    public Member agent(String name) {
        return agents.stream().filter(agent -> agent.name().equals(name)).findFirst().orElseThrow();
    }

    public Optional<Node> node(String name) {
        try {
            return client.listNodes().stream().filter(node -> node.name().equals(name)).findFirst();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The member that leads right now, asking each live server. */
    public Optional<Member> leader() {
        for (Member server : servers) {
            if (server.process().isEmpty()) {
                continue;
            }
            try (HerdClient direct = new HerdClient(List.of(server.httpAddress()))) {
                ClusterStatus status = direct.status();
                if (status.leaderId() != null && status.leaderId().equals(status.serverId())) {
                    return Optional.of(server);
                }
            } catch (RuntimeException ignored) {
                // not answering: not the leader we can use
            }
        }
        return Optional.empty();
    }

    public Member awaitLeader(Duration timeout) {
        awaitCondition("a leader with every live server registered", timeout, () -> leader().isPresent()
                && registeredServers() >= servers.stream().filter(server -> server.process().isPresent()).count());
        return leader().orElseThrow();
    }

    private long registeredServers() {
        try {
            return client.status().servers().size();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** SIGKILL, as if the machine died. Tasks started by a killed agent keep running. */
    public void kill(Member member) {
        member.process().ifPresent(process -> {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Starts the member again with the same arguments and data directory. */
    public void restart(Member member) {
        kill(member);
        launch(member);
    }

    private void launch(Member member) {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), MAIN_CLASS));
        command.addAll(member.arguments);
        try {
            Files.writeString(member.log, "=== " + Instant.now() + " " + String.join(" ", member.arguments) + "\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            member.process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(member.log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + member.name, e);
        }
    }

    /** Polls {@code condition} every 100 ms; fails with the process logs when it does not hold in time. */
    public void awaitCondition(String description, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + description);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + "s waiting for " + description + "\n" + logTails());
    }

    /** The last lines of every process log, for failure messages. */
    public String logTails() {
        StringBuilder text = new StringBuilder();
        for (Member member : Stream.concat(servers.stream(), agents.stream()).toList()) {
            text.append("---- ").append(member.name).append(" (").append(member.log).append(")\n");
            try {
                List<String> lines = Files.readAllLines(member.log, StandardCharsets.UTF_8);
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(line -> text.append(line).append('\n'));
            } catch (IOException e) {
                text.append("(no log)\n");
            }
        }
        return text.toString();
    }

    public Path root() {
        return root;
    }

    public Duration nodeTimeout() {
        return nodeTimeout;
    }

    /**
     * Kills every process: agents and servers, then every task process the agents started. Deletes the cluster's
     * directory unless {@code HERD_KEEP_TEST_CLUSTERS} is set (to read the process logs after a failure).
     */
    @Override
    public void close() {
        client.close();
        agents.forEach(this::kill);
        servers.forEach(this::kill);
        killTasksUnder(root);
        removeTaskCgroups(root);
        if (System.getenv("HERD_KEEP_TEST_CLUSTERS") == null) {
            deleteQuietly(root);
        }
    }

    /**
     * SIGKILLs every process in the session of a process whose command line mentions {@code directory}: each
     * task's shim lives under the agent's data directory and leads the task's session, while the task itself
     * may sit in a process group of its own (tini makes one).
     */
    public static void killTasksUnder(Path directory) {
        String marker = directory.toString();
        long self = ProcessHandle.current().pid();
        java.util.Set<Long> sessions = new java.util.HashSet<>();
        ProcessHandle.allProcesses()
                .filter(process -> process.pid() != self && commandLine(process.pid()).contains(marker))
                .forEach(process -> sessionOf(process.pid()).ifPresent(sessions::add));
        sessions.remove(sessionOf(self).orElse(-1L));
        ProcessHandle.allProcesses()
                .filter(process -> process.pid() != self)
                .filter(process -> sessionOf(process.pid()).map(sessions::contains).orElse(false)
                        || commandLine(process.pid()).contains(marker))
                .forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Removes the (now empty) cgroups of the tasks of killed agents: an agent names them after the instance,
     * {@code <instance id>-<task>}, under {@code herd/} in each controller, and keeps each instance's directory in
     * {@code <agent data dir>/instances/}.
     */
    private static void removeTaskCgroups(Path root) {
        java.util.Set<String> instanceIds = new java.util.HashSet<>();
        try (Stream<Path> agentDirectories = Files.list(root)) {
            for (Path instances : agentDirectories.map(directory -> directory.resolve("instances")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> instanceDirectories = Files.list(instances)) {
                    instanceDirectories.forEach(directory -> instanceIds.add(directory.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            return;
        }
        for (Path herdGroup : List.of(Path.of("/sys/fs/cgroup/memory/herd"), Path.of("/sys/fs/cgroup/cpu,cpuacct/herd"),
                Path.of("/sys/fs/cgroup/cpu/herd"), Path.of("/sys/fs/cgroup/cpuacct/herd"), Path.of("/sys/fs/cgroup/pids/herd"),
                Path.of("/sys/fs/cgroup/unified/herd"), Path.of("/sys/fs/cgroup/herd"))) {
            if (!Files.isDirectory(herdGroup)) {
                continue;
            }
            try (Stream<Path> groups = Files.list(herdGroup)) {
                groups.filter(group -> instanceIds.stream().anyMatch(id -> group.getFileName().toString().startsWith(id + "-")))
                        .forEach(group -> {
                            try {
                                Files.deleteIfExists(group); // rmdir: works once no process is left in it
                            } catch (IOException ignored) {
                                // still busy or not ours to remove
                            }
                        });
            } catch (IOException ignored) {
                // controller not readable
            }
        }
    }

    /** Field 6 of /proc/PID/stat, counted after the parenthesised command name (which may hold spaces). */
    private static Optional<Long> sessionOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(fields[3]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String commandLine(long pid) {
        try {
            byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void deleteQuietly(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // a task may still be writing; the temp directory is cleaned by the OS eventually
                }
            });
        } catch (IOException ignored) {
            // nothing to clean
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
