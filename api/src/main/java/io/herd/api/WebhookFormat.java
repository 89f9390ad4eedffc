package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * The body an event webhook is sent as: {@code json} (Herd's own: the events as the API lists them),
 * {@code alertmanager} (the Alertmanager webhook payload, for receivers written for Alertmanager),
 * {@code slack} ({@code {"text": …}}, Slack-style incoming webhooks) or {@code dingtalk} (a DingTalk robot's
 * {@code {"msgtype": "text", …}}).
 */
public enum WebhookFormat {
    JSON, ALERTMANAGER, SLACK, DINGTALK;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Null for an unknown name. */
    public static WebhookFormat parse(String text) {
        if (text == null) {
            return null;
        }
        for (WebhookFormat format : values()) {
            if (format.wireName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        return null;
    }

    @JsonCreator
    static WebhookFormat fromWireName(String name) {
        WebhookFormat format = parse(name);
        if (format == null) {
            throw new IllegalArgumentException("not a webhook format: " + name);
        }
        return format;
    }
}
