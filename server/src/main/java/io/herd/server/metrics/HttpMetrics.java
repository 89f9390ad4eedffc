package io.herd.server.metrics;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Requests to a server's HTTP API: counted by route template ({@code /v1/jobs/{app}/{job}}, never the raw path,
 * which would make a series per job), method and status; their latency; how many are being served; and how many
 * were refused without being served (no leader, too large, overloaded).
 */
public final class HttpMetrics {
    /** The route label of a request that matched no route (a 404 from the router). */
    static final String UNMATCHED_ROUTE = "unmatched";
    private static final String STARTED_ATTRIBUTE = "herd.metrics.started";

    private final Counter requests;
    private final Histogram duration;
    private final Gauge inFlight;
    private final Counter rejected;

    HttpMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("herd_http_requests_total")
                .help("HTTP requests answered, by route template, method and status code.")
                .labelNames("route", "method", "status").register(registry);
        duration = Histogram.builder().name("herd_http_request_duration_seconds")
                .help("Time to answer an HTTP request, by route template and method (blocking reads include their wait).")
                .labelNames("route", "method").classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
                .register(registry);
        inFlight = Gauge.builder().name("herd_http_requests_in_flight")
                .help("HTTP requests being served right now.").register(registry);
        rejected = Counter.builder().name("herd_http_requests_rejected_total")
                .help("HTTP requests refused without being served, by route template, method and reason "
                        + "(unavailable: no leader or overloaded; too_large: body over the limit; too_many_requests).")
                .labelNames("route", "method", "reason").register(registry);
    }

    /**
     * Counts every request of a Javalin server: a before-handler marks its start, the request logger (which
     * Javalin calls once per request, after errors and exception mapping too) records its outcome.
     */
    public void instrument(JavalinConfig config) {
        config.routes.before(ctx -> {
            if (ctx.attribute(STARTED_ATTRIBUTE) == null) {
                ctx.attribute(STARTED_ATTRIBUTE, Boolean.TRUE);
                inFlight.inc();
            }
        });
        config.requestLogger.http((ctx, milliseconds) -> finished(ctx, milliseconds));
    }

    private void finished(Context ctx, Float milliseconds) {
        if (ctx.attribute(STARTED_ATTRIBUTE) != null) {
            inFlight.dec();
        }
        String route = route(ctx);
        String method = ctx.method().name();
        int status = ctx.statusCode();
        requests.labelValues(route, method, Integer.toString(status)).inc();
        duration.labelValues(route, method).observe(milliseconds == null ? 0 : milliseconds / 1000.0);
        String reason = switch (status) {
            case 413 -> "too_large";
            case 429 -> "too_many_requests";
            case 503 -> "unavailable";
            default -> null;
        };
        if (reason != null) {
            rejected.labelValues(route, method, reason).inc();
        }
    }

    /** The template of the route that served the request ({@code /v1/jobs/{app}/{job}}). */
    static String route(Context ctx) {
        try {
            Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
            return endpoint == null ? UNMATCHED_ROUTE : endpoint.path;
        } catch (RuntimeException e) {
            return UNMATCHED_ROUTE;
        }
    }
}
