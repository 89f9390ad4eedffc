package io.herd.cli;

import io.herd.api.ErrorKind;
import io.herd.api.Instance;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.Quantities;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code herd node ...}: operations on one node. */
@Command(name = "node", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Operate on one node: turn new placements on or off, drain it.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {NodeCommand.Eligibility.class, NodeCommand.Drain.class})
final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("Error: missing command: eligibility or drain");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorKind.USER_ERROR.exitCode();
    }

    /** {@code herd node eligibility NODE on|off}. */
    @Command(name = "eligibility", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = {
                    "Turn new placements on a node on or off. An ineligible node keeps what runs on it;",
                    "turning it on also cancels a drain in progress.",
            })
    static final class Eligibility implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions clientOptions;

        @Mixin
        OutputFormat output;

        @Parameters(index = "0", paramLabel = "NODE", description = "The node's name, id or id prefix.")
        String node;

        @Parameters(index = "1", paramLabel = "on|off", description = "on: eligible for new instances; off: not.")
        String value;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            boolean eligible = switch (value.toLowerCase(Locale.ROOT)) {
                case "on", "true", "eligible" -> true;
                case "off", "false", "ineligible" -> false;
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "the second argument is on or off, got '" + value + "'");
            };
            Node updated;
            try (HerdClient client = clientOptions.client()) {
                updated = client.setNodeEligibility(node, eligible);
            }
            if (output.json()) {
                out.println(Json.writePretty(updated));
            } else {
                out.printf("Node %s is %s%s%n", updated.name(), updated.eligibility().wireName(),
                        eligible ? "" : ": it keeps its instances and gets no new ones");
            }
            out.flush();
            return 0;
        }
    }

    /** {@code herd node drain NODE [--deadline 10m] [--detach] [--cancel]}. */
    @Command(name = "drain", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = {
                    "Move a node's instances away: the node becomes ineligible, and each group's",
                    "instances are replaced elsewhere at most max_parallel at a time (the replacement runs,",
                    "and is healthy when the group has a check, before the old one stops). Batch instances",
                    "may finish until the deadline, when whatever is left is stopped. Shows how many",
                    "instances are left until the node is empty.",
            })
    static final class Drain implements Callable<Integer> {
        /** How long past the deadline to keep watching: the last instances need time to stop. */
        private static final Duration AFTER_DEADLINE = Duration.ofMinutes(1);

        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions clientOptions;

        @Mixin
        OutputFormat output;

        @Parameters(index = "0", paramLabel = "NODE", description = "The node's name, id or id prefix.")
        String node;

        @Option(names = "--deadline", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
                description = "When whatever is left is stopped (default: 1h).")
        Duration deadline;

        @Option(names = {"-d", "--detach"}, description = "Return once the drain started; do not wait.")
        boolean detach;

        @Option(names = "--cancel", description = "Cancel the drain in progress; the node stays ineligible"
                + " (turn it on with 'herd node eligibility NODE on').")
        boolean cancel;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (cancel && deadline != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--cancel and --deadline do not go together");
            }
            try (HerdClient client = clientOptions.client()) {
                Node started = client.drainNode(node,
                        deadline == null ? null : Quantities.formatDuration(deadline), cancel);
                if (cancel) {
                    if (output.json()) {
                        out.println(Json.writePretty(started));
                    } else {
                        out.printf("Drain of node %s cancelled; it stays %s%n", started.name(),
                                started.eligibility().wireName());
                    }
                    out.flush();
                    return 0;
                }
                if (!output.json()) {
                    out.printf("Draining node %s until %s%n", started.name(), started.drain() == null ? "-"
                            : started.drain().deadline());
                    out.flush();
                }
                if (detach) {
                    if (output.json()) {
                        out.println(Json.writePretty(started));
                        out.flush();
                    }
                    return 0;
                }
                return follow(client, started, out, err);
            }
        }

        /** Prints the instances left on each change until the drain ended or the deadline is well past. */
        private int follow(HerdClient client, Node started, PrintWriter out, PrintWriter err) {
            long startNanos = System.nanoTime();
            Instant giveUp = (started.drain() == null ? Instant.now() : started.drain().deadline()).plus(AFTER_DEADLINE);
            long index = 0;
            int lastLeft = -1;
            Node current = started;
            while (true) {
                HerdClient.Indexed<List<Instance>> onNode = client.instancesOnNode(started.id(), index,
                        Duration.ofSeconds(5));
                index = onNode.index();
                int left = (int) onNode.value().stream().filter(instance -> !instance.state().isTerminal()).count();
                current = client.node(started.id());
                if (left != lastLeft && !output.json()) {
                    out.printf("  %d instance%s left on %s%n", left, left == 1 ? "" : "s", started.name());
                    out.flush();
                }
                lastLeft = left;
                if (!current.isDraining()) {
                    break;
                }
                if (Instant.now().isAfter(giveUp)) {
                    err.printf("Error: node %s still has %d instances a minute after its deadline; see 'herd events"
                            + " --node %s'%n", started.name(), left, started.name());
                    err.flush();
                    return ErrorKind.UNAVAILABLE.exitCode();
                }
            }
            // The drain may have ended between the two reads: count once more, now that it is over.
            lastLeft = (int) client.instancesOnNode(started.id(), 0, Duration.ZERO).value().stream()
                    .filter(instance -> !instance.state().isTerminal()).count();
            boolean drained = lastLeft == 0;
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            if (output.json()) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("node", current);
                result.put("drained", drained);
                result.put("instances_left", lastLeft);
                result.put("seconds", Math.round(seconds * 10) / 10.0);
                out.println(Json.writePretty(result));
            } else if (drained) {
                out.printf("Node %s drained in %.1f s; it stays ineligible until 'herd node eligibility %s on'%n",
                        started.name(), seconds, started.name());
            } else {
                out.printf("The drain of node %s was cancelled with %d instances left%n", started.name(), lastLeft);
            }
            out.flush();
            return drained ? 0 : ErrorKind.CONFLICT.exitCode();
        }
    }
}
