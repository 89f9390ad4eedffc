package io.herd.api;

import java.time.Instant;
import java.util.Locale;

/**
 * Which events a query wants; every field is optional and null matches everything.
 *
 * @param app      an appcode and its subtree: {@code trade} matches {@code trade} and {@code trade_checkout_api},
 *                 not {@code trademark}
 * @param job      a job id {@code app/job}, or a job name alone
 * @param instance an instance id or a prefix of one (as printed shortened by the CLI)
 * @param node     a node name, id, or a prefix of its id
 * @param level    Normal or Warning
 * @param reason   a reason, matched ignoring case
 * @param since    events that last happened at or after this time
 * @param until    events that first happened at or before this time
 */
public record EventFilter(String app, String job, String instance, String node, EventLevel level, String reason,
        Instant since, Instant until) {
    public static final EventFilter ALL = new EventFilter(null, null, null, null, null, null, null, null);

    public EventFilter {
        app = blankToNull(app);
        job = blankToNull(job);
        instance = blankToNull(instance);
        node = blankToNull(node);
        reason = blankToNull(reason);
    }

    public EventFilter withTimes(Instant newSince, Instant newUntil) {
        return new EventFilter(app, job, instance, node, level, reason, newSince, newUntil);
    }

    public boolean matches(Event event) {
        if (level != null && event.level() != level) {
            return false;
        }
        if (reason != null && !reason.equalsIgnoreCase(event.reason())) {
            return false;
        }
        if (since != null && event.last().isBefore(since)) {
            return false;
        }
        if (until != null && event.first().isAfter(until)) {
            return false;
        }
        if (app != null && !inAppSubtree(app, event.app())) {
            return false;
        }
        if (job != null && !matchesJob(event)) {
            return false;
        }
        if (instance != null && (event.instance() == null || !event.instance().startsWith(instance))) {
            return false;
        }
        return node == null || node.equals(event.node())
                || (event.nodeId() != null && event.nodeId().startsWith(node));
    }

    private boolean matchesJob(Event event) {
        if (event.job() == null) {
            return false;
        }
        return job.contains("/") ? job.equals(event.jobId()) : job.equals(event.job());
    }

    /** Whether {@code appcode} is {@code root} or below it in the app tree ({@code root_…}). */
    public static boolean inAppSubtree(String root, String appcode) {
        if (appcode == null) {
            return false;
        }
        String normalizedRoot = root.toLowerCase(Locale.ROOT);
        String normalizedApp = appcode.toLowerCase(Locale.ROOT);
        if (normalizedRoot.endsWith("_")) {
            // "trade_" is how people write "everything under trade"
            return normalizedApp.startsWith(normalizedRoot)
                    || normalizedApp.equals(normalizedRoot.substring(0, normalizedRoot.length() - 1));
        }
        return normalizedApp.equals(normalizedRoot) || normalizedApp.startsWith(normalizedRoot + "_");
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }
}
