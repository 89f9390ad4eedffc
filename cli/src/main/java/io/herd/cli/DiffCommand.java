package io.herd.cli;

import io.herd.api.JobSpecParser;
import io.herd.api.Json;
import io.herd.api.wire.JobDiff;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code herd diff FILE}: what {@code herd up FILE} would change, field by field, and what the scheduler would
 * do to the instances (a dry run on the servers' current state). Nothing changes; the exit code is 0 whether or
 * not there are differences.
 */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Show what submitting a job spec would change, without changing anything:",
                "the fields that differ from the current version, and the instances the scheduler",
                "would place, replace, stop or keep, with the reasons for anything it cannot place.",
        })
final class DiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Parameters(index = "0", paramLabel = "FILE", description = "The job spec; '-' reads standard input.")
    String file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String text = SpecFiles.read(file, System.in);
        // Validating here too reports every problem even when no server is reachable.
        JobSpecParser.parse(text);
        try (HerdClient client = clientOptions.client()) {
            JobDiff diff = client.diffJob(text);
            if (output.json()) {
                out.println(Json.writePretty(diff));
            } else {
                JobDiffView.lines(diff).forEach(out::println);
            }
        }
        out.flush();
        return 0;
    }
}
