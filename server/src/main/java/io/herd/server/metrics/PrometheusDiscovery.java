package io.herd.server.metrics;

import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Service;
import io.herd.api.Task;
import io.herd.state.ServerRecord;
import io.herd.state.StateView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prometheus HTTP service discovery ({@code http_sd_configs}): the scrape targets of the cluster, computed from
 * the replicated state. Every server's and every agent's {@code /metrics}, and every port of a running instance
 * that a service marks {@code metrics: true}. Labels are plain (no {@code __meta_} prefix, so no relabelling is
 * needed): servers get {@code job="herd-server"} and {@code server}; agents {@code job="herd-agent"} and
 * {@code node}; task ports {@code app}, {@code job} (the Herd job), {@code group}, {@code instance} (the
 * instance id), {@code task}, {@code node} and {@code service}. Setting {@code job} and {@code instance}
 * replaces Prometheus' defaults (the scrape config's name, the target address), which is what they mean here.
 */
public final class PrometheusDiscovery {
    /** The path every target serves its metrics on. */
    public static final String METRICS_PATH = "/metrics";
    public static final String SERVER_JOB = "herd-server";
    public static final String AGENT_JOB = "herd-agent";

    private PrometheusDiscovery() {}

    /** One entry of the answer: targets ({@code host:port}) sharing a set of labels. */
    public record TargetGroup(List<String> targets, Map<String, String> labels) {
        public TargetGroup {
            targets = List.copyOf(targets);
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        }
    }

    /** Every target of the cluster: servers, agents of nodes that are not down, then metrics ports of running tasks. */
    public static List<TargetGroup> targets(StateView view) {
        List<TargetGroup> groups = new ArrayList<>();
        for (ServerRecord server : view.servers()) {
            groups.add(new TargetGroup(List.of(server.httpAddress()), labels(
                    "job", SERVER_JOB, "server", server.id(), "__metrics_path__", METRICS_PATH)));
        }
        for (Node node : view.nodes()) {
            if (node.status() != NodeStatus.DOWN && node.address() != null) {
                groups.add(new TargetGroup(List.of(node.address()), labels(
                        "job", AGENT_JOB, "node", node.name(), "__metrics_path__", METRICS_PATH)));
            }
        }
        for (Instance instance : view.instances()) {
            if (instance.state() != InstanceState.RUNNING) {
                continue;
            }
            Optional<Node> node = view.node(instance.nodeId());
            Optional<Group> group = view.jobVersion(instance.jobId(), instance.jobVersion())
                    .or(() -> view.job(instance.jobId())).flatMap(job -> job.group(instance.group()));
            if (node.isEmpty() || group.isEmpty() || node.get().address() == null) {
                continue;
            }
            String host = host(node.get().address());
            for (Service service : group.get().services()) {
                Integer port = instance.ports().get(service.port());
                if (!service.metrics() || port == null) {
                    continue;
                }
                String task = group.get().tasks().stream().filter(candidate -> candidate.ports().contains(service.port()))
                        .map(Task::name).findFirst().orElse("");
                groups.add(new TargetGroup(List.of(host + ":" + port), labels(
                        "app", instance.app(), "job", instance.job(), "group", instance.group(),
                        "instance", instance.id(), "task", task, "node", node.get().name(),
                        "service", service.name(), "__metrics_path__", METRICS_PATH)));
            }
        }
        return groups;
    }

    /** The host part of {@code host:port} (IPv6 literals keep their brackets). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        return colon <= 0 ? address : address.substring(0, colon);
    }

    private static Map<String, String> labels(String... namesAndValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            labels.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return labels;
    }
}
