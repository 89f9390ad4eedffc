package io.herd.agent;

import io.herd.agent.metrics.AgentMetrics;
import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.TaskState;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint: task logs (which the servers proxy), the agent's status and Prometheus metrics.
 * Routes only translate; the work is in {@link TaskLogs}, {@link AgentInstances} and {@link AgentMetrics}.
 */
public final class AgentHttp implements AutoCloseable {
    private final Javalin app;
    private final String address;

    /** The answer of {@code GET /v1/agent/status}. */
    public record AgentStatus(Node node, List<InstanceView> instances) {}

    /** One instance on this node and its tasks (with their pids while they run). */
    public record InstanceView(String id, String name, String state, String reason, Map<String, TaskState> tasks) {}

    private AgentHttp(Javalin app, String address) {
        this.app = app;
        this.address = address;
    }

    /**
     * Starts listening on {@code bindAddress} (host:port; port 0 picks a free one).
     *
     * @param node supplies the node as registered (null until it is known)
     */
    public static AgentHttp start(String bindAddress, TaskLogs logs, AgentInstances instances, Supplier<Node> node,
            AgentMetrics metrics) {
        int colon = bindAddress.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("the agent's http address must be host:port, not " + bindAddress);
        }
        String host = bindAddress.substring(0, colon);
        int port = Integer.parseInt(bindAddress.substring(colon + 1));
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.get("/v1/instances/{id}/logs/{task}", ctx -> logs(ctx, logs));
            config.routes.get("/v1/instances/{id}/logs/{task}/times", ctx -> json(ctx, 200, logs.times(
                    ctx.pathParam("id"), ctx.pathParam("task"), stream(ctx), longParam(ctx, "from", 0),
                    longParam(ctx, "to", Long.MAX_VALUE))));
            config.routes.get("/v1/agent/status", ctx -> json(ctx, 200, status(instances, node.get())));
            config.routes.get("/metrics", ctx -> ctx.contentType(AgentMetrics.CONTENT_TYPE).result(metrics.scrape()));
            config.routes.exception(HerdException.class,
                    (e, ctx) -> json(ctx, e.code().kind().httpStatus(), e.toResponse()));
            config.routes.exception(Exception.class, (e, ctx) -> json(ctx, 500,
                    new HerdException(ErrorCode.INTERNAL, String.valueOf(e.getMessage())).toResponse()));
        }).start(host, port);
        String advertisedHost = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")
                ? Fingerprint.hostname() : host;
        return new AgentHttp(app, advertisedHost + ":" + app.port());
    }

    /** host:port where the agent answers, the port resolved when 0 was asked for. */
    public String address() {
        return address;
    }

    public int port() {
        return app.port();
    }

    /** A log's bytes from {@code offset}, or, given {@code since} (a time or a duration ago), from that time. */
    private static void logs(Context ctx, TaskLogs logs) {
        String since = ctx.queryParam("since");
        TaskLogs.Chunk chunk = since == null || since.isBlank()
                ? logs.read(ctx.pathParam("id"), ctx.pathParam("task"), stream(ctx), longParam(ctx, "offset", 0))
                : logs.readSince(ctx.pathParam("id"), ctx.pathParam("task"), stream(ctx),
                        TaskLogs.parseSince(since, java.time.Instant.now()));
        ctx.header("X-Herd-Log-Offset", Long.toString(chunk.nextOffset()));
        ctx.contentType("application/octet-stream").result(chunk.data());
    }

    private static String stream(Context ctx) {
        return ctx.queryParam("stream") == null ? "stdout" : ctx.queryParam("stream");
    }

    private static long longParam(Context ctx, String name, long absent) {
        String text = ctx.queryParam(name);
        try {
            return text == null ? absent : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, name + " must be a number, not " + text);
        }
    }

    private static AgentStatus status(AgentInstances instances, Node node) {
        List<InstanceView> views = instances.runners().stream()
                .map(runner -> {
                    InstanceStatusUpdate status = runner.status();
                    return new InstanceView(runner.id(), runner.instance().name(), status.state().wireName(),
                            status.reason(), status.tasks());
                })
                .toList();
        return new AgentStatus(node, views);
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.write(body));
    }

    @Override
    public void close() {
        app.stop();
    }
}
