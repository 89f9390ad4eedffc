package io.herd.server;

import io.herd.api.Event;
import io.herd.api.EventSubscription;
import io.herd.api.HerdException;
import io.herd.state.AckEvents;
import io.herd.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Leader work: sends each event webhook the events it has not had yet, in order, in batches, and records what
 * was delivered through Raft ({@link AckEvents}) only after the receiver answered 2xx. A failure is retried with
 * backoff doubling from 1 s to 5 minutes; the cursor is replicated, so a new leader (after a failover or a
 * restart) goes on where the old one was acknowledged: delivery is at least once, never lost while the events
 * are kept. Receivers are served one after another, each request bounded by a timeout.
 */
final class WebhookDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    static final int BATCH = 100;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final StateStore store;
    private final RaftNode raft;
    private final InstantSource clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Thread thread;
    private volatile boolean running = true;
    /** Per subscription: when the next attempt may be made and the backoff after another failure. Thread-confined. */
    private final Map<String, Retry> retries = new HashMap<>();

    private record Retry(Instant notBefore, Duration backoff) {}

    WebhookDelivery(StateStore store, RaftNode raft, InstantSource clock) {
        this.store = store;
        this.raft = raft;
        this.clock = clock;
        this.thread = Thread.ofVirtual().name("webhook-delivery").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                long index = store.index();
                boolean more = false;
                for (EventSubscription subscription : store.read(view -> view.eventSubscriptions())) {
                    more |= deliver(subscription);
                }
                retries.keySet().retainAll(store.read(view -> view.eventSubscriptions().stream()
                        .map(EventSubscription::id).toList()));
                if (!more) {
                    store.awaitIndexAfter(index, IDLE_WAIT);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("webhook delivery: {}", e.toString());
                try {
                    Thread.sleep(IDLE_WAIT.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Sends one batch if one is due; true when a full batch went out (there may be more right away). */
    private boolean deliver(EventSubscription subscription) throws InterruptedException {
        Retry retry = retries.get(subscription.id());
        if (retry != null && clock.instant().isBefore(retry.notBefore())) {
            return false;
        }
        List<Event> batch = store.read(view -> view.eventsAfter(subscription.deliveredSequence(),
                subscription.filter().withTimes(null, null), BATCH));
        if (batch.isEmpty()) {
            return false;
        }
        long last = batch.getLast().sequence();
        String failure;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(subscription.url()))
                    .timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/json")
                    .header("X-Herd-Subscription", subscription.id())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(WebhookPayloads.body(subscription, batch)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            failure = response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            failure = e.toString();
        }
        if (failure != null) {
            Duration backoff = retry == null ? FIRST_BACKOFF : min(retry.backoff().multipliedBy(2), MAX_BACKOFF);
            retries.put(subscription.id(), new Retry(clock.instant().plus(backoff), backoff));
            LOG.warn("webhook {} to {} failed ({}); retrying in {}", subscription.id(), subscription.url(), failure,
                    backoff);
            return false;
        }
        retries.remove(subscription.id());
        try {
            raft.propose(new AckEvents(subscription.id(), last, clock.instant()));
        } catch (HerdException e) {
            // Not recorded: the batch goes out again (at least once), from this leader or the next.
            LOG.info("webhook {}: cannot record delivery up to {}: {}", subscription.id(), last, e.getMessage());
            return false;
        }
        return batch.size() == BATCH;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        http.close();
    }
}
