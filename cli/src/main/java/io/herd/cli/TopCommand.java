package io.herd.cli;

import io.herd.api.Json;
import io.herd.api.wire.UsageResponse;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code herd top [JOB]}, {@code herd top --nodes}: cpu and memory now and over the last minutes, per instance (or
 * task, job, app, node), from the servers' usage history ({@code GET /v1/usage}).
 */
@Command(name = "top", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Show cpu and memory of instances (or tasks, jobs, apps) or of nodes: the latest",
                "sample, and the average and maximum over the last minutes (--since, default 5m).",
                "Agents report every 10 s; the servers keep the history (7 days by default).",
        },
        footer = {
                "",
                "Examples:",
                "  herd top                      every instance of the cluster",
                "  herd top demo/web -w          the instances of one job, refreshed every 10 s",
                "  herd top --app trade --by job the jobs of app trade and the apps below it",
                "  herd top --nodes              the machines",
                "  herd top demo/web --since 1h  averages and peaks over the last hour",
        })
final class TopCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB",
            description = "Only this job: app/job, or a job name that is unique across apps.")
    String job;

    @Option(names = "--nodes", description = "Show the nodes' own usage (the whole machine) instead of tasks'.")
    boolean nodes;

    @Option(names = "--app", paramLabel = "APPCODE", description = "Only this app and the apps below it.")
    String app;

    @Option(names = "--node", paramLabel = "NODE", description = "Only tasks on this node (name or id), or this node.")
    String node;

    @Option(names = "--instance", paramLabel = "INSTANCE", description = "Only this instance (id or name).")
    String instance;

    @Option(names = "--by", paramLabel = "GROUP", defaultValue = "instance",
            description = "One row per task, instance, job, app or node (tasks summed); default instance.")
    String by;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "5m",
            description = "The window of the averages and maxima (default 5m; up to the retention, 7d by default).")
    String since;

    @Option(names = "--agg", paramLabel = "AGG", defaultValue = "avg",
            description = "How samples within a step are reduced before the window's average and maximum: avg "
                    + "(default), max (true peaks), min, p95 or last.")
    String aggregation;

    @Option(names = "--step", paramLabel = "DURATION",
            description = "The width of a point (default: the window / 360, at least 10s); with -o json, the points "
                    + "are the series over the window.")
    String step;

    @Option(names = {"-w", "--watch"}, description = "Refresh until interrupted (Ctrl-C).")
    boolean watch;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often --watch refreshes (default 10s, the agents' interval).")
    String interval;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Duration refresh = io.herd.api.Quantities.parseDuration(interval).filter(value -> value.toMillis() >= 100)
                .orElseThrow(() -> new io.herd.api.HerdException(io.herd.api.ErrorCode.INVALID_ARGUMENT,
                        "--interval must be a duration such as 10s, got " + interval));
        if (io.herd.api.Quantities.parseDuration(since).isEmpty()) {
            throw new io.herd.api.HerdException(io.herd.api.ErrorCode.INVALID_ARGUMENT,
                    "--since must be a duration such as 5m, 1h or 7d, got " + since);
        }
        try (HerdClient client = clientOptions.client()) {
            String jobId = job == null ? null : job.contains("/") ? job : client.resolveJobId(job);
            HerdClient.UsageQuery query = new HerdClient.UsageQuery(nodes ? "node" : "task", app, jobId, instance,
                    node, since, null, step, aggregation, nodes ? "node" : by);
            boolean clear = watch && System.console() != null && !output.json();
            while (true) {
                UsageResponse usage = client.usage(query);
                if (clear) {
                    out.print("\033[H\033[2J");
                }
                print(out, usage, Instant.now());
                out.flush();
                if (!watch) {
                    return 0;
                }
                Thread.sleep(refresh);
                if (!clear && !output.json()) {
                    out.println();
                }
            }
        }
    }

    private void print(PrintWriter out, UsageResponse usage, Instant now) {
        if (output.json()) {
            out.println(Json.writePretty(usage));
            return;
        }
        if (usage.series().isEmpty()) {
            out.println("No usage in the last " + since + (job == null ? "" : " for " + job)
                    + ". Agents report every 10 s: a new task shows up within about 12 s.");
            return;
        }
        String window = since.toUpperCase(Locale.ROOT);
        String what = usage.by().toUpperCase(Locale.ROOT);
        boolean withNode = usage.by().equals("instance") || usage.by().equals("task");
        TableWriter table = withNode
                ? new TableWriter(what, "NODE", "CPU", "CPU AVG " + window, "CPU MAX " + window, "MEMORY",
                        "MEM AVG " + window, "MEM MAX " + window, "SEEN")
                : new TableWriter(what, "CPU", "CPU AVG " + window, "CPU MAX " + window, "MEMORY",
                        "MEM AVG " + window, "MEM MAX " + window, "SEEN");
        double totalCpu = 0;
        long totalMemory = 0;
        List<UsageResponse.Series> sorted = usage.series().stream()
                .sorted(Comparator.comparing(series -> name(usage.by(), series.labels()))).toList();
        for (UsageResponse.Series series : sorted) {
            UsageResponse.Summary summary = series.summary();
            String name = name(usage.by(), series.labels());
            // the newest point is the start of its step: the sample itself is up to one step later
            String seen = Formats.age(summary.latestTime(), now) + " ago";
            Object[] values = {cores(summary.latestCpuCores()), cores(summary.avgCpuCores()),
                    cores(summary.maxCpuCores()), Formats.size(summary.latestMemoryBytes()),
                    Formats.size(summary.avgMemoryBytes()), Formats.size(summary.maxMemoryBytes()), seen};
            if (withNode) {
                table.row(name, series.labels().getOrDefault("node_name", ""), values[0], values[1], values[2],
                        values[3], values[4], values[5], values[6]);
            } else {
                table.row(name, values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
            }
            totalCpu += summary.latestCpuCores();
            totalMemory += summary.latestMemoryBytes();
        }
        table.print(out);
        if (usage.series().size() > 1) {
            out.printf("%s: cpu %s, memory %s%n", Formats.plural(usage.series().size(), usage.by()), cores(totalCpu),
                    Formats.size(totalMemory));
        }
    }

    private static String name(String by, Map<String, String> labels) {
        return switch (by) {
            case "task" -> labels.getOrDefault("instance_name", labels.get("instance")) + "/" + labels.get("task");
            case "instance" -> labels.getOrDefault("instance_name", labels.getOrDefault("instance", ""));
            case "job" -> labels.get("app") + "/" + labels.get("job");
            case "app" -> labels.getOrDefault("app", "");
            default -> labels.getOrDefault("node_name", labels.getOrDefault("node", ""));
        };
    }

    /** CPU as kubectl top shows it: millicores. */
    static String cores(double cores) {
        return Math.round(cores * 1000) + "m";
    }
}
