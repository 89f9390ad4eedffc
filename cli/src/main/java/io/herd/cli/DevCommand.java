package io.herd.cli;

import io.herd.agent.AgentConfig;
import io.herd.agent.HerdAgent;
import io.herd.server.HerdServer;
import io.herd.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code herd dev}: a single-replica server and an agent in one process. Without {@code --data-dir} it is
 * ephemeral (a temporary directory, deleted on exit, and tasks stopped on exit); with it, it behaves like a real
 * server and agent: state is kept and tasks survive a restart.
 */
@Command(name = "dev", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Run a one-machine cluster (a server and an agent in one process).",
                "Without --data-dir it is temporary: Ctrl-C stops its tasks, deletes its state.",
        })
final class DevCommand implements Callable<Integer> {
    static final String SERVER_ID = "server-1";

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep state and tasks across restarts in DIR (default: a temporary directory).")
    Path dataDir;

    @Option(names = "--http-addr", paramLabel = "HOST:PORT", defaultValue = ServerConfig.DEFAULT_HTTP_ADDRESS,
            converter = Converters.HostPortConverter.class,
            description = "Where the HTTP API listens (default: ${DEFAULT-VALUE}).")
    String httpAddress;

    @Option(names = "--raft-addr", paramLabel = "HOST:PORT", defaultValue = ServerConfig.DEFAULT_RAFT_ADDRESS,
            converter = Converters.HostPortConverter.class,
            description = "Where the server's Raft listens (default: ${DEFAULT-VALUE}).")
    String raftAddress;

    @Option(names = "--agent-http-addr", paramLabel = "HOST:PORT", defaultValue = AgentConfig.DEFAULT_HTTP_ADDRESS,
            converter = Converters.HostPortConverter.class,
            description = "Where the agent serves logs to the server (default: ${DEFAULT-VALUE}).")
    String agentHttpAddress;

    @Mixin
    AgentOptions node;

    /** The directory everything lives in, and whether it is thrown away on exit. */
    record Layout(Path root, boolean ephemeral) {
        Path serverDir() {
            return root.resolve("server");
        }

        Path agentDir() {
            return root.resolve("agent");
        }
    }

    Layout layout() {
        if (dataDir != null) {
            return new Layout(DataDirectories.create(dataDir), false);
        }
        try {
            return new Layout(Files.createTempDirectory("herd-dev-").toAbsolutePath(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory: " + e.getMessage(), e);
        }
    }

    @Mixin
    GcOptions gc = new GcOptions();

    ServerConfig serverConfig(Layout layout) {
        return gc.applyTo(new ServerConfig(SERVER_ID, layout.serverDir(), httpAddress, raftAddress, List.of(),
                ServerConfig.DEFAULT_NODE_TIMEOUT, ServerConfig.DEFAULT_HEARTBEAT_INTERVAL, 2));
    }

    AgentConfig agentConfig(Layout layout, String serverHttpAddress) {
        return new AgentConfig(List.of(serverHttpAddress), layout.agentDir(), node.name, node.normalizedLabels(),
                agentHttpAddress, node.portRange, null, null, null, layout.ephemeral(), node.gpus, node.gpuModel,
                node.problemThresholds());
    }

    @Override
    public Integer call() {
        String labelProblem = node.labelProblem() != null ? node.labelProblem()
                : node.gpuProblem() != null ? node.gpuProblem()
                : node.problemThresholdProblem() != null ? node.problemThresholdProblem() : gc.problem();
        if (labelProblem != null) {
            throw new ParameterException(spec.commandLine(), labelProblem);
        }
        Logging.configureForDaemons();
        PrintWriter out = spec.commandLine().getOut();
        Lifetime lifetime = Lifetime.install();
        Layout layout = layout();
        if (layout.ephemeral()) {
            // Registered first so that it runs last, after the agent has stopped the tasks using the directory.
            lifetime.onShutdown("the temporary directory", () -> DataDirectories.deleteRecursively(layout.root()));
        }
        DataDirectories.create(layout.serverDir());
        DataDirectories.create(layout.agentDir());
        HerdServer server;
        HerdAgent agent;
        try {
            try {
                server = HerdServer.start(serverConfig(layout));
            } catch (RuntimeException e) {
                throw Failures.cannotStart("the server", e);
            }
            lifetime.onShutdown("the server", server);
            try {
                agent = HerdAgent.start(agentConfig(layout, server.httpAddress()));
            } catch (RuntimeException e) {
                throw Failures.cannotStart("the agent", e);
            }
            lifetime.onShutdown("the agent", agent);
        } catch (RuntimeException e) {
            lifetime.closeAll();
            throw e;
        }
        lifetime.onShutdown("the announcement", () -> System.err.println(layout.ephemeral()
                ? "Stopping Herd dev: stopping its tasks and deleting " + layout.root()
                : "Stopping Herd dev; its tasks keep running"));
        banner(out, layout, server, agent);
        lifetime.awaitShutdown();
        return 0;
    }

    private void banner(PrintWriter out, Layout layout, HerdServer server, HerdAgent agent) {
        String api = server.httpAddress();
        out.println();
        out.println(layout.ephemeral()
                ? "Herd dev is running (ephemeral: Ctrl-C stops its tasks and deletes its state)"
                : "Herd dev is running (state kept in " + layout.root() + "; tasks survive a restart)");
        out.println("  API:   " + Addresses.http(api));
        out.println("  node:  " + agent.nodeId() + " (agent on " + Addresses.http(agent.httpAddress()) + ")");
        out.println("  data:  " + layout.root());
        if (!api.equals(ClientOptions.DEFAULT_ADDRESS)) {
            out.println("  point the CLI at it with: export HERD_ADDR=" + api);
        }
        out.println();
        out.println("Next, run: ./herd up examples/hello.yaml in another shell");
        out.flush();
    }
}
