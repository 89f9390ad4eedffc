package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.PlacementFailure;
import io.herd.api.wire.JobDiff;
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
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code herd up FILE}: submits a job spec, then follows the deployment with blocking queries, printing one line
 * per instance transition, until every instance runs (exit 0) or it cannot happen (exit 1; the job is kept).
 * When the job exists and the spec changes it, the diff comes first ({@code herd diff}); on a terminal it asks
 * before applying unless {@code --yes} is given, elsewhere (scripts) it goes ahead.
 */
@Command(name = "up", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Submit a job spec (YAML or JSON) and wait until its instances run.",
                "When it changes an existing job, the diff is shown first and, on a terminal,",
                "confirmed (--yes skips the question).",
                "Fails with the reason when instances cannot be placed, when an instance fails",
                "or when the timeout passes; the job is kept ('herd down JOB' removes it).",
        })
final class UpCommand implements Callable<Integer> {
    static final int DEPLOYMENT_FAILED = 1;

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

    @Option(names = {"-y", "--yes"}, description = "Apply without asking, also on a terminal.")
    boolean yes;

    /** Asks before applying a change; replaced in tests. */
    Prompter prompter = Prompter.system();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String text = SpecFiles.read(file, System.in);
        // Validating here too reports every problem even when no server is reachable.
        Job job = JobSpecParser.parse(text);
        try (HerdClient client = clientOptions.client()) {
            Optional<JobDiff> diff = diff(client, text);
            if (diff.isPresent() && diff.get().changed() && !diff.get().createsJob()) {
                JobDiffView.lines(diff.get()).forEach(out::println);
                out.println();
                out.flush();
                if (!yes) {
                    Optional<String> answer = prompter.ask("Apply these changes to " + job.id() + "? [y/N] ");
                    if (answer.isPresent() && !Prompter.isYes(answer.get())) {
                        err.println("Cancelled: nothing was submitted.");
                        err.flush();
                        return DEPLOYMENT_FAILED;
                    }
                }
            }
            // The timeout and the elapsed time count from here: not the time someone spent reading the diff.
            long startNanos = System.nanoTime();
            SubmitJobResponse response = client.submitJob(text);
            if (response.changed()) {
                out.printf("Submitted job %s version %d%n", response.jobId(), response.version());
            } else {
                out.printf("Job %s unchanged, version %d%n", response.jobId(), response.version());
            }
            out.flush();
            if (job.type() == io.herd.api.JobType.CRON) {
                // Nothing runs until the schedule fires: each firing starts a run of its own ('herd runs').
                io.herd.api.wire.CronStatus cron = client.cronRuns(response.jobId());
                out.printf("Schedule %s (%s); next runs:%n", cron.schedule(), cron.timeZone());
                java.time.ZoneId zone = java.time.ZoneId.of(cron.timeZone());
                for (java.time.Instant next : cron.nextRuns()) {
                    out.println("  " + RunsCommand.formatTime(next, zone));
                }
                out.printf("See its runs with 'herd runs %s'.%n", response.jobId());
                out.flush();
                return 0;
            }
            if (detach) {
                return 0;
            }
            return new DeploymentWatch(client, out, err, timeout).follow(response, job.type(), startNanos);
        }
    }

    /**
     * What submitting would change; empty when the server cannot tell (a server from before {@code herd diff}
     * existed), so that {@code up} still works there.
     */
    private static Optional<JobDiff> diff(HerdClient client, String text) {
        try {
            return Optional.of(client.diffJob(text));
        } catch (HerdException e) {
            if (e.code() == ErrorCode.ROUTE_NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    static String cannotPlace(PlacementFailure failure) {
        return "cannot place " + Formats.plural(failure.unplaced(), "instance") + " of group " + failure.group()
                + ": " + failure.summary() + failure.preemptionSummary().map(text -> "; " + text).orElse("");
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
