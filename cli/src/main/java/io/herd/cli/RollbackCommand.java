package io.herd.cli;

import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.wire.SpecDiff;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code herd rollback JOB [--to V]}: submits the spec of a kept version again as a new version (the history only
 * grows, as with Nomad's revert), then follows the deployment as {@code herd up} does.
 */
@Command(name = "rollback", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Submit the spec of an earlier version again, as a new version, and wait until",
                "its instances run. See the versions with 'herd history JOB'.",
        })
final class RollbackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "JOB", description = "A job as app/job, or a job name that is unique across apps.")
    String job;

    @Option(names = "--to", paramLabel = "VERSION",
            description = "The version to go back to (default: the one before the current version).")
    Long toVersion;

    @Option(names = {"-d", "--detach"}, description = "Return once the rollback is submitted; do not wait.")
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
            List<Job> versions = client.jobVersions(jobId);
            // The server picks the same default; knowing it here lets the output name it.
            Optional<Job> target = toVersion != null
                    ? versions.stream().filter(version -> version.version() == toVersion).findFirst()
                    : versions.stream().skip(1).findFirst();
            Optional<Job> current = versions.stream().findFirst();
            SubmitJobResponse response = client.rollbackJob(jobId, toVersion);
            String targetName = target.map(version -> "version " + version.version())
                    .orElse(toVersion == null ? "the previous version" : "version " + toVersion);
            if (response.changed()) {
                out.printf("Rolled back job %s to the spec of %s: now version %d%n", jobId, targetName, response.version());
                if (current.isPresent() && target.isPresent()) {
                    JobDiffView.changeLines(SpecDiff.between(current.get(), target.get())).forEach(out::println);
                }
            } else {
                out.printf("Job %s version %d already has the spec of %s; nothing changed%n", jobId,
                        response.version(), targetName);
            }
            out.flush();
            if (detach) {
                return 0;
            }
            JobType type = target.or(() -> current).map(Job::type).orElse(JobType.SERVICE);
            return new DeploymentWatch(client, out, err, timeout).follow(response, type, startNanos);
        }
    }
}
