package io.herd.cli;

import io.herd.api.ErrorKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code herd}: the root command; on its own it only explains the subcommands. */
@Command(
        name = "herd",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Herd runs jobs of identical instances on a pool of machines.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
                UpCommand.class,
                DiffCommand.class,
                StatusCommand.class,
                HistoryCommand.class,
                RunsCommand.class,
                RollbackCommand.class,
                RestartCommand.class,
                ScaleCommand.class,
                PromoteCommand.class,
                DownCommand.class,
                LogsCommand.class,
                EventsCommand.class,
                NodesCommand.class,
                TopCommand.class,
                NodeCommand.class,
                ServerCommand.class,
                AgentCommand.class,
                DevCommand.class,
                VersionCommand.class,
        },
        footer = {
                "",
                "Try it: 'herd dev' in one shell, then 'herd up examples/hello.yaml' in another.",
                "Client commands talk to --address or $HERD_ADDR (default 127.0.0.1:7700).",
        })
final class HerdCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("Error: missing command");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorKind.USER_ERROR.exitCode();
    }
}
