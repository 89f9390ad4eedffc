package io.herd.cli;

import io.herd.api.wire.SubmitJobResponse;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code herd scale JOB GROUP N}: a new version of the job whose group has N instances. The running instances stay
 * (a count needs no restart): scaling up places new ones, scaling down stops the highest indices.
 */
@Command(name = "scale", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Set the count of a group: a new version of the job, applied in place (running",
                "instances stay; new ones are placed or the highest indices stop).",
        })
final class ScaleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "JOB", description = "A job as app/job, or a job name that is unique across apps.")
    String job;

    @Parameters(index = "1", paramLabel = "GROUP", description = "The group to scale.")
    String group;

    @Parameters(index = "2", paramLabel = "COUNT", description = "Its new number of instances (0 to 10000).")
    int count;

    @Option(names = {"-d", "--detach"}, description = "Return once the new version is submitted; do not wait.")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for every instance to run (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long startNanos = System.nanoTime();
        try (HerdClient client = clientOptions.client()) {
            String jobId = client.resolveJobId(job);
            SubmitJobResponse response = client.scaleJob(jobId, group, count);
            if (!response.changed()) {
                out.printf("Job %s group %s already has %d instances; nothing changed%n", jobId, group, count);
                out.flush();
                return 0;
            }
            out.printf("Scaled job %s group %s to %d instances: now version %d%n", jobId, group, count,
                    response.version());
            out.flush();
            if (detach) {
                return 0;
            }
            return new DeploymentWatch(client, out, err, timeout).follow(response, io.herd.api.JobType.SERVICE,
                    startNanos);
        }
    }
}
