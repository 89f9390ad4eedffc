package io.herd.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What one {@code herd} command printed and answered, run in this JVM against a server the way a user runs it from
 * a shell (with {@code --address}). Line separators are normalised to {@code \n}.
 */
record CliResult(int exitCode, String out, String err) {
    static CliResult run(String address, String... args) {
        return run(address, CommandLine.defaultFactory(), args);
    }

    /** With {@code factory} creating the commands, for tests that hand a command a fake (a log sink, a prompter). */
    static CliResult run(String address, CommandLine.IFactory factory, String... args) {
        String[] withAddress = new String[args.length + 2];
        System.arraycopy(args, 0, withAddress, 0, args.length);
        withAddress[args.length] = "--address";
        withAddress[args.length + 1] = address;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.run(withAddress, new PrintWriter(out), new PrintWriter(err), factory);
        return new CliResult(exitCode, out.toString().replace(System.lineSeparator(), "\n"),
                err.toString().replace(System.lineSeparator(), "\n"));
    }
}
