package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** Remove an event webhook. */
public record UnsubscribeEvents(String subscriptionId, Instant time) implements Command {
    public UnsubscribeEvents {
        requireNonNull(subscriptionId, "subscriptionId is null");
        requireNonNull(time, "time is null");
    }
}
