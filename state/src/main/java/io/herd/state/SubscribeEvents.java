package io.herd.state;

import io.herd.api.EventSubscription;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Add (or replace, by id) an event webhook. Apply starts its delivery cursor at the newest event then: a new
 * subscription receives events from the moment it was committed on.
 */
public record SubscribeEvents(EventSubscription subscription, Instant time) implements Command {
    public SubscribeEvents {
        requireNonNull(subscription, "subscription is null");
        requireNonNull(time, "time is null");
    }
}
