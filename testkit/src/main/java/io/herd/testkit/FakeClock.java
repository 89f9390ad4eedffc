package io.herd.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * A clock that only moves when a test moves it. Thread-safe: the code under test may read it from other threads
 * while the test advances it.
 */
public final class FakeClock implements InstantSource {
    /** Where every fake clock starts unless told otherwise, so test output is stable from run to run. */
    public static final Instant DEFAULT_START = Instant.parse("2025-01-01T00:00:00Z");

    private final AtomicReference<Instant> now;

    public FakeClock() {
        this(DEFAULT_START);
    }

    public FakeClock(Instant start) {
        this.now = new AtomicReference<>(requireNonNull(start, "start is null"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    public void set(Instant instant) {
        now.set(requireNonNull(instant, "instant is null"));
    }

    /** Moves the clock forward (or back, for a negative duration) and returns the new time. */
    public Instant advance(Duration duration) {
        requireNonNull(duration, "duration is null");
        return now.updateAndGet(current -> current.plus(duration));
    }

    @Override
    public String toString() {
        return "FakeClock[" + now.get() + "]";
    }
}
