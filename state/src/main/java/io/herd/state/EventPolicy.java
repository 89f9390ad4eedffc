package io.herd.state;

import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How long events are kept and how many at most. Every server of a cluster must be given the same policy (as with
 * any setting that shapes replicated state): pruning happens inside apply, by command time, so replicas with the
 * same policy hold the same events.
 *
 * @param retention  events whose last occurrence is older than this (by the time of the command being applied)
 *                   are dropped
 * @param limit      at most this many events are kept; the oldest go first. It bounds memory and snapshot size:
 *                   an event takes about 0.5 KiB of heap and of snapshot
 * @param foldWindow a repeat of an event (same object, reason and message) within this time of the event's first
 *                   occurrence is folded into it; a later repeat starts a new event, so counts stay attributable
 *                   to a period
 */
public record EventPolicy(Duration retention, int limit, Duration foldWindow) {
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_LIMIT = 100_000;
    public static final Duration DEFAULT_FOLD_WINDOW = Duration.ofMinutes(10);
    public static final EventPolicy DEFAULT = new EventPolicy(DEFAULT_RETENTION, DEFAULT_LIMIT, DEFAULT_FOLD_WINDOW);

    public EventPolicy {
        requireNonNull(retention, "retention is null");
        requireNonNull(foldWindow, "foldWindow is null");
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("event retention must be positive, got " + retention);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("the event limit must be at least 1, got " + limit);
        }
    }

    public EventPolicy withRetention(Duration newRetention) {
        return new EventPolicy(newRetention, limit, foldWindow);
    }

    public EventPolicy withLimit(int newLimit) {
        return new EventPolicy(retention, newLimit, foldWindow);
    }
}
