package io.herd.server;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Json;
import io.herd.api.Quantities;
import io.herd.api.wire.UsageReport;
import io.herd.state.usage.UsageHistory;
import io.herd.state.usage.UsageQuery;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The usage endpoints: {@code POST /v1/nodes/{id}/usage}, where agents send what they measured (a write: a
 * follower forwards it to the leader, which batches it into the replicated history), and {@code GET /v1/usage},
 * answered by any server from its own replica of the history without the state lock.
 */
final class UsageApi {
    /** Points a query answers by default when no step is given: the step grows with the range. */
    static final int DEFAULT_POINTS = 360;
    static final Duration DEFAULT_RANGE = Duration.ofHours(1);
    /** The agents' interval: a finer step only shows gaps. */
    static final long MIN_DEFAULT_STEP_SECONDS = 10;

    private UsageApi() {}

    static void register(RoutesConfig routes, ClusterService service, Function<Handler, Handler> write) {
        routes.post("/v1/nodes/{id}/usage", write.apply(ctx -> {
            UsageReport report;
            try {
                report = Json.mapper().readValue(ctx.bodyAsBytes(), UsageReport.class);
            } catch (IOException | RuntimeException e) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the request body is not a valid usage report: "
                        + firstLine(e.getMessage()));
            }
            int accepted = service.recordUsage(ctx.pathParam("id"), report);
            ctx.status(202).contentType("application/json").result(Json.writeBytes(Map.of("accepted", accepted)));
        }));
        routes.get("/v1/usage", ctx -> {
            UsageHistory history = service.store().usage();
            if (!history.enabled()) {
                throw new HerdException(ErrorCode.CONFLICT, "the usage history is off on this server "
                        + "(herd server --usage-retention 0); scrape /metrics with Prometheus instead");
            }
            UsageQuery query = query(ctx, service.clock());
            ctx.contentType("application/json").result(Json.writeBytes(query.answer(history)));
        });
    }

    /** Reads the query parameters; every mistake is a 400 that says what is expected. */
    static UsageQuery query(Context ctx, InstantSource clock) {
        Instant now = clock.instant();
        Instant to = time(ctx.queryParam("to"), "to", now);
        if (to == null) {
            to = now;
        }
        String fromText = ctx.queryParam("from") != null ? ctx.queryParam("from") : ctx.queryParam("since");
        Instant from = time(fromText, "from", now);
        if (from == null) {
            from = to.minus(DEFAULT_RANGE);
        }
        if (from.isAfter(to)) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "from (" + from + ") is after to (" + to + ")");
        }
        long range = to.getEpochSecond() - from.getEpochSecond();
        long step;
        String stepText = ctx.queryParam("step");
        if (stepText != null && !stepText.isBlank()) {
            step = Quantities.parseDuration(stepText.trim()).filter(duration -> duration.toSeconds() >= 1)
                    .map(Duration::toSeconds).orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT,
                            "step must be a duration of at least 1s such as 10s or 5m, got " + stepText));
        } else {
            long wanted = (range + DEFAULT_POINTS - 1) / DEFAULT_POINTS;
            step = Math.max(MIN_DEFAULT_STEP_SECONDS,
                    (wanted + MIN_DEFAULT_STEP_SECONDS - 1) / MIN_DEFAULT_STEP_SECONDS * MIN_DEFAULT_STEP_SECONDS);
        }
        UsageQuery.Aggregation aggregation = choice(ctx.queryParam("agg"), "agg", UsageQuery.Aggregation.class,
                UsageQuery.Aggregation.AVG);
        UsageQuery.GroupBy by = choice(ctx.queryParam("by"), "by", UsageQuery.GroupBy.class,
                UsageQuery.GroupBy.INSTANCE);
        String kind = ctx.queryParam("kind");
        if (kind != null && !kind.equals("task") && !kind.equals("node")) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "kind must be task or node, got " + kind);
        }
        try {
            return new UsageQuery("node".equals(kind), blankToNull(ctx.queryParam("app")),
                    blankToNull(ctx.queryParam("job")), blankToNull(ctx.queryParam("instance")),
                    blankToNull(ctx.queryParam("node")), from.getEpochSecond(), to.getEpochSecond(), step,
                    aggregation, by);
        } catch (IllegalArgumentException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private static <E extends Enum<E>> E choice(String text, String name, Class<E> type, E fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                allowed.append(allowed.isEmpty() ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
            }
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, name + " must be one of " + allowed + ", got " + text);
        }
    }

    /** An instant ({@code 2026-01-02T03:04:05Z}) or a duration back from now ({@code 1h}); null when absent. */
    private static Instant time(String text, String name, Instant now) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException notAnInstant) {
            return Quantities.parseDuration(text.trim()).filter(duration -> !duration.isNegative())
                    .map(now::minus)
                    .orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT, name
                            + " must be a time such as 2026-01-02T15:04:05Z or a duration back from now such as 1h, got "
                            + text));
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
