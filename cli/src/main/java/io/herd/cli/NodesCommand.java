package io.herd.cli;

import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.NodeCondition;
import io.herd.api.NodeEligibility;
import io.herd.api.Quantities;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code herd nodes}: the machines of the cluster. */
@Command(name = "nodes", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "List the nodes (machines running an agent): status, whether new instances may be placed",
                "there, the problems the agent detected (a ! marks those that stop new placements),",
                "capacity and labels. -o json gives every condition with its reason, message and since.",
        })
final class NodesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Node> nodes;
        try (HerdClient client = clientOptions.client()) {
            nodes = new ArrayList<>(client.listNodes());
        }
        nodes.sort(Comparator.comparing(Node::name).thenComparing(Node::id));
        if (output.json()) {
            out.println(Json.writePretty(nodes));
        } else if (nodes.isEmpty()) {
            out.println("No nodes. Start one with 'herd agent --servers ADDRESS' (or use 'herd dev').");
        } else {
            nodeTable(nodes).print(out);
        }
        out.flush();
        return 0;
    }

    static TableWriter nodeTable(List<Node> nodes) {
        TableWriter table = new TableWriter("ID", "NAME", "STATUS", "ELIGIBLE", "CONDITIONS", "ADDRESS", "CPU",
                "MEMORY", "LABELS");
        for (Node node : nodes) {
            table.row(Formats.shortId(node.id()), node.name(), node.status().wireName(),
                    node.eligibility() == NodeEligibility.ELIGIBLE ? "yes" : "no", conditions(node), node.address(),
                    Quantities.formatCpu(node.capacity().cpuMillis()),
                    Formats.size(node.capacity().memoryBytes()), Formats.labels(node.labels()));
        }
        return table;
    }

    /**
     * The problems the node has now (conditions that are true), the severe ones marked with {@code !} because they
     * stop new placements; {@code ok} when none.
     */
    static String conditions(Node node) {
        List<String> problems = new ArrayList<>();
        for (NodeCondition condition : node.conditions()) {
            if (condition.isTrue()) {
                problems.add(condition.type() + (condition.blocksPlacement() ? "!" : ""));
            }
        }
        return problems.isEmpty() ? "ok" : String.join(",", problems);
    }
}
