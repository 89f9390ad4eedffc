package io.herd.state;

import io.herd.api.Event;
import io.herd.api.EventSubscription;

import java.util.List;

/**
 * The events part of a snapshot: every kept event in the order of its latest change, and the next sequence number
 * to give out (sequences of pruned events are never reused, so a stream's cursor stays meaningful), and the
 * event webhooks with their delivery cursors, by id.
 */
public record EventData(long nextSequence, List<Event> events, List<EventSubscription> subscriptions) {
    public EventData {
        events = events == null ? List.of() : List.copyOf(events);
        subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
    }

    public static EventData empty() {
        return new EventData(1, List.of(), List.of());
    }
}
