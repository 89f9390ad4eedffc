package io.herd.cli;

import io.herd.agent.AgentConfig;
import io.herd.agent.HerdAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code herd agent}: the node process, running until SIGINT or SIGTERM. Its tasks outlive it: the next agent
 * started on the same data directory re-attaches to them.
 */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Run a Herd agent on this machine until interrupted.",
                "It registers the machine as a node and runs the instances placed on it.",
                "Tasks keep running when the agent stops; the next agent re-attaches to them.",
        })
final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--servers", paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:HERD_ADDR:-" + ClientOptions.DEFAULT_ADDRESS + "}",
            description = "Server HTTP addresses, comma-separated (default: $HERD_ADDR or "
                    + ClientOptions.DEFAULT_ADDRESS + ").")
    String servers;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where instance directories, logs and agent state live "
                    + "(default: $HOME/.herd/agent, or $HOME/.herd/agent-NAME with --name).")
    Path dataDir;

    @Mixin
    AgentOptions node;

    @Option(names = "--http-addr", paramLabel = "HOST:PORT", defaultValue = AgentConfig.DEFAULT_HTTP_ADDRESS,
            converter = Converters.HostPortConverter.class,
            description = "Where the agent serves logs to the servers (default: ${DEFAULT-VALUE}).")
    String httpAddress;

    @Option(names = "--cpu", paramLabel = "CPU", converter = Converters.CpuConverter.class,
            description = "Cpu to offer, e.g. 2 or 1500m (default: what the machine has).")
    Long cpuMillis;

    @Option(names = "--memory", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Memory to offer, e.g. 4Gi (default: what the machine has).")
    Long memoryBytes;

    @Option(names = "--disk", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Disk to offer, e.g. 50Gi (default: what the data directory's disk has).")
    Long diskBytes;

    AgentConfig config() {
        List<String> serverList = new ArrayList<>();
        for (String server : servers.split(",")) {
            if (!server.isBlank()) {
                String trimmed = server.trim();
                try {
                    Addresses.requireHostPort(trimmed.replaceFirst("^https?://", ""), "--servers");
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
                serverList.add(trimmed);
            }
        }
        if (serverList.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--servers needs at least one address");
        }
        String labelProblem = node.labelProblem() != null ? node.labelProblem()
                : node.gpuProblem() != null ? node.gpuProblem() : node.problemThresholdProblem();
        if (labelProblem != null) {
            throw new ParameterException(spec.commandLine(), labelProblem);
        }
        if (memoryBytes != null && memoryBytes <= 0 || diskBytes != null && diskBytes < 0) {
            throw new ParameterException(spec.commandLine(), "--memory must be more than 0 and --disk not negative");
        }
        Path directory = dataDir != null ? dataDir.toAbsolutePath().normalize()
                : DataDirectories.defaultFor(node.name == null ? "agent" : "agent-" + node.name);
        return new AgentConfig(serverList, directory, node.name, node.normalizedLabels(), httpAddress,
                node.portRange, cpuMillis, memoryBytes, diskBytes, false, node.gpus, node.gpuModel,
                node.problemThresholds());
    }

    @Override
    public Integer call() {
        AgentConfig config = config();
        Logging.configureForDaemons();
        PrintWriter out = spec.commandLine().getOut();
        DataDirectories.create(config.dataDir());
        out.printf("Starting Herd agent (servers %s, data in %s)%n", String.join(",", config.servers()),
                config.dataDir());
        out.flush();
        Lifetime lifetime = Lifetime.install();
        HerdAgent agent;
        try {
            agent = HerdAgent.start(config);
        } catch (RuntimeException e) {
            throw Failures.cannotStart("the agent", e);
        }
        lifetime.onShutdown("the agent", agent);
        out.printf("Herd agent registered as node %s; serving logs on %s%n", agent.nodeId(),
                Addresses.http(agent.httpAddress()));
        out.flush();
        lifetime.awaitShutdown();
        return 0;
    }
}
