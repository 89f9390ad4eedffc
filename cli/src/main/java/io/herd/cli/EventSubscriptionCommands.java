package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.EventSubscription;
import io.herd.api.HerdException;
import io.herd.api.Json;
import io.herd.api.wire.SubscribeRequest;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code herd events subscribe | subscriptions | unsubscribe}: event webhooks. */
final class EventSubscriptionCommands {
    private EventSubscriptionCommands() {}

    @Command(name = "subscribe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = {
                    "Send matching events to a webhook: POSTed by the leader in order, retried with backoff",
                    "until the receiver answers 2xx, at least once (also across server restarts).",
                    "Formats: json (Herd's events), alertmanager (Alertmanager's webhook payload),",
                    "slack ({\"text\": ...}) and dingtalk (a DingTalk robot's text message).",
            },
            footer = {"", "Example:", "  herd events subscribe --url http://alerts:9093/hook --app trade --level warning"})
    static final class Subscribe implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions clientOptions;

        @Mixin
        OutputFormat output;

        @Option(names = "--url", paramLabel = "URL", required = true, description = "The receiver (http or https).")
        String url;

        @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
                description = "json, alertmanager, slack or dingtalk (default: ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--app", paramLabel = "APPCODE", description = "Only events of this app and the apps below it.")
        String app;

        @Option(names = "--job", paramLabel = "[APP/]JOB", description = "Only events of this job.")
        String job;

        @Option(names = "--instance", paramLabel = "ID", description = "Only events of this instance (id or prefix).")
        String instance;

        @Option(names = "--node", paramLabel = "NODE", description = "Only events of this node (name or id).")
        String node;

        @Option(names = "--level", paramLabel = "LEVEL", description = "Only Normal or only Warning events.")
        String level;

        @Option(names = "--reason", paramLabel = "REASON", description = "Only events with this reason.")
        String reason;

        @Override
        public Integer call() {
            EventLevel parsedLevel = null;
            if (level != null) {
                parsedLevel = EventLevel.parse(level);
                if (parsedLevel == null) {
                    throw new HerdException(ErrorCode.INVALID_ARGUMENT, "--level must be Normal or Warning, got "
                            + level);
                }
            }
            EventFilter filter = new EventFilter(app, job, instance, node, parsedLevel, reason, null, null);
            EventSubscription subscription;
            try (HerdClient client = clientOptions.client()) {
                subscription = client.subscribeEvents(new SubscribeRequest(url, format, filter));
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output.json()) {
                out.println(Json.writePretty(subscription));
            } else {
                out.println("Subscribed " + subscription.id() + ": " + subscription.format().wireName()
                        + " to " + subscription.url() + " for " + describe(subscription.filter())
                        + ", from now on.");
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "subscriptions", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "List the event webhooks and how far each was delivered.")
    static final class Subscriptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions clientOptions;

        @Mixin
        OutputFormat output;

        @Override
        public Integer call() {
            List<EventSubscription> subscriptions;
            try (HerdClient client = clientOptions.client()) {
                subscriptions = client.eventSubscriptions();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (output.json()) {
                out.println(Json.writePretty(subscriptions));
            } else if (subscriptions.isEmpty()) {
                out.println("No event subscriptions. Add one with 'herd events subscribe --url URL'.");
            } else {
                TableWriter table = new TableWriter("ID", "FORMAT", "URL", "EVENTS", "DELIVERED");
                for (EventSubscription subscription : subscriptions) {
                    table.row(subscription.id(), subscription.format().wireName(), subscription.url(),
                            describe(subscription.filter()), subscription.deliveredTime() == null ? "-"
                                    : "up to " + subscription.deliveredSequence() + " at "
                                    + subscription.deliveredTime());
                }
                table.print(out);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "unsubscribe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Remove an event webhook.")
    static final class Unsubscribe implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions clientOptions;

        @Parameters(index = "0", paramLabel = "ID", description = "The subscription (see 'herd events subscriptions').")
        String id;

        @Override
        public Integer call() {
            try (HerdClient client = clientOptions.client()) {
                client.unsubscribeEvents(id);
            }
            spec.commandLine().getOut().println("Unsubscribed " + id + ".");
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code all events}, or {@code Warning events of app trade}. */
    static String describe(EventFilter filter) {
        List<String> parts = new ArrayList<>();
        if (filter.reason() != null) {
            parts.add("reason " + filter.reason());
        }
        if (filter.app() != null) {
            parts.add("app " + filter.app());
        }
        if (filter.job() != null) {
            parts.add("job " + filter.job());
        }
        if (filter.instance() != null) {
            parts.add("instance " + filter.instance());
        }
        if (filter.node() != null) {
            parts.add("node " + filter.node());
        }
        String subject = filter.level() == null ? "events" : filter.level().wireName() + " events";
        return parts.isEmpty() ? (filter.level() == null ? "all events" : subject)
                : subject + " of " + String.join(", ", parts);
    }
}
