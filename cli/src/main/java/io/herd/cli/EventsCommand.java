package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.Event;
import io.herd.api.EventLevel;
import io.herd.api.HerdException;
import io.herd.api.Json;
import io.herd.api.wire.EventStats;
import io.herd.client.HerdClient;
import io.herd.client.HerdClient.EventQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code herd events}: what happened in the cluster (scheduled, started, failed, OOM-killed, node down …), with
 * filters; {@code -f} streams new events, {@code --stats} counts them by reason against the previous period.
 */
@Command(name = "events", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {EventSubscriptionCommands.Subscribe.class, EventSubscriptionCommands.Subscriptions.class,
                EventSubscriptionCommands.Unsubscribe.class},
        description = {
                "List the events of the cluster: every transition of jobs, instances and nodes,",
                "repeats folded into one line with a count. Filters combine; -f streams new events,",
                "--stats counts events by reason and level and compares with the period before.",
        },
        footer = {
                "",
                "Examples:",
                "  herd events --app trade --level warning --since 1h",
                "  herd events --job checkout -f",
                "  herd events --stats --since 24h",
                "  herd events subscribe --url http://alerts:9093/hook --format alertmanager --level warning",
        })
final class EventsCommand implements Callable<Integer> {
    private static final java.time.Duration RECONNECT_PAUSE = java.time.Duration.ofMillis(500);
    private static final DateTimeFormatter STREAM_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Mixin
    OutputFormat output;

    @Option(names = "--app", paramLabel = "APPCODE", description = "Only events of this app and the apps below it.")
    String app;

    @Option(names = "--job", paramLabel = "[APP/]JOB", description = "Only events of this job.")
    String job;

    @Option(names = "--instance", paramLabel = "ID", description = "Only events of this instance (id or id prefix).")
    String instance;

    @Option(names = "--node", paramLabel = "NODE", description = "Only events of this node (name or id).")
    String node;

    @Option(names = "--level", paramLabel = "LEVEL", description = "Only Normal or only Warning events.")
    String level;

    @Option(names = "--reason", paramLabel = "REASON", description = "Only events with this reason (e.g. OOMKilled).")
    String reason;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only events since a time (2026-01-02T15:04:05Z) or a duration ago (1h, 7d); with --stats "
                    + "the period to count (default 24h).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only events until a time or a duration ago.")
    String until;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "500",
            description = "At most the N newest events (default: ${DEFAULT-VALUE}, at most 10000).")
    int limit;

    @Option(names = {"-f", "--follow"}, description = "Stream new events as they happen, until Ctrl-C.")
    boolean follow;

    @Option(names = "--stats", description = "Count events by level and reason, compared with the period before.")
    boolean stats;

    /** The clock ages are shown against; the system's unless a test says otherwise. */
    InstantSource clock = InstantSource.system();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (level != null && EventLevel.parse(level) == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--level must be Normal or Warning, got " + level);
        }
        if (follow && stats) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "-f and --stats do not go together; pick one");
        }
        if (limit < 1) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--limit must be at least 1");
        }
        try (HerdClient client = clientOptions.client()) {
            if (stats) {
                EventQuery query = new EventQuery(app, job, instance, node, level, reason, null, until);
                printStats(client.eventStats(query, since == null ? "24h" : since), out);
            } else if (follow) {
                return followEvents(client, out);
            } else {
                EventQuery query = new EventQuery(app, job, instance, node, level, reason, since, until);
                printList(client.events(query, limit), out);
            }
        }
        out.flush();
        return 0;
    }

    private void printList(List<Event> events, PrintWriter out) {
        if (output.json()) {
            out.println(Json.writePretty(events));
            return;
        }
        if (events.isEmpty()) {
            out.println("No events" + (anyFilter() ? " match." : " yet."));
            return;
        }
        Instant now = clock.instant();
        TableWriter table = new TableWriter("LAST", "LEVEL", "REASON", "OBJECT", "COUNT", "MESSAGE");
        for (Event event : events) {
            table.row(Formats.age(event.last(), now), event.level().wireName(), event.reason(), event.object(),
                    event.count(), event.message());
        }
        table.print(out);
    }

    /**
     * Streams until Ctrl-C. A stream that ends or breaks (a server stopped, a failover) is resumed after the last
     * event seen, on the next address; events are replicated, so none is lost. Gives up after every address failed
     * twice in a row.
     */
    private int followEvents(HerdClient client, PrintWriter out) {
        EventQuery query = new EventQuery(app, job, instance, node, level, reason, null, null);
        PrintWriter err = spec.commandLine().getErr();
        Long last = null;
        int failures = 0;
        HerdException lastFailure = null;
        while (failures < 2 * client.addresses().size()) {
            boolean[] connected = {false};
            try {
                last = client.streamEvents(query, last, () -> {
                    connected[0] = true;
                    err.println("Streaming events from " + client.currentAddress().orElse("?") + " (Ctrl-C to stop)...");
                    err.flush();
                }, event -> {
                    print(event, out);
                    return true;
                });
                lastFailure = new HerdException(ErrorCode.UNAVAILABLE, "the event stream ended (the server stopped?)");
            } catch (HerdException e) {
                if (e.code().kind() != io.herd.api.ErrorKind.UNAVAILABLE) {
                    throw e;
                }
                lastFailure = e;
            }
            failures = connected[0] ? 1 : failures + 1;
            if (Thread.currentThread().isInterrupted()) {
                return 0;
            }
            pause();
        }
        throw new HerdException(ErrorCode.UNAVAILABLE, lastFailure.getMessage()
                + (last == null ? "" : "; the last event seen had sequence " + last));
    }

    private void print(Event event, PrintWriter out) {
        if (output.json()) {
            out.println(Json.write(event));
        } else {
            out.println(STREAM_TIME.format(event.last()) + "  " + pad(event.level().wireName(), 7) + "  "
                    + pad(event.reason(), 16) + "  " + event.object()
                    + (event.count() > 1 ? " (x" + event.count() + ")" : "") + "  " + event.message());
        }
        out.flush();
    }

    private static void pause() {
        try {
            Thread.sleep(RECONNECT_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void printStats(EventStats stats, PrintWriter out) {
        if (output.json()) {
            out.println(Json.writePretty(stats));
            return;
        }
        String period = since == null ? "24h" : since;
        out.println("Events in the last " + period + " (" + STREAM_TIME.format(stats.since()) + " to "
                + STREAM_TIME.format(stats.until()) + "), compared with the " + period + " before:");
        TableWriter table = new TableWriter("LEVEL", "REASON", "COUNT", "PREVIOUS", "CHANGE");
        for (EventStats.Row row : stats.rows()) {
            table.row(row.level(), row.reason(), row.count(), row.previousCount(),
                    change(row.count(), row.previousCount()));
        }
        table.row("", "TOTAL", stats.total(), stats.previousTotal(), change(stats.total(), stats.previousTotal()));
        table.print(out);
    }

    /** {@code +50%}, {@code -100%}, {@code 0%}, or {@code new} when there were none before. */
    static String change(long now, long before) {
        if (before == 0) {
            return now == 0 ? "0%" : "new";
        }
        long percent = Math.round((now - before) * 100.0 / before);
        return (percent > 0 ? "+" : "") + percent + "%";
    }

    private boolean anyFilter() {
        return app != null || job != null || instance != null || node != null || level != null || reason != null
                || since != null || until != null;
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }
}
