package io.herd.bench;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code bench/run NAME [--flag value]...}: runs one benchmark, logs progress on stderr and prints its figures as
 * one line of JSON, the last line on stdout. {@code jmh} hands the remaining arguments to JMH.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        PrintStream log = System.err;
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            log.println("usage: bench/run scale|compaction|openb|hollow|events|usage [--flag value]...   or   bench/run jmh [JMH options]");
            System.exit(args.length == 0 ? 2 : 0);
        }
        String name = args[0];
        if (name.equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Figures figures;
        try {
            Options options = Options.parse(args, 1);
            figures = switch (name) {
                case "scale" -> ScaleBenchmark.run(options, log);
                case "compaction" -> CompactionBenchmark.run(options, log);
                case "openb" -> OpenbBenchmark.run(options, log);
                case "hollow" -> HollowBenchmark.run(options, log);
                case "events" -> EventLoadBenchmark.run(options, log);
                case "usage" -> UsageEncodingBenchmark.run(options, log);
                default -> throw new IllegalArgumentException("unknown benchmark " + name
                        + " (scale, compaction, openb, hollow, events, usage, jmh)");
            };
        } catch (IllegalArgumentException e) {
            log.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(figures.toJson());
        System.out.flush();
        // Fenzo's executor threads are shut down, but a stray non-daemon thread must not keep the run alive.
        System.exit(0);
    }
}
