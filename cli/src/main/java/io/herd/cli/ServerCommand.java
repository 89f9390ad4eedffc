package io.herd.cli;

import io.herd.server.HerdServer;
import io.herd.server.ServerConfig;
import io.herd.state.EventPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/** {@code herd server}: one control-plane replica, running until SIGINT or SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Run a Herd server (a control-plane replica) until interrupted.",
                "Alone by default; for high availability run 3 or 5 with the same --peers.",
        },
        footer = {
                "",
                "Three replicas on machines h1, h2 and h3; on h1:",
                "  herd server --id s1 --http-addr h1:7700 \\",
                "      --peers s1=h1:7800,s2=h2:7800,s3=h3:7800",
                "and likewise s2 on h2 and s3 on h3, with the same --peers.",
        })
final class ServerCommand implements Callable<Integer> {
    private static final Pattern SERVER_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9-]*$");

    @Spec
    CommandSpec spec;

    @Option(names = "--id", paramLabel = "ID", defaultValue = "server-1",
            description = "This server's id among its peers (default: ${DEFAULT-VALUE}).")
    String id;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the Raft log and snapshots live (default: $HOME/.herd/server-ID).")
    Path dataDir;

    @Option(names = "--http-addr", paramLabel = "HOST:PORT", defaultValue = ServerConfig.DEFAULT_HTTP_ADDRESS,
            converter = Converters.HostPortConverter.class,
            description = "Where the HTTP API listens (default: ${DEFAULT-VALUE}; port 0 picks a free one).")
    String httpAddress;

    @Option(names = "--raft-addr", paramLabel = "HOST:PORT", converter = Converters.HostPortConverter.class,
            description = "Where Raft listens (default: this server's address in --peers, else "
                    + ServerConfig.DEFAULT_RAFT_ADDRESS + ").")
    String raftAddress;

    @Option(names = "--peers", paramLabel = "ID=HOST:PORT", split = ",", converter = Converters.PeerConverter.class,
            description = "Every replica of the group, this one included, by id and Raft address.")
    List<ServerConfig.Peer> peers = new ArrayList<>();

    @Option(names = "--node-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = Converters.DurationConverter.class,
            description = "A node silent this long is marked down and its instances lost (default: ${DEFAULT-VALUE}).")
    Duration nodeTimeout;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", defaultValue = "2s",
            converter = Converters.DurationConverter.class,
            description = "How often agents heartbeat (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(names = "--scheduler-workers", paramLabel = "N", defaultValue = "2",
            description = "Scheduler worker threads on the leader (default: ${DEFAULT-VALUE}).")
    int schedulerWorkers;

    @Option(names = "--event-retention", paramLabel = "DURATION", defaultValue = "30d",
            converter = Converters.DurationConverter.class,
            description = "Keep events this long after they last happened (default: ${DEFAULT-VALUE}). Give every "
                    + "server of a group the same value.")
    Duration eventRetention;

    @Option(names = "--event-limit", paramLabel = "N", defaultValue = "" + EventPolicy.DEFAULT_LIMIT,
            description = "Keep at most N events, dropping the oldest (default: ${DEFAULT-VALUE}; about 0.5 KiB of "
                    + "memory and snapshot each). Give every server of a group the same value.")
    int eventLimit;

    @Option(names = "--usage-retention", paramLabel = "DURATION", defaultValue = "7d", converter = Converters.DurationConverter.class,
            description = "Keep the cpu and memory history of tasks and nodes (herd top, GET /v1/usage) this long "
                    + "(default: ${DEFAULT-VALUE}); 0 turns it off, e.g. when a Prometheus store keeps usage. Give every "
                    + "server of a group the same.")
    Duration usageRetention;

    @Mixin
    GcOptions gc = new GcOptions();

    /** The configuration the options describe; a contradiction between them is a usage error. */
    ServerConfig config() {
        if (!SERVER_ID.matcher(id).matches()) {
            throw usage("--id must be letters, digits and '-', got '" + id + "'");
        }
        Set<String> peerIds = new HashSet<>();
        for (ServerConfig.Peer peer : peers) {
            if (!peerIds.add(peer.id())) {
                throw usage("--peers names " + peer.id() + " twice");
            }
        }
        Optional<ServerConfig.Peer> self = peers.stream().filter(peer -> peer.id().equals(id)).findFirst();
        if (!peers.isEmpty() && self.isEmpty()) {
            throw usage("--peers must include this server (--id " + id + ")");
        }
        String raft = raftAddress;
        if (raft == null) {
            raft = self.map(ServerConfig.Peer::raftAddress).orElse(ServerConfig.DEFAULT_RAFT_ADDRESS);
        } else if (self.isPresent() && !self.get().raftAddress().equals(raft)) {
            throw usage("--raft-addr " + raft + " differs from this server's entry in --peers ("
                    + self.get().raftAddress() + ")");
        }
        if (nodeTimeout.isZero() || heartbeatInterval.isZero()) {
            throw usage("--node-timeout and --heartbeat-interval must be more than 0");
        }
        if (heartbeatInterval.compareTo(nodeTimeout) >= 0) {
            throw usage("--heartbeat-interval (" + Formats.elapsed(heartbeatInterval)
                    + ") must be shorter than --node-timeout (" + Formats.elapsed(nodeTimeout) + ")");
        }
        if (schedulerWorkers < 1) {
            throw usage("--scheduler-workers must be at least 1");
        }
        Path directory = dataDir != null ? dataDir.toAbsolutePath().normalize()
                : DataDirectories.defaultFor(DataDirectories.serverLeaf(id));
        if (eventRetention.isZero() || eventRetention.isNegative()) {
            throw usage("--event-retention must be more than 0");
        }
        if (eventLimit < 1) {
            throw usage("--event-limit must be at least 1");
        }
        if (gc.problem() != null) {
            throw usage(gc.problem());
        }
        return gc.applyTo(new ServerConfig(id, directory, httpAddress, raft, peers, nodeTimeout, heartbeatInterval,
                schedulerWorkers, EventPolicy.DEFAULT.withRetention(eventRetention).withLimit(eventLimit))
                .withUsageRetention(usageRetention));
    }

    @Override
    public Integer call() {
        ServerConfig config = config();
        Logging.configureForDaemons();
        PrintWriter out = spec.commandLine().getOut();
        DataDirectories.create(config.dataDir());
        out.printf("Starting Herd server %s (data in %s)%n", config.id(), config.dataDir());
        out.flush();
        Lifetime lifetime = Lifetime.install();
        HerdServer server;
        try {
            server = HerdServer.start(config);
        } catch (RuntimeException e) {
            throw Failures.cannotStart("the server", e);
        }
        lifetime.onShutdown("the server", server);
        out.printf("Herd server %s listening on %s (Raft %s, %s)%n", config.id(),
                Addresses.http(server.httpAddress()), config.raftAddress(),
                config.peers().isEmpty() ? "single replica" : config.peers().size() + " replicas");
        out.flush();
        lifetime.awaitShutdown();
        return 0;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
