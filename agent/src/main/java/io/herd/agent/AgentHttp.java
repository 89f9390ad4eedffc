package io.herd.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herd.agent.metrics.AgentMetrics;
import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint: task logs and their time index (which the servers proxy), the agent's status and
 * Prometheus metrics. Routes only translate; the work is in {@link TaskLogs}, {@link AgentInstances} and
 * {@link AgentMetrics}.
 *
 * <p>It runs on the JDK's own HTTP server, one virtual thread per request, rather than on Javalin and Jetty as the
 * servers do: four routes that the servers call now and then do not need them, and leaving them out keeps some
 * 650 classes, their buffers and threads out of every agent (see the agent overhead in docs/benchmarks.md).
 */
public final class AgentHttp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentHttp.class);
    private static final String INSTANCES = "/v1/instances/";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String address;

    /** The answer of {@code GET /v1/agent/status}. */
    public record AgentStatus(Node node, List<InstanceView> instances) {}

    /** One instance on this node and its tasks (with their pids while they run). */
    public record InstanceView(String id, String name, String state, String reason, Map<String, TaskState> tasks) {}

    /** What a route answers. */
    private record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply json(int status, Object body) {
            return new Reply(status, "application/json", Json.writeBytes(body), Map.of());
        }
    }

    private AgentHttp(HttpServer server, ExecutorService executor, String address) {
        this.server = server;
        this.executor = executor;
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
        HttpServer server;
        try {
            server = HttpServer.create(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bindAddress + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, logs, instances, node, metrics));
        server.start();
        String advertisedHost = host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")
                ? Fingerprint.hostname() : host;
        return new AgentHttp(server, executor, advertisedHost + ":" + server.getAddress().getPort());
    }

    /** host:port where the agent answers, the port resolved when 0 was asked for. */
    public String address() {
        return address;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, TaskLogs logs, AgentInstances instances, Supplier<Node> node,
            AgentMetrics metrics) throws IOException {
        try (exchange) {
            Reply reply;
            try {
                reply = route(exchange, logs, instances, node, metrics);
            } catch (HerdException e) {
                reply = Reply.json(e.code().kind().httpStatus(), e.toResponse());
            } catch (RuntimeException e) {
                log.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                reply = Reply.json(500, new HerdException(ErrorCode.INTERNAL, String.valueOf(e.getMessage())).toResponse());
            }
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            reply.headers().forEach(exchange.getResponseHeaders()::set);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            // a length of -1 says there is no body; 0 would mean a chunked one
            exchange.sendResponseHeaders(reply.status(), head || reply.body().length == 0 ? -1 : reply.body().length);
            if (!head && reply.body().length > 0) {
                exchange.getResponseBody().write(reply.body());
            }
        }
    }

    private static Reply route(HttpExchange exchange, TaskLogs logs, AgentInstances instances, Supplier<Node> node,
            AgentMetrics metrics) {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new HerdException(ErrorCode.ROUTE_NOT_FOUND, "no route " + method + " " + path);
        }
        if (path.equals("/metrics")) {
            return new Reply(200, AgentMetrics.CONTENT_TYPE, metrics.scrape(), Map.of());
        }
        if (path.equals("/v1/agent/status")) {
            return Reply.json(200, status(instances, node.get()));
        }
        if (path.startsWith(INSTANCES)) {
            // {id}/logs/{task} or {id}/logs/{task}/times
            String[] parts = path.substring(INSTANCES.length()).split("/", -1);
            if ((parts.length == 3 || parts.length == 4 && parts[3].equals("times")) && parts[1].equals("logs")) {
                Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
                String id = decode(parts[0]);
                String task = decode(parts[2]);
                return parts.length == 3 ? logs(logs, id, task, query) : Reply.json(200, logs.times(id, task,
                        stream(query), longParam(query, "from", 0), longParam(query, "to", Long.MAX_VALUE)));
            }
        }
        throw new HerdException(ErrorCode.ROUTE_NOT_FOUND, "no route " + method + " " + path);
    }

    /** A log's bytes from {@code offset}, or, given {@code since} (a time or a duration ago), from that time. */
    private static Reply logs(TaskLogs logs, String id, String task, Map<String, String> query) {
        String since = query.get("since");
        TaskLogs.Chunk chunk = since == null || since.isBlank()
                ? logs.read(id, task, stream(query), longParam(query, "offset", 0))
                : logs.readSince(id, task, stream(query), TaskLogs.parseSince(since, Instant.now()));
        return new Reply(200, "application/octet-stream", chunk.data(),
                Map.of("X-Herd-Log-Offset", Long.toString(chunk.nextOffset())));
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            query.putIfAbsent(name, equals < 0 ? "" : decode(pair.substring(equals + 1)));
        }
        return query;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "badly encoded: " + text);
        }
    }

    private static String stream(Map<String, String> query) {
        return query.getOrDefault("stream", "stdout");
    }

    private static long longParam(Map<String, String> query, String name, long absent) {
        String text = query.get(name);
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

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
