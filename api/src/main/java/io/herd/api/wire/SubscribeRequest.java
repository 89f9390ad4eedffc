package io.herd.api.wire;

import io.herd.api.EventFilter;

/**
 * {@code POST /v1/events/subscriptions}: a webhook {@code url} (http or https), a {@code format} (json,
 * alertmanager, slack, dingtalk; default json) and which events ({@code filter}; default all).
 */
public record SubscribeRequest(String url, String format, EventFilter filter) {}
