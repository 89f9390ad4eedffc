package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.ErrorDetail;
import io.herd.api.ErrorKind;
import io.herd.api.HerdException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code herd} entry point. Errors are mapped here, once: a {@link HerdException} becomes
 * {@code Error: <message>} plus one line per detail on stderr and the exit code of its kind; a bad command line
 * becomes one line and the user-error exit code; anything else is an internal error (exit 1).
 */
public final class Main {
    /** Set to print stack traces of unexpected errors. */
    static final String DEBUG_ENV = "HERD_DEBUG";

    private Main() {}

    public static void main(String[] args) {
        int exitCode = run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8));
        System.exit(exitCode);
    }

    /** Runs one command line and returns its exit code; output goes to {@code out}, errors to {@code err}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, CommandLine.defaultFactory());
    }

    /** As {@link #run(String[], PrintWriter, PrintWriter)}, with commands made by {@code factory} (tests). */
    static int run(String[] args, PrintWriter out, PrintWriter err, CommandLine.IFactory factory) {
        CommandLine commandLine = commandLine(factory);
        commandLine.setOut(out);
        commandLine.setErr(err);
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine commandLine = new CommandLine(new HerdCommand(), factory);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler(Main::handleParameterError);
        commandLine.setExecutionExceptionHandler(
                (exception, failedCommand, parseResult) -> handleExecutionError(exception, failedCommand.getErr()));
        return commandLine;
    }

    private static int handleParameterError(CommandLine.ParameterException exception, String[] args) {
        CommandLine failedCommand = exception.getCommandLine();
        PrintWriter err = failedCommand.getErr();
        err.println("Error: " + exception.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(exception, err);
        err.println("Run '" + failedCommand.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return ErrorKind.USER_ERROR.exitCode();
    }

    static int handleExecutionError(Exception exception, PrintWriter err) {
        if (exception instanceof LogsCommand.OutputClosedException) {
            return 0;
        }
        if (exception instanceof HerdException herd) {
            printError(err, herd);
            return herd.code().kind().exitCode();
        }
        if (exception instanceof CommandLine.ParameterException parameter) {
            err.println("Error: " + parameter.getMessage());
            err.flush();
            return ErrorKind.USER_ERROR.exitCode();
        }
        String message = exception instanceof UncheckedIOException io && io.getCause() != null
                ? io.getCause().getMessage() : exception.getMessage();
        err.println("Error: " + (message == null ? exception.getClass().getSimpleName() : message));
        if (System.getenv(DEBUG_ENV) != null) {
            exception.printStackTrace(err);
        } else {
            err.println("(set " + DEBUG_ENV + "=1 to see the stack trace)");
        }
        err.flush();
        return ErrorKind.INTERNAL.exitCode();
    }

    static void printError(PrintWriter err, HerdException exception) {
        err.println("Error: " + exception.getMessage());
        // A single detail is usually already part of the message ("the job spec has 1 problem: ...").
        boolean detailInMessage = exception.details().size() == 1
                && exception.getMessage() != null
                && exception.getMessage().contains(exception.details().getFirst().message());
        if (!detailInMessage) {
            for (ErrorDetail detail : exception.details()) {
                err.println("  - " + detail);
            }
        }
        if (System.getenv(DEBUG_ENV) != null && exception.code() == ErrorCode.INTERNAL) {
            exception.printStackTrace(err);
        }
        err.flush();
    }
}
