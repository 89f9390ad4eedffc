package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.ErrorKind;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.JobType;
import io.herd.api.PlacementFailure;
import io.herd.api.wire.JobStatus;
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
 * {@code herd up FILE}: submits a job spec, then follows the deployment with blocking queries, printing one line
 * per instance transition, until every instance runs (exit 0) or it cannot happen (exit 1; the job is kept).
 */
@Command(name = "up", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Submit a job spec (YAML or JSON) and wait until its instances run.",
                "Fails with the reason when instances cannot be placed, when an instance fails",
                "or when the timeout passes; the job is kept ('herd down JOB' removes it).",
        })
final class UpCommand implements Callable<Integer> {
    static final int DEPLOYMENT_FAILED = 1;
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "FILE", description = "The job spec; '-' reads standard input.")
    String file;

    @Option(names = {"-d", "--detach"}, description = "Return once the job is submitted; do not wait.")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for every instance to run (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String text = SpecFiles.read(file, System.in);
        // Validating here too reports every problem even when no server is reachable.
        Job job = JobSpecParser.parse(text);
        long startNanos = System.nanoTime();
        try (HerdClient client = clientOptions.client()) {
            SubmitJobResponse response = client.submitJob(text);
            if (response.changed()) {
                out.printf("Submitted job %s version %d%n", response.jobId(), response.version());
            } else {
                out.printf("Job %s unchanged, version %d%n", response.jobId(), response.version());
            }
            out.flush();
            if (detach) {
                return 0;
            }
            return watch(client, response, job, startNanos);
        }
    }

    private int watch(HerdClient client, SubmitJobResponse response, Job job, long startNanos) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DeploymentTracker tracker =
                new DeploymentTracker(response.version(), response.changed() ? response.evaluationId() : null);
        String readyWord = job.type() == JobType.BATCH ? "started" : "running";
        long deadline = startNanos + timeout.toNanos();
        // index - 1: the first read returns at once, but only from a replica that has applied the submission.
        long index = Math.max(0, response.index() - 1);
        DeploymentTracker.Observation last = null;
        boolean warnedUnavailable = false;
        while (true) {
            long remainingNanos = deadline - System.nanoTime();
            if (remainingNanos <= 0) {
                String progress = last == null ? "" : ": " + last.ready() + "/" + last.desired() + " instances "
                        + readyWord;
                err.println("Error: timed out after " + Formats.elapsed(timeout) + progress);
                err.println("The job is kept. See 'herd status " + response.jobId() + "' for details.");
                err.flush();
                return DEPLOYMENT_FAILED;
            }
            Duration wait = Duration.ofNanos(Math.min(remainingNanos, MAX_WAIT.toNanos()));
            HerdClient.Indexed<JobStatus> result;
            try {
                result = client.jobStatus(response.jobId(), index, wait);
            } catch (HerdException e) {
                if (e.code().kind() != ErrorKind.UNAVAILABLE) {
                    throw e;
                }
                if (!warnedUnavailable) {
                    err.println("  (cannot reach the servers, retrying: " + e.getMessage() + ")");
                    err.flush();
                    warnedUnavailable = true;
                }
                sleep(RETRY_PAUSE);
                continue;
            }
            warnedUnavailable = false;
            if (result.index() <= index) {
                // Nothing changed (or the server does not block): do not spin.
                sleep(Duration.ofMillis(250));
            }
            index = Math.max(index, result.index());
            last = tracker.observe(result.value());
            last.lines().forEach(out::println);
            out.flush();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            switch (last.outcome()) {
                case DeploymentTracker.InProgress ignored -> {
                    // keep waiting
                }
                case DeploymentTracker.Deployed ignored -> {
                    out.printf("%d/%d instances %s after %s%n", last.ready(), last.desired(), readyWord,
                            Formats.elapsed(elapsed));
                    out.flush();
                    return 0;
                }
                case DeploymentTracker.Blocked blocked -> {
                    if (blocked.failures().isEmpty()) {
                        err.println("Error: job " + response.jobId() + " cannot be placed"
                                + (blocked.description() == null ? "" : ": " + blocked.description()));
                    }
                    for (PlacementFailure failure : blocked.failures()) {
                        err.println("Error: " + cannotPlace(failure));
                    }
                    err.println("The job is kept: its instances are placed as soon as nodes can take them."
                            + " 'herd down " + response.jobId() + "' removes it.");
                    err.flush();
                    return DEPLOYMENT_FAILED;
                }
                case DeploymentTracker.EvaluationFailed failed -> {
                    err.println("Error: scheduling job " + response.jobId() + " failed"
                            + (failed.description() == null ? "" : ": " + failed.description()));
                    err.flush();
                    return DEPLOYMENT_FAILED;
                }
                case DeploymentTracker.InstanceFailed failed -> {
                    Instance instance = failed.instance();
                    err.println("Error: instance " + instance.name() + " (" + Formats.shortId(instance.id())
                            + ") failed" + (instance.reason() == null ? "" : ": " + instance.reason()));
                    err.println("See its output with: herd logs " + Formats.shortId(instance.id())
                            + (instance.tasks().size() > 1 ? "/TASK" : ""));
                    err.flush();
                    return DEPLOYMENT_FAILED;
                }
                case DeploymentTracker.Superseded superseded -> {
                    err.println("Error: job " + response.jobId() + " was changed to version "
                            + superseded.newVersion() + " while waiting for version " + response.version());
                    err.flush();
                    return ErrorKind.CONFLICT.exitCode();
                }
                case DeploymentTracker.JobStopped ignored -> {
                    err.println("Error: job " + response.jobId() + " was stopped while waiting");
                    err.flush();
                    return DEPLOYMENT_FAILED;
                }
            }
        }
    }

    static String cannotPlace(PlacementFailure failure) {
        return "cannot place " + Formats.plural(failure.unplaced(), "instance") + " of group " + failure.group()
                + ": " + failure.summary();
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HerdException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }
}
