package io.herd.api.wire;

import java.time.Instant;
import java.util.List;

/**
 * Counts of events by reason and level in a period, beside the counts of the period of equal length before it.
 * An event folded from repeats counts with its {@code count}, in the period of its last occurrence.
 */
public record EventStats(Instant since, Instant until, Instant previousSince, long total, long previousTotal,
        List<Row> rows) {
    public EventStats {
        rows = rows == null ? List.of() : List.copyOf(rows);
    }

    /** One reason at one level: how often now, and how often in the previous period. */
    public record Row(String level, String reason, long count, long previousCount) {}
}
