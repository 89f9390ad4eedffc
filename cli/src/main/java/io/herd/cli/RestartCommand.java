package io.herd.cli;

import io.herd.api.wire.DeploymentResponse;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code herd restart JOB [--group G]}: replaces every instance of the job's current version (or of some groups)
 * with a fresh one, a few at a time under each group's update policy, without a spec change.
 */
@Command(name = "restart", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Replace the instances of a service with fresh ones, without changing its spec: a rolling",
                "restart under each group's update policy (max_parallel, max_surge, min_healthy_time).",
        })
final class RestartCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "JOB", description = "A job as app/job, or a job name that is unique across apps.")
    String job;

    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", description = "Restart only this group (repeatable; default: every group).")
    List<String> groups = List.of();

    @Option(names = {"-d", "--detach"}, description = "Return once the restart has started; do not wait.")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for the restart to finish (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long startNanos = System.nanoTime();
        try (HerdClient client = clientOptions.client()) {
            String jobId = client.resolveJobId(job);
            DeploymentResponse response = client.restartJob(jobId, groups);
            out.printf("Restarting job %s version %d%s (deployment %s)%n", jobId, response.version(),
                    groups.isEmpty() ? "" : " groups " + String.join(", ", groups),
                    Formats.shortId(response.deployment().id()));
            out.flush();
            if (detach) {
                return 0;
            }
            return new DeploymentWatch(client, out, err, timeout).followRestart(response, startNanos);
        }
    }
}
