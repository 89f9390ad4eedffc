package io.herd.cli;

import io.herd.api.Json;
import io.herd.api.wire.JobSummary;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code herd status [JOB]}: every job in a table, or one job with its instances and why any are pending. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show every job, or one job with its instances.")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB",
            description = "A job as app/job, or a job name that is unique across apps.")
    String job;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HerdClient client = clientOptions.client()) {
            if (job == null) {
                printJobs(out, client.listJobs());
            } else {
                JobStatusView view = JobStatusView.of(client.jobStatus(client.resolveJobId(job)));
                if (output.json()) {
                    out.println(Json.writePretty(view));
                } else {
                    view.lines(Instant.now()).forEach(out::println);
                }
            }
        }
        out.flush();
        return 0;
    }

    private void printJobs(PrintWriter out, List<JobSummary> jobs) {
        List<JobSummary> sorted = new ArrayList<>(jobs);
        sorted.sort(Comparator.comparing(JobSummary::id));
        if (output.json()) {
            out.println(Json.writePretty(sorted));
            return;
        }
        if (sorted.isEmpty()) {
            out.println("No jobs. Submit one with: herd up examples/hello.yaml");
            return;
        }
        jobTable(sorted).print(out);
    }

    static TableWriter jobTable(List<JobSummary> jobs) {
        TableWriter table = new TableWriter("ID", "TYPE", "VERSION", "STATUS", "INSTANCES");
        for (JobSummary summary : jobs) {
            table.row(summary.id(), summary.type().wireName(), summary.version(),
                    summary.stopped() ? "stopped" : summary.outcome() != null ? summary.outcome().wireName() : "running",
                    summary.running() + "/" + summary.desired());
        }
        return table;
    }
}
