package io.herd.cli;

import io.herd.agent.AgentConfig;
import io.herd.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parsing of every command: help, defaults, and one clear line plus a non-zero exit for bad input. */
class CommandLineTest {
    private static final List<String> COMMANDS =
            List.of("up", "diff", "status", "history", "rollback", "down", "logs", "nodes", "node", "server", "agent",
                    "dev", "version");

    record Result(int exitCode, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(exitCode, out.toString(), err.toString());
    }

    @Test
    void rootHelpListsEveryCommand() {
        Result result = run("--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: herd");
        COMMANDS.forEach(command -> assertThat(result.out()).contains("  " + command));
    }

    @ParameterizedTest
    @ValueSource(strings = {"up", "diff", "status", "history", "rollback", "down", "logs", "nodes", "node", "server",
            "agent", "dev", "version"})
    void everyCommandHasHelp(String command) {
        Result result = run(command, "--help");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("Usage: herd " + command);
        assertThat(result.err()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"up", "diff", "status", "history", "rollback", "down", "logs", "nodes", "node", "server",
            "agent", "dev", "version"})
    void unknownFlagIsAUsageError(String command) {
        boolean needsArgument = List.of("up", "diff", "history", "rollback", "down", "logs").contains(command);
        Result result = needsArgument ? run(command, "x", "--no-such-flag") : run(command, "--no-such-flag");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Error: Unknown option: '--no-such-flag'")
                .contains("Run 'herd " + command + " --help' for usage.");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void noCommandIsAUsageError() {
        Result result = run();
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Error: missing command").contains("Usage: herd");
    }

    @Test
    void unknownCommandSuggestsTheClosestOne() {
        Result result = run("stauts");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Unmatched argument at index 0: 'stauts'").contains("status");
    }

    @Test
    void versionPrintsHerdAndJava() {
        Result result = run("version");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("herd ").contains("java " + Runtime.version().feature());
        assertThat(run("--version").out()).startsWith("herd ");
    }

    @Test
    void upNeedsAFile() {
        Result result = run("up");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Error: Missing required parameter: 'FILE'");
    }

    @Test
    void upRejectsABadTimeout() {
        Result result = run("up", "--timeout", "soon", "job.yaml");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Error: Invalid value for option '--timeout': 'soon' is not a duration");
    }

    @Test
    void upReportsAMissingFile(@TempDir Path directory) {
        Result result = run("up", directory.resolve("nope.yaml").toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("Error: cannot read " + directory.resolve("nope.yaml") + ": no such file\n");
    }

    @Test
    void upReportsEveryProblemOfASpecWithoutContactingAServer(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("bad.yaml"), """
                job: Bad_Name
                app: demo
                groups:
                  - name: web
                    count: -1
                    tasks:
                      - name: server
                        driver: exec
                        config: {command: /bin/true}
                        resources: {memory: 12XB}
                """);
        // An address nobody listens on: the spec must be rejected before any connection is tried.
        Result result = run("up", "--address", "127.0.0.1:1", spec.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("Error: the job spec has 3 problems\n")
                .contains("  - job: \"Bad_Name\" is not a valid job name")
                .contains("  - groups[0].count: -1 is out of range")
                .contains("  - groups[0].tasks[0].resources.memory: \"12XB\" is not a size");
    }

    @Test
    void unreachableServerIsUnavailable() {
        Result result = run("status", "--address", "127.0.0.1:1");
        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.err()).startsWith("Error: cannot connect to a Herd server at http://127.0.0.1:1");
    }

    @Test
    void outputFormatIsTableOrJson() {
        assertThat(parse(new StatusCommand(), "-o", "json").output.json()).isTrue();
        assertThat(parse(new StatusCommand(), "-o", "JSON").output.json()).isTrue();
        assertThat(parse(new StatusCommand()).output.json()).isFalse();
        Result result = run("nodes", "-o", "yaml");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Invalid value for option '--output'").contains("yaml");
    }

    @Test
    void addressComesFromTheOptionOrTheDefault() {
        String fromEnvironment = System.getenv("HERD_ADDR");
        assertThat(parse(new NodesCommand()).clientOptions.address)
                .isEqualTo(fromEnvironment != null ? fromEnvironment : "127.0.0.1:7700");
        assertThat(parse(new NodesCommand(), "--address", "a:1,b:2").clientOptions.address).isEqualTo("a:1,b:2");
        assertThat(parse(new NodesCommand(), "-a", "a:1").clientOptions.client().addresses())
                .containsExactly("http://a:1");
    }

    @Test
    void upOptions() {
        UpCommand up = parse(new UpCommand(), "job.yaml");
        assertThat(up.file).isEqualTo("job.yaml");
        assertThat(up.timeout).isEqualTo(Duration.ofMinutes(5));
        assertThat(up.detach).isFalse();
        up = parse(new UpCommand(), "-d", "--timeout", "1h30m", "-");
        assertThat(up.timeout).isEqualTo(Duration.ofMinutes(90));
        assertThat(up.detach).isTrue();
    }

    @Test
    void upAsksUnlessToldYes() {
        assertThat(parse(new UpCommand(), "job.yaml").yes).isFalse();
        assertThat(parse(new UpCommand(), "--yes", "job.yaml").yes).isTrue();
        assertThat(parse(new UpCommand(), "-y", "job.yaml").yes).isTrue();
    }

    @Test
    void diffHistoryAndRollbackOptions() {
        DiffCommand diff = parse(new DiffCommand(), "job.yaml", "-o", "json");
        assertThat(diff.file).isEqualTo("job.yaml");
        assertThat(diff.output.json()).isTrue();
        assertThat(run("diff").err()).startsWith("Error: Missing required parameter: 'FILE'");

        HistoryCommand history = parse(new HistoryCommand(), "hello");
        assertThat(history.job).isEqualTo("hello");
        assertThat(history.output.json()).isFalse();
        assertThat(run("history").err()).startsWith("Error: Missing required parameter: 'JOB'");

        RollbackCommand rollback = parse(new RollbackCommand(), "demo/hello");
        assertThat(rollback.toVersion).isNull();
        assertThat(rollback.detach).isFalse();
        assertThat(rollback.timeout).isEqualTo(Duration.ofMinutes(5));
        rollback = parse(new RollbackCommand(), "demo/hello", "--to", "3", "-d", "--timeout", "30s");
        assertThat(rollback.toVersion).isEqualTo(3L);
        assertThat(rollback.detach).isTrue();
        assertThat(rollback.timeout).isEqualTo(Duration.ofSeconds(30));
        Result badVersion = run("rollback", "hello", "--to", "three");
        assertThat(badVersion.exitCode()).isEqualTo(2);
        assertThat(badVersion.err()).startsWith("Error: Invalid value for option '--to'");
    }

    @Test
    void downOptions() {
        DownCommand down = parse(new DownCommand(), "hello", "--purge");
        assertThat(down.job).isEqualTo("hello");
        assertThat(down.purge).isTrue();
        assertThat(down.timeout).isEqualTo(Duration.ofMinutes(2));
        assertThat(run("down").err()).startsWith("Error: Missing required parameter: 'JOB'");
    }

    @Test
    void logsOptions() {
        LogsCommand logs = parse(new LogsCommand(), "3f2a/server", "-f", "--stderr", "--tail", "20");
        assertThat(logs.target).isEqualTo("3f2a/server");
        assertThat(logs.follow).isTrue();
        assertThat(logs.stderr).isTrue();
        assertThat(logs.tail).isEqualTo(20);
        LogsCommand timed = parse(new LogsCommand(), "3f2a", "--stream", "all", "--since", "10m", "-t");
        assertThat(timed.stream).isEqualTo("all");
        assertThat(timed.since).isEqualTo("10m");
        assertThat(timed.timestamps).isTrue();
        assertThat(run("logs", "x", "--tail", "many").err()).startsWith("Error: Invalid value for option '--tail'");
        Result negative = run("logs", "x", "--tail", "-3");
        assertThat(negative.exitCode()).isEqualTo(2);
        assertThat(negative.err()).isEqualTo("Error: --tail must be 0 or more, got -3\n");
        Result slash = run("logs", "abc/");
        assertThat(slash.exitCode()).isEqualTo(2);
        assertThat(slash.err()).startsWith("Error: 'abc/' has no task name after '/'");
    }

    @Test
    void serverDefaults() {
        ServerConfig config = parse(new ServerCommand()).config();
        assertThat(config.id()).isEqualTo("server-1");
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1:7700");
        assertThat(config.raftAddress()).isEqualTo("127.0.0.1:7800");
        assertThat(config.peers()).isEmpty();
        assertThat(config.nodeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.schedulerWorkers()).isEqualTo(2);
        assertThat(config.dataDir()).isAbsolute();
        assertThat(config.dataDir().getFileName()).hasToString("server-1");
        assertThat(config.gcDefaults()).isEqualTo(new io.herd.api.GcPolicy(10, null));
        assertThat(config.gcInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void garbageCollectionOptionsOfServerAndDev(@TempDir Path directory) {
        ServerConfig server = parse(new ServerCommand(), "--gc-keep-finished", "3", "--gc-keep-for", "24h",
                "--gc-interval", "5s").config();
        assertThat(server.gcDefaults()).isEqualTo(new io.herd.api.GcPolicy(3, Duration.ofHours(24)));
        assertThat(server.gcInterval()).isEqualTo(Duration.ofSeconds(5));
        ServerConfig dev = parse(new DevCommand(), "--gc-keep-finished", "0")
                .serverConfig(new DevCommand.Layout(directory, true));
        assertThat(dev.gcDefaults()).isEqualTo(new io.herd.api.GcPolicy(0, null));

        assertConfigError(new ServerCommand(), "--gc-keep-finished must be 0 or more", "--gc-keep-finished", "-1");
        assertConfigError(new ServerCommand(), "--gc-keep-for must be more than 0", "--gc-keep-for", "0s");
        assertConfigError(new ServerCommand(), "--gc-interval must be more than 0", "--gc-interval", "0s");
    }

    @Test
    void serverWithPeersTakesItsRaftAddressFromThem(@TempDir Path directory) {
        ServerConfig config = parse(new ServerCommand(), "--id", "s2", "--data-dir", directory.toString(),
                "--http-addr", "127.0.0.1:0", "--peers", "s1=10.0.0.1:7800,s2=10.0.0.2:7801",
                "--peers", "s3=10.0.0.3:7800", "--node-timeout", "5000ms", "--heartbeat-interval", "1s").config();
        assertThat(config.raftAddress()).isEqualTo("10.0.0.2:7801");
        assertThat(config.peers()).extracting(ServerConfig.Peer::id).containsExactly("s1", "s2", "s3");
        assertThat(config.dataDir()).isEqualTo(directory);
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1:0");
        assertThat(config.nodeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void serverOptionsThatContradictEachOtherAreUsageErrors() {
        assertConfigError(new ServerCommand(), "--peers must include this server (--id server-1)",
                "--peers", "a=h:1,b=h:2");
        assertConfigError(new ServerCommand(), "--peers names a twice", "--id", "a", "--peers", "a=h:1,a=h:2");
        assertConfigError(new ServerCommand(), "--raft-addr h:9 differs from this server's entry in --peers (h:1)",
                "--id", "a", "--peers", "a=h:1", "--raft-addr", "h:9");
        assertConfigError(new ServerCommand(), "--heartbeat-interval (10.0s) must be shorter than --node-timeout (5.0s)",
                "--node-timeout", "5s", "--heartbeat-interval", "10s");
        assertConfigError(new ServerCommand(), "--id must be letters, digits and '-', got 'a b'", "--id", "a b");
        Result badPeer = run("server", "--peers", "nonsense");
        assertThat(badPeer.exitCode()).isEqualTo(2);
        assertThat(badPeer.err()).startsWith(
                "Error: Invalid value for option '--peers' (ID=HOST:PORT): a peer looks like id=host:port, got 'nonsense'");
        Result badAddress = run("server", "--http-addr", "localhost");
        assertThat(badAddress.exitCode()).isEqualTo(2);
        assertThat(badAddress.err()).contains("address must look like host:port, got 'localhost'");
    }

    @Test
    void agentOptions(@TempDir Path directory) {
        AgentConfig config = parse(new AgentCommand(), "--servers", "10.0.0.1:7700, 10.0.0.2:7700",
                "--data-dir", directory.toString(), "--name", "agent-1", "--label", "zone=a", "--label", "node.rack=r1",
                "--http-addr", "127.0.0.1:0", "--port-range", "30000-30100", "--cpu", "1500m", "--memory", "4Gi",
                "--disk", "50Gi").config();
        assertThat(config.servers()).containsExactly("10.0.0.1:7700", "10.0.0.2:7700");
        assertThat(config.dataDir()).isEqualTo(directory);
        assertThat(config.name()).isEqualTo("agent-1");
        assertThat(config.labels()).isEqualTo(Map.of("zone", "a", "rack", "r1"));
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1:0");
        assertThat(config.ports().first()).isEqualTo(30000);
        assertThat(config.ports().last()).isEqualTo(30100);
        assertThat(config.cpuMillis()).isEqualTo(1500);
        assertThat(config.memoryBytes()).isEqualTo(4L << 30);
        assertThat(config.diskBytes()).isEqualTo(50L << 30);
        assertThat(config.stopTasksOnClose()).as("a real agent's tasks outlive it").isFalse();
    }

    @Test
    void agentDefaults() {
        AgentConfig config = parse(new AgentCommand(), "--servers", "127.0.0.1:7700").config();
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1:7710");
        assertThat(config.ports().first()).isEqualTo(20000);
        assertThat(config.ports().last()).isEqualTo(32000);
        assertThat(config.cpuMillis()).isNull();
        assertThat(config.memoryBytes()).isNull();
        assertThat(config.name()).isNull();
        assertThat(config.dataDir()).isAbsolute();
        assertThat(config.dataDir().getFileName()).hasToString("agent");
        assertThat(parse(new AgentCommand(), "--servers", "h:1", "--name", "n2").config().dataDir().getFileName())
                .hasToString("agent-n2");
    }

    @Test
    void agentRejectsBadValues() {
        assertThat(run("agent", "--memory", "lots").err())
                .startsWith("Error: Invalid value for option '--memory': 'lots' is not a size");
        assertThat(run("agent", "--cpu", "0").err()).startsWith("Error: Invalid value for option '--cpu': '0' must be more than 0");
        assertThat(run("agent", "--port-range", "9-1").err()).contains("'9-1' is not a port range");
        assertThat(run("agent", "--label", "zone").err()).contains("should be in KEY=VALUE format");
        assertConfigError(new AgentCommand(), "--label name is reserved (node.name is built in)", "--label", "name=x");
        assertConfigError(new AgentCommand(), "--servers must look like host:port, got 'nowhere'", "--servers", "nowhere");
    }

    @Test
    void devIsEphemeralWithoutADataDirectory(@TempDir Path directory) {
        DevCommand dev = parse(new DevCommand());
        DevCommand.Layout temporary = new DevCommand.Layout(directory, true);
        ServerConfig server = dev.serverConfig(temporary);
        assertThat(server.peers()).isEmpty();
        assertThat(server.httpAddress()).isEqualTo("127.0.0.1:7700");
        assertThat(server.dataDir()).isEqualTo(directory.resolve("server"));
        AgentConfig agent = dev.agentConfig(temporary, "127.0.0.1:7700");
        assertThat(agent.servers()).containsExactly("127.0.0.1:7700");
        assertThat(agent.dataDir()).isEqualTo(directory.resolve("agent"));
        assertThat(agent.stopTasksOnClose()).isTrue();

        DevCommand kept = parse(new DevCommand(), "--data-dir", directory.toString(), "--http-addr", "127.0.0.1:7701");
        DevCommand.Layout layout = kept.layout();
        assertThat(layout.ephemeral()).isFalse();
        assertThat(layout.root()).isEqualTo(directory);
        assertThat(kept.agentConfig(layout, "127.0.0.1:7701").stopTasksOnClose()).isFalse();
        assertThat(kept.serverConfig(layout).httpAddress()).isEqualTo("127.0.0.1:7701");
    }

    private static <T> T parse(T command, String... args) {
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command;
    }

    private static void assertConfigError(Object command, String message, String... args) {
        parse(command, args);
        assertThatThrownBy(() -> {
            switch (command) {
                case ServerCommand server -> server.config();
                case AgentCommand agent -> agent.config();
                default -> throw new IllegalArgumentException(command.toString());
            }
        }).isInstanceOf(CommandLine.ParameterException.class).hasMessage(message);
    }
}
