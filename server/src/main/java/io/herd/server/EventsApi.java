package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EventLevel;
import io.herd.api.EventSubscription;
import io.herd.api.HerdException;
import io.herd.api.Json;
import io.herd.api.Quantities;
import io.herd.api.WebhookFormat;
import io.herd.api.wire.EventStats;
import io.herd.api.wire.SubscribeRequest;
import io.herd.state.StateStore;
import io.herd.state.SubscribeEvents;
import io.herd.state.UnsubscribeEvents;
import io.herd.state.StateView;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * The events endpoints: {@code GET /v1/events} (a blocking read like the other lists), {@code GET /v1/events/stream}
 * (Server-Sent Events, new events as they are applied) and {@code GET /v1/events/stats} (counts by reason and
 * level against the previous period). Every server answers from its own replica: events are replicated state.
 */
final class EventsApi {
    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 10_000;
    private static final int STREAM_BATCH = 1_000;
    private static final Duration STREAM_KEEP_ALIVE = Duration.ofSeconds(15);
    private static final Duration DEFAULT_STATS_PERIOD = Duration.ofHours(24);
    private static final java.util.regex.Pattern SUBSCRIPTION_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** How HttpApi answers a read that may block on {@code index}/{@code wait}. */
    @FunctionalInterface
    interface BlockingRead {
        void answer(Context ctx, Function<StateView, Object> reader) throws InterruptedException;
    }

    private final StateStore store;
    private final InstantSource clock;

