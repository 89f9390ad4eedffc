package io.herd.cli;

import io.herd.api.ErrorKind;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.JobType;
import io.herd.api.PlacementFailure;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.client.HerdClient;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * Follows a submitted job version with blocking queries, printing one line per instance transition, until every
 * instance runs (exit 0) or it cannot happen (exit 1; the job is kept). Shared by the commands that submit a
 * version: {@code herd up} and {@code herd rollback}. The decisions are the {@link DeploymentTracker}'s; this
 * class does the I/O around it.
 */
final class DeploymentWatch {
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final HerdClient client;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Duration timeout;

    DeploymentWatch(HerdClient client, PrintWriter out, PrintWriter err, Duration timeout) {
        this.client = client;
        this.out = out;
        this.err = err;
        this.timeout = timeout;
    }

    /**
     * @param response   the answer to the submission
     * @param type       the submitted job's type: batch jobs are done once their instances started
     * @param startNanos when the command started ({@link System#nanoTime()}); the timeout counts from there
     * @return the exit code
     */
    int follow(SubmitJobResponse response, JobType type, long startNanos) {
        return follow(response, type, startNanos,
                new DeploymentTracker(response.version(), response.changed() ? response.evaluationId() : null));
    }

    /** Follows a restart: its deployment alone decides. */
    int followRestart(io.herd.api.wire.DeploymentResponse response, long startNanos) {
        SubmitJobResponse submitted = new SubmitJobResponse(response.jobId(), response.version(), null, true,
                response.index());
        return follow(submitted, JobType.SERVICE, startNanos,
                new DeploymentTracker(response.version(), null, response.deployment().id()));
    }

    private int follow(SubmitJobResponse response, JobType type, long startNanos, DeploymentTracker tracker) {
        String readyWord = type == JobType.BATCH ? "started" : "running";
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
                return UpCommand.DEPLOYMENT_FAILED;
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
                UpCommand.sleep(RETRY_PAUSE);
                continue;
            }
            warnedUnavailable = false;
            if (result.index() <= index) {
                // Nothing changed (or the server does not block): do not spin.
                UpCommand.sleep(Duration.ofMillis(250));
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
                        err.println("Error: " + UpCommand.cannotPlace(failure));
                    }
                    err.println("The job is kept: its instances are placed as soon as nodes can take them."
                            + " 'herd down " + response.jobId() + "' removes it.");
                    err.flush();
                    return UpCommand.DEPLOYMENT_FAILED;
                }
                case DeploymentTracker.EvaluationFailed failed -> {
                    err.println("Error: scheduling job " + response.jobId() + " failed"
                            + (failed.description() == null ? "" : ": " + failed.description()));
                    err.flush();
                    return UpCommand.DEPLOYMENT_FAILED;
                }
                case DeploymentTracker.InstanceFailed failed -> {
                    Instance instance = failed.instance();
                    err.println("Error: instance " + instance.name() + " (" + Formats.shortId(instance.id())
                            + ") failed" + (instance.reason() == null ? "" : ": " + instance.reason()));
                    err.println("See its output with: herd logs " + Formats.shortId(instance.id())
                            + (instance.tasks().size() > 1 ? "/TASK" : ""));
                    err.flush();
                    return UpCommand.DEPLOYMENT_FAILED;
                }
                case DeploymentTracker.DeploymentFailed failed -> {
                    return deploymentFailed(response, failed.description(), failed.revertedToVersion());
                }
                case DeploymentTracker.Paused paused -> {
                    out.println("Deployment of version " + response.version() + " paused: "
                            + (paused.description() == null ? "canaries are healthy" : paused.description()));
                    out.printf("Continue with 'herd promote %s' (or 'herd rollback %s' to go back).%n",
                            response.jobId(), response.jobId());
                    out.flush();
                    return 0;
                }
                case DeploymentTracker.Superseded superseded -> {
                    // An auto-revert registers a new version too: then this version's deployment failed.
                    var reverted = client.jobDeployments(response.jobId()).stream()
                            .filter(deployment -> deployment.jobVersion() == response.version()
                                    && deployment.revertedToVersion() != null)
                            .findFirst();
                    if (reverted.isPresent()) {
                        return deploymentFailed(response, reverted.get().description(),
                                reverted.get().revertedToVersion());
                    }
                    err.println("Error: job " + response.jobId() + " was changed to version "
                            + superseded.newVersion() + " while waiting for version " + response.version());
                    err.flush();
                    return ErrorKind.CONFLICT.exitCode();
                }
                case DeploymentTracker.JobStopped ignored -> {
                    err.println("Error: job " + response.jobId() + " was stopped while waiting");
                    err.flush();
                    return UpCommand.DEPLOYMENT_FAILED;
                }
            }
        }
    }

    private int deploymentFailed(SubmitJobResponse response, String description, Long revertedToVersion) {
        err.println("Error: deployment of version " + response.version() + " of job " + response.jobId() + " failed"
                + (description == null ? "" : ": " + description));
        if (revertedToVersion != null) {
            err.println("auto-reverted to version " + revertedToVersion);
        } else {
            err.println("The instances stay as they are. 'herd rollback " + response.jobId()
                    + "' goes back to the previous version.");
        }
        err.flush();
        return UpCommand.DEPLOYMENT_FAILED;
    }
}
