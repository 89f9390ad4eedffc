package io.herd.state;

import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.EventSubscription;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The events of a {@link ClusterState}: kept in the order of their latest change (a sequence number every replica
 * gives out the same way, since it follows the log), folded when they repeat, pruned by age and count under an
 * {@link EventPolicy}. Like the rest of the state it is deterministic: it never reads the clock, only the times of
 * the commands that produce events.
 *
 * <p>Not thread-safe: the owning state's lock covers it.
 */
final class EventLog {
    private final EventPolicy policy;
    /** Every kept event by the sequence of its latest change. */
    private final NavigableMap<Long, Event> bySequence = new TreeMap<>();
    /**
     * The sequence of the newest event per fold key. Only looked up, never iterated, so a hash map keeps apply
     * deterministic.
     */
    private final Map<FoldKey, Long> latestByKey = new HashMap<>();
    private long nextSequence = 1;
    private final NavigableMap<String, EventSubscription> subscriptions = new TreeMap<>();

    EventLog(EventPolicy policy) {
        this.policy = requireNonNull(policy, "policy is null");
    }

    /** What makes two events "the same" for folding; the instance id keeps replacements of one index apart. */
    private record FoldKey(String object, String instance, String reason, String message) {
        static FoldKey of(Event event) {
            return new FoldKey(event.object(), event.instance(), event.reason(), event.message());
        }
    }

    /** A derived event before it is stored: everything but id, sequence, count and times. */
    record Draft(EventLevel level, String reason, String kind, String object, String message, String app, String job,
            String group, String instance, String nodeId, String node) {}

    EventPolicy policy() {
        return policy;
    }

    /** Stores one occurrence at {@code time}: folded into the same event when it is recent enough, else new. */
    void record(Draft draft, Instant time) {
        long sequence = nextSequence++;
        FoldKey key = new FoldKey(draft.object(), draft.instance(), draft.reason(), draft.message() == null ? ""
                : draft.message());
        Long latest = latestByKey.get(key);
        if (latest != null) {
            Event existing = bySequence.get(latest);
            if (existing != null && !time.isAfter(existing.first().plus(policy.foldWindow()))) {
                bySequence.remove(latest);
                bySequence.put(sequence, existing.repeated(sequence, time));
                latestByKey.put(key, sequence);
                return;
            }
        }
        Event event = new Event(sequence, sequence, draft.level(), draft.reason(), draft.kind(), draft.object(),
                draft.message(), 1, time, time, draft.app(), draft.job(), draft.group(), draft.instance(),
                draft.nodeId(), draft.node());
        bySequence.put(sequence, event);
        latestByKey.put(key, sequence);
    }

    /**
     * Drops events last seen before {@code time} minus the retention, then the oldest beyond the limit. Walks from
     * the oldest change and stops at the first event still kept, so it costs nothing when nothing is due.
     */
    void prune(Instant time) {
        Instant cutoff = time.minus(policy.retention());
        while (!bySequence.isEmpty()) {
            Map.Entry<Long, Event> oldest = bySequence.firstEntry();
            if (bySequence.size() <= policy.limit() && !oldest.getValue().last().isBefore(cutoff)) {
                return;
            }
            remove(oldest.getKey(), oldest.getValue());
        }
    }

    private void remove(long sequence, Event event) {
        bySequence.remove(sequence);
        latestByKey.remove(FoldKey.of(event), sequence);
    }

    int size() {
        return bySequence.size();
    }

    /** The newest {@code limit} events matching {@code filter}, oldest first. */
    List<Event> newest(EventFilter filter, int limit) {
        List<Event> found = new ArrayList<>();
        for (Event event : bySequence.descendingMap().values()) {
            if (found.size() >= limit) {
                break;
            }
            if (filter.matches(event)) {
                found.add(event);
            }
        }
        Collections.reverse(found);
        return found;
    }

    /** Up to {@code limit} events matching {@code filter} that changed after {@code sequence}, oldest first. */
    List<Event> after(long sequence, EventFilter filter, int limit) {
        List<Event> found = new ArrayList<>();
        for (Event event : bySequence.tailMap(sequence, false).values()) {
            if (found.size() >= limit) {
                break;
            }
            if (filter.matches(event)) {
                found.add(event);
            }
        }
        return found;
    }

    /** The sequence of the latest change so far; 0 before the first event. */
    long lastSequence() {
        return nextSequence - 1;
    }

    // ------------------------------------------------------------------------------------------ webhooks

    ApplyResult subscribe(long index, SubscribeEvents command) {
        EventSubscription existing = subscriptions.get(command.subscription().id());
        if (existing != null && existing.url().equals(command.subscription().url())
                && existing.format() == command.subscription().format()
                && existing.filter().equals(command.subscription().filter())) {
            // A resent request: the cursor stays where it is.
            return ApplyResult.unchanged(index, "event subscription " + existing.id() + " unchanged");
        }
        EventSubscription subscription = command.subscription().startingAt(lastSequence(), command.time());
        subscriptions.put(subscription.id(), subscription);
        return new ApplyResult(index, true, 0, List.of(), "event subscription " + subscription.id() + " added");
    }

    ApplyResult unsubscribe(long index, UnsubscribeEvents command) {
        boolean removed = subscriptions.remove(command.subscriptionId()) != null;
        return removed
                ? new ApplyResult(index, true, 0, List.of(), "event subscription " + command.subscriptionId()
                        + " removed")
                : ApplyResult.unchanged(index, "event subscription not found");
    }

    ApplyResult acknowledge(long index, AckEvents command) {
        EventSubscription subscription = subscriptions.get(command.subscriptionId());
        if (subscription == null) {
            return ApplyResult.unchanged(index, "event subscription not found");
        }
        if (command.sequence() <= subscription.deliveredSequence()) {
            return ApplyResult.unchanged(index, "already delivered");
        }
        subscriptions.put(subscription.id(), subscription.delivered(command.sequence(), command.time()));
        return new ApplyResult(index, true, 0, List.of(), "delivered up to " + command.sequence());
    }

    List<EventSubscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    EventData toData() {
        return new EventData(nextSequence, List.copyOf(bySequence.values()), List.copyOf(subscriptions.values()));
    }

    static EventLog fromData(EventData data, EventPolicy policy) {
        EventLog log = new EventLog(policy);
        if (data == null) {
            return log;
        }
        for (Event event : data.events()) {
            log.bySequence.put(event.sequence(), event);
            log.nextSequence = Math.max(log.nextSequence, event.sequence() + 1);
        }
        // In sequence order, so the newest event of a key wins, as it did when they were recorded.
        for (Map.Entry<Long, Event> entry : log.bySequence.entrySet()) {
            log.latestByKey.put(FoldKey.of(entry.getValue()), entry.getKey());
        }
        log.nextSequence = Math.max(log.nextSequence, data.nextSequence());
        for (EventSubscription subscription : data.subscriptions()) {
            log.subscriptions.put(subscription.id(), subscription);
        }
        return log;
    }
}
