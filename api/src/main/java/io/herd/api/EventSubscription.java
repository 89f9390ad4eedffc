package io.herd.api;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A webhook for events: the leader POSTs every event matching {@code filter} (its {@code since}/{@code until}
 * are not used) to {@code url} in {@code format}, in order, at least once: {@code deliveredSequence} (replicated)
 * moves on only after the receiver answered 2xx, so a failed delivery is retried with backoff, also by the next
 * leader after a failover or restart. Events pruned (retention, limit) before they could be delivered are lost.
 *
 * @param deliveredSequence every matching event changed up to this sequence was delivered
 */
public record EventSubscription(String id, String url, WebhookFormat format, EventFilter filter, Instant createTime,
        long deliveredSequence, Instant deliveredTime) {
    public EventSubscription {
        requireNonNull(id, "id is null");
        requireNonNull(url, "url is null");
        format = format == null ? WebhookFormat.JSON : format;
        filter = filter == null ? EventFilter.ALL : filter;
    }

    public EventSubscription delivered(long sequence, Instant time) {
        return new EventSubscription(id, url, format, filter, createTime, Math.max(deliveredSequence, sequence),
                time);
    }

    public EventSubscription startingAt(long sequence, Instant time) {
        return new EventSubscription(id, url, format, filter, time, sequence, null);
    }
}
