package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** The leader delivered a webhook's events up to {@code sequence}: its replicated cursor moves on. */
public record AckEvents(String subscriptionId, long sequence, Instant time) implements Command {
    public AckEvents {
        requireNonNull(subscriptionId, "subscriptionId is null");
        requireNonNull(time, "time is null");
    }
}
