package io.herd.api.wire;

import io.herd.api.EventFilter;

/**
 * {@code POST /v1/events/subscriptions}: a webhook {@code url} (http or https), a {@code format} (json,
 * alertmanager, slack, dingtalk; default json) and which events ({@code filter}; default all). {@code id} is
 * optional (letters, digits, '-', '_', at most 64): given, the request is idempotent, so a client may resend it
 * when the answer was lost; the same id again with the same settings changes nothing, with other settings
 * replaces the subscription.
 */
public record SubscribeRequest(String id, String url, String format, EventFilter filter) {
    public SubscribeRequest(String url, String format, EventFilter filter) {
        this(null, url, format, filter);
    }

    public SubscribeRequest withId(String newId) {
        return new SubscribeRequest(newId, url, format, filter);
    }
}
