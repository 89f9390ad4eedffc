package io.herd.cli;

import io.herd.api.wire.DeploymentResponse;
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

/** {@code herd promote JOB}: the canaries look good; continue the rolling update. */
@Command(name = "promote", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Promote the canaries of a deployment paused for them: the rolling update replaces",
                "the remaining instances. 'herd rollback JOB' goes back instead.",
        })
final class PromoteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "JOB", description = "A job as app/job, or a job name that is unique across apps.")
    String job;

    @Option(names = {"-d", "--detach"}, description = "Return once promoted; do not wait for the deployment.")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for the deployment to finish (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long startNanos = System.nanoTime();
        try (HerdClient client = clientOptions.client()) {
            String jobId = client.resolveJobId(job);
            DeploymentResponse response = client.promoteJob(jobId);
            out.printf("Promoted the canaries of job %s version %d%n", jobId, response.version());
            out.flush();
            if (detach) {
                return 0;
            }
            SubmitJobResponse submitted = new SubmitJobResponse(jobId, response.version(), null, true, response.index());
            return new DeploymentWatch(client, out, err, timeout).follow(submitted, io.herd.api.JobType.SERVICE,
                    startNanos);
        }
    }
}
