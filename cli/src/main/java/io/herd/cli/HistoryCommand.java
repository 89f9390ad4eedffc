package io.herd.cli;

import io.herd.api.Job;
import io.herd.api.Json;
import io.herd.api.wire.JobDiff.FieldChange;
import io.herd.api.wire.SpecDiff;
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

/**
 * {@code herd history JOB}: every version of a job the servers keep, newest first, each with what changed from
 * the version before it.
 */
@Command(name = "history", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Show the kept versions of a job (the last 10), newest first, with what changed",
                "in each. 'herd rollback JOB --to VERSION' submits an old one again.",
        })
final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Parameters(index = "0", paramLabel = "JOB", description = "A job as app/job, or a job name that is unique across apps.")
    String job;

    /**
     * One version with what changed from the kept version before it; {@code changes} is empty for the oldest one
     * kept. {@code job} is the version's whole spec.
     */
    record Entry(long version, Instant submitTime, boolean current, boolean stopped, String summary,
            List<FieldChange> changes, Job job) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (HerdClient client = clientOptions.client()) {
            List<Entry> entries = entries(client.jobVersions(client.resolveJobId(job)));
            if (output.json()) {
                out.println(Json.writePretty(entries));
            } else {
                table(entries, Instant.now()).print(out);
            }
        }
        out.flush();
        return 0;
    }

    /** @param versions the kept versions, in any order */
    static List<Entry> entries(List<Job> versions) {
        List<Job> newestFirst = new ArrayList<>(versions);
        newestFirst.sort(Comparator.comparingLong(Job::version).reversed());
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            Job version = newestFirst.get(i);
            Job previous = i + 1 < newestFirst.size() ? newestFirst.get(i + 1) : null;
            List<FieldChange> changes = previous == null ? List.of() : SpecDiff.between(previous, version);
            String summary = previous != null ? SpecDiff.summary(changes)
                    : version.version() == 1 ? "created" : "oldest version kept";
            entries.add(new Entry(version.version(), version.submitTime(), i == 0, version.stopped(), summary, changes,
                    version));
        }
        return entries;
    }

    static TableWriter table(List<Entry> entries, Instant now) {
        TableWriter table = new TableWriter("VERSION", "SUBMITTED", "STATUS", "CHANGES");
        for (Entry entry : entries) {
            String status = entry.stopped() ? "stopped" : entry.current() ? "current" : "";
            String submitted = entry.submitTime() == null ? "" : Formats.age(entry.submitTime(), now) + " ago";
            table.row(entry.version(), submitted, status, entry.summary());
        }
        return table;
    }
}
