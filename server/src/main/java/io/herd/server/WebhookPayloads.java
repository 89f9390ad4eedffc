package io.herd.server;

import io.herd.api.Event;
import io.herd.api.EventLevel;
import io.herd.api.EventSubscription;
import io.herd.api.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The bodies an event webhook is sent as, one per {@link io.herd.api.WebhookFormat}; see docs/api.md. */
final class WebhookPayloads {
    private WebhookPayloads() {}

    static byte[] body(EventSubscription subscription, List<Event> events) {
        return Json.writeBytes(switch (subscription.format()) {
            case JSON -> Map.of("subscription", subscription.id(), "events", events);
            case ALERTMANAGER -> alertmanager(subscription, events);
            case SLACK -> Map.of("text", text(events));
            case DINGTALK -> Map.of("msgtype", "text", "text", Map.of("content", text(events)));
        });
    }

    /**
     * The Alertmanager webhook payload (version 4): one firing alert per event, {@code alertname} its reason,
     * {@code severity} {@code warning} or {@code info}, the objects as labels, the message as summary.
     */
    private static Map<String, Object> alertmanager(EventSubscription subscription, List<Event> events) {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Event event : events) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("alertname", event.reason());
            labels.put("severity", event.level() == EventLevel.WARNING ? "warning" : "info");
            labels.put("object", event.object());
            putIfPresent(labels, "app", event.app());
            putIfPresent(labels, "job", event.job());
            putIfPresent(labels, "group", event.group());
            putIfPresent(labels, "instance", event.instance());
            putIfPresent(labels, "node", event.node());
            Map<String, Object> alert = new LinkedHashMap<>();
            alert.put("status", "firing");
            alert.put("labels", labels);
            alert.put("annotations", Map.of("summary", event.message(), "count", Long.toString(event.count())));
            alert.put("startsAt", event.first().toString());
            alert.put("endsAt", "0001-01-01T00:00:00Z");
            alert.put("fingerprint", Long.toHexString(event.id()));
            alerts.add(alert);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", "4");
        body.put("groupKey", "herd/" + subscription.id());
        body.put("status", "firing");
        body.put("receiver", subscription.id());
        body.put("groupLabels", Map.of());
        body.put("commonLabels", Map.of());
        body.put("commonAnnotations", Map.of());
        body.put("externalURL", "");
        body.put("truncatedAlerts", 0);
        body.put("alerts", alerts);
        return body;
    }

    /** One line per event: {@code [Warning] OOMKilled instance/app/job.web[0] (x3): message}. */
    static String text(List<Event> events) {
        return events.stream().map(event -> "[" + event.level().wireName() + "] " + event.reason() + " "
                        + event.object() + (event.count() > 1 ? " (x" + event.count() + ")" : "") + ": "
                        + event.message())
                .collect(Collectors.joining("\n"));
    }

    private static void putIfPresent(Map<String, String> labels, String name, String value) {
        if (value != null) {
            labels.put(name, value);
        }
    }
}
