package io.herd.cli;

import io.herd.api.Json;
import io.herd.api.wire.CronStatus;
import io.herd.api.wire.RunStatus;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code herd runs JOB}: a cron job's firings, newest first, each with its run's state and duration. */
@Command(name = "runs", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Show the runs of a cron job, newest first: scheduled time (in the job's time zone),",
                "state (pending, running, complete, failed, stopped, skipped, missed), duration,",
                "attempts and the run's job id ('herd status RUN' shows its instances);",
                "then the next scheduled times.",
        })
final class RunsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.US);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Parameters(index = "0", paramLabel = "JOB", description = "A cron job as app/job, or a job name that is unique across apps.")
    String job;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HerdClient client = clientOptions.client()) {
            CronStatus cron = client.cronRuns(client.resolveJobId(job));
            if (output.json()) {
                out.println(Json.writePretty(cron));
            } else {
                Instant now = Instant.now();
                if (cron.runs().isEmpty()) {
                    out.println("No runs yet.");
                } else {
                    table(cron, now).print(out);
                }
                ZoneId zone = ZoneId.of(cron.timeZone());
                out.println();
                out.println("Schedule " + cron.schedule() + " (" + cron.timeZone() + "); next runs: "
                        + (cron.nextRuns().isEmpty() ? "none" : String.join(", ",
                        cron.nextRuns().stream().map(next -> formatTime(next, zone)).toList())));
            }
        }
        out.flush();
        return 0;
    }

    static TableWriter table(CronStatus cron, Instant now) {
        ZoneId zone = ZoneId.of(cron.timeZone());
        TableWriter table = new TableWriter("SCHEDULED", "STATE", "DURATION", "ATTEMPTS", "RUN", "REASON");
        for (RunStatus run : cron.runs()) {
            table.row(formatTime(run.scheduledTime(), zone), run.state(),
                    run.duration() == null ? "-" : Formats.elapsed(run.duration()),
                    run.run() == null ? "-" : run.attempts(), run.run() == null ? "-" : run.run(),
                    run.reason() == null ? "" : run.reason());
        }
        return table;
    }

    /** {@code 2026-03-29 03:00:00 CEST}: a time as the schedule reads it. */
    static String formatTime(Instant time, ZoneId zone) {
        return TIME.format(time.atZone(zone));
    }
}
