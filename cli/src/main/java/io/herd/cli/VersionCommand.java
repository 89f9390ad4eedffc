package io.herd.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code herd version}. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Print the version of herd and of the Java runtime.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : VersionProvider.lines()) {
            spec.commandLine().getOut().println(line);
        }
        return 0;
    }
}