    private EventsApi(StateStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    static void register(RoutesConfig routes, ClusterService service, BlockingRead blockingRead,
            Function<Handler, Handler> write) {
        StateStore store = service.store();
        InstantSource clock = service.clock();
        EventsApi api = new EventsApi(store, clock);
        routes.get("/v1/events/subscriptions", ctx -> blockingRead.answer(ctx, StateView::eventSubscriptions));
        routes.post("/v1/events/subscriptions", write.apply(ctx -> {
            EventSubscription subscription = subscription(ctx);
            service.propose(new SubscribeEvents(subscription, clock.instant()));
            EventSubscription stored = store.read(view -> view.eventSubscriptions().stream()
                    .filter(candidate -> candidate.id().equals(subscription.id())).findFirst().orElseThrow());
            ctx.status(201).contentType("application/json").result(Json.writeBytes(stored));
        }));
        routes.delete("/v1/events/subscriptions/{id}", write.apply(ctx -> {
            String id = ctx.pathParam("id");
            boolean known = store.read(view -> view.eventSubscriptions().stream()
                    .anyMatch(candidate -> candidate.id().equals(id)));
            if (!known) {
                throw new HerdException(ErrorCode.SUBSCRIPTION_NOT_FOUND, "no event subscription " + id
                        + "; list them with 'herd events subscriptions'");
            }
            service.propose(new UnsubscribeEvents(id, clock.instant()));
            ctx.contentType("application/json").result("{}");
        }));
        routes.get("/v1/events", ctx -> {
            EventFilter filter = api.filter(ctx);
            int limit = limit(ctx);
            blockingRead.answer(ctx, view -> view.events(filter, limit));
        });
        routes.get("/v1/events/stats", ctx -> {
            EventStats stats = api.stats(ctx);
            ctx.contentType("application/json").result(Json.writeBytes(stats));
        });
        routes.get("/v1/events/stream", ctx -> {
            // Parsed before the stream opens, so that bad input is a plain 400.
            EventFilter filter = api.filter(ctx);
            Long after = after(ctx);
            // Fixed before the response starts, so that whatever is applied once a client sees the stream open is new.
            long cursor = after != null ? after : store.read(StateView::lastEventSequence);
            new SseHandler(client -> api.stream(client, filter, cursor)).handle(ctx);
        });
    }

    /** A subscription from a request body, with a new id; anything wrong is a 400 that says what. */
    private static EventSubscription subscription(Context ctx) {
        SubscribeRequest request;
        try {
            request = Json.mapper().readValue(ctx.bodyAsBytes(), SubscribeRequest.class);
        } catch (IOException | RuntimeException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the body is not a valid subscription: "
                    + firstLine(e.getMessage()));
        }
        if (request == null || request.url() == null || request.url().isBlank()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "a subscription needs a url");
        }
        URI url;
        try {
            url = new URI(request.url().trim());
        } catch (URISyntaxException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "url is not a URL: " + request.url());
        }
        if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "url must be an http or https URL with a host, got "
                    + request.url());
        }
        WebhookFormat format = request.format() == null ? WebhookFormat.JSON : WebhookFormat.parse(request.format());
        if (format == null) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "format must be json, alertmanager, slack or "
                    + "dingtalk, got " + request.format());
        }
        EventFilter filter = request.filter() == null ? EventFilter.ALL : request.filter().withTimes(null, null);
        String id = request.id() == null ? UUID.randomUUID().toString() : request.id().trim();
        if (!SUBSCRIPTION_ID.matcher(id).matches()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "a subscription id is 1 to 64 letters, digits, '-' "
                    + "and '_', got " + request.id());
        }
        return new EventSubscription(id, url.toString(), format, filter, null, 0, null);
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    /** Sends every matching event changed after the cursor, then waits for the state to move; until the client goes. */
    private void stream(SseClient client, EventFilter filter, long after) {
        long cursor = after;
        client.sendComment("streaming events after " + cursor);
        try {
            while (!client.terminated()) {
                long index = store.index();
                long from = cursor;
                List<Event> batch = store.read(view -> view.eventsAfter(from, filter, STREAM_BATCH));
                for (Event event : batch) {
                    client.sendEvent("event", Json.write(event), Long.toString(event.sequence()));
                    cursor = event.sequence();
                }
                if (batch.size() == STREAM_BATCH) {
                    continue;
                }
                if (store.awaitIndexAfter(index, STREAM_KEEP_ALIVE) <= index) {
                    // Also how a client that went away is noticed: the write fails and the client is terminated.
                    client.sendComment("keep-alive");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            client.close();
        }
    }

    private EventStats stats(Context ctx) {
        Duration period = DEFAULT_STATS_PERIOD;
        String sinceText = ctx.queryParam("since");
        if (sinceText != null) {
            period = Quantities.parseDuration(sinceText).filter(duration -> !duration.isNegative() && !duration.isZero())
                    .orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT,
                            "since must be a duration such as 24h or 7d, got " + sinceText));
        }
        Instant until = clock.instant();
        Instant since = until.minus(period);
        Instant previousSince = since.minus(period);
        EventFilter filter = filter(ctx).withTimes(previousSince, until);
        List<Event> events = store.read(view -> view.events(filter, Integer.MAX_VALUE));
        record Key(String level, String reason) {}
        Map<Key, long[]> counts = new TreeMap<>(Comparator.comparing(Key::level).thenComparing(Key::reason));
        long total = 0;
        long previousTotal = 0;
        for (Event event : events) {
            if (event.last().isBefore(previousSince) || event.last().isAfter(until)) {
                continue;
            }
            boolean current = !event.last().isBefore(since);
            long[] pair = counts.computeIfAbsent(new Key(event.level().wireName(), event.reason()), key -> new long[2]);
            pair[current ? 0 : 1] += event.count();
            if (current) {
                total += event.count();
            } else {
                previousTotal += event.count();
            }
        }
        List<EventStats.Row> rows = new ArrayList<>();
        counts.forEach((key, pair) -> rows.add(new EventStats.Row(key.level(), key.reason(), pair[0], pair[1])));
        rows.sort(Comparator.comparingLong(EventStats.Row::count).reversed()
                .thenComparing(EventStats.Row::level).thenComparing(EventStats.Row::reason));
        return new EventStats(since, until, previousSince, total, previousTotal, rows);
    }

    /** The filter the query parameters describe; a parameter that does not parse is a 400 naming it. */
    private EventFilter filter(Context ctx) {
        String levelText = ctx.queryParam("level");
        EventLevel level = null;
        if (levelText != null && !levelText.isBlank()) {
            level = EventLevel.parse(levelText);
            if (level == null) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "level must be Normal or Warning, got " + levelText);
            }
        }
        return new EventFilter(ctx.queryParam("app"), ctx.queryParam("job"), ctx.queryParam("instance"),
                ctx.queryParam("node"), level, ctx.queryParam("reason"), time(ctx, "since"), time(ctx, "until"));
    }

    /** A time parameter: an instant ({@code 2026-01-02T03:04:05Z}) or a duration back from now ({@code 1h}). */
    private Instant time(Context ctx, String name) {
        String text = ctx.queryParam(name);
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException notAnInstant) {
            return Quantities.parseDuration(text.trim()).filter(duration -> !duration.isNegative())
                    .map(duration -> clock.instant().minus(duration))
                    .orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT, name
                            + " must be a time such as 2026-01-02T15:04:05Z or a duration back from now such as 1h, got "
                            + text));
        }
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit < 1) {
                throw new NumberFormatException();
            }
            return Math.min(limit, MAX_LIMIT);
        } catch (NumberFormatException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "limit must be a whole number of 1 or more, got " + text);
        }
    }

    /** Where a stream resumes: {@code after} or the SSE {@code Last-Event-ID} header; null for "from now". */
    private static Long after(Context ctx) {
        String text = ctx.queryParam("after");
        if (text == null || text.isBlank()) {
            text = ctx.header("Last-Event-ID");
        }
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "after must be an event sequence number, got " + text);
        }
    }
}
