package io.herd.api;

import java.util.Locale;

/**
 * Borg's priority bands. A pending instance may preempt instances of a strictly lower band only: production never
 * evicts production, and nothing evicts its own band or a higher one; best-effort evicts nothing.
 */
public enum PriorityBand {
    BEST_EFFORT, BATCH, PRODUCTION, SYSTEM;

    public static PriorityBand of(int priority) {
        if (priority < 100) {
            return BEST_EFFORT;
        }
        if (priority < 200) {
            return BATCH;
        }
        return priority < 300 ? PRODUCTION : SYSTEM;
    }

    /** Whether an instance of priority {@code preemptor} may evict one of priority {@code victim}. */
    public static boolean mayPreempt(int preemptor, int victim) {
        return of(victim).compareTo(of(preemptor)) < 0;
    }

    /** {@code best-effort}, {@code batch}, {@code production}, {@code system}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
