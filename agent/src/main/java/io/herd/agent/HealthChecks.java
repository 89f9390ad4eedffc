package io.herd.agent;

import io.herd.agent.health.ExecProbe;
import io.herd.agent.health.HealthMonitor;
import io.herd.agent.health.HttpProbe;
import io.herd.agent.health.Probe;
import io.herd.agent.health.TcpProbe;
import io.herd.api.Check;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.Service;
import io.herd.api.Task;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the probes of an instance's health checks from its group's services. */
final class HealthChecks {
    /** Checks reach the instance through the loopback interface, where every task port of this node answers. */
    static final String HOST = "127.0.0.1";
    private static final HttpClient HTTP = HttpProbe.newClient();

    private HealthChecks() {}

    static List<HealthMonitor.NamedCheck> probes(Group group, Instance instance, RunnerContext context) {
        List<HealthMonitor.NamedCheck> checks = new ArrayList<>();
        for (Service service : group.services()) {
            Check check = service.check();
            if (check == null) {
                continue;
            }
            // A port the scheduler did not assign makes every attempt fail: port 0 refuses connections.
            int port = instance.ports().getOrDefault(service.port(), 0);
            Probe probe = switch (check.type()) {
                case Check.HTTP -> new HttpProbe(HTTP, HOST, port, check.path() == null ? "/" : check.path());
                case Check.TCP -> new TcpProbe(HOST, port);
                default -> execProbe(check, group, instance, context);
            };
            checks.add(new HealthMonitor.NamedCheck(service.name(), check, probe));
        }
        return checks;
    }

    /** An exec check runs with the environment of the group's first task, in that task's directory. */
    private static Probe execProbe(Check check, Group group, Instance instance, RunnerContext context) {
        Task task = group.tasks().getFirst();
        Path taskDir = context.store().taskDir(instance.id(), task.name());
        Map<String, String> environment = TaskEnvironment.build(context.agentEnvironment(), instance, task,
                context.nodeName(), taskDir, context.store().allocDir(instance.id()));
        String command = TaskEnvironment.expand(check.command(), environment);
        List<String> args = check.args().stream().map(arg -> TaskEnvironment.expand(arg, environment)).toList();
        return new ExecProbe(command, args, environment, taskDir);
    }
}
