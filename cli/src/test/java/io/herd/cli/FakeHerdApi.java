package io.herd.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A hand-written HTTP server answering the routes a test sets up, with the API's JSON and headers, so that CLI
 * commands run end to end against real HTTP without a cluster. Unknown routes answer 404 ROUTE_NOT_FOUND.
 */
final class FakeHerdApi implements AutoCloseable {
    record Request(String method, String path, Map<String, String> query, String body) {
        long longParameter(String name, long fallback) {
            String value = query.get(name);
            return value == null ? fallback : Long.parseLong(value);
        }
    }

    record Response(int status, byte[] body, Map<String, String> headers) {}

    private final HttpServer server;
    private final Map<String, Function<Request, Response>> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    FakeHerdApi() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    FakeHerdApi on(String method, String path, Function<Request, Response> handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    static Response json(Object value) {
        return json(value, 1);
    }

    static Response json(Object value, long index) {
        return new Response(200, Json.writeBytes(value), Map.of("Content-Type", "application/json",
                "X-Herd-Index", Long.toString(index)));
    }

    static Response error(ErrorCode code, String message) {
        return new Response(code.kind().httpStatus(), Json.writeBytes(new HerdException(code, message).toResponse()),
                Map.of("Content-Type", "application/json"));
    }

    /** Serves {@code log} the way the API does: from {@code offset} (negative: from the end) to its end. */
    static Response logBytes(byte[] log, Request request) {
        long offset = request.longParameter("offset", 0);
        int from = (int) (offset < 0 ? Math.max(0, log.length + offset) : Math.min(offset, log.length));
        byte[] body = java.util.Arrays.copyOfRange(log, from, log.length);
        return new Response(200, body, Map.of("Content-Type", "application/octet-stream",
                "X-Herd-Log-Offset", Integer.toString(log.length)));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> query = new LinkedHashMap<>();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            if (rawQuery != null) {
                for (String pair : rawQuery.split("&")) {
                    String[] parts = pair.split("=", 2);
                    query.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                            parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
                }
            }
            String path = exchange.getRequestURI().getPath();
            Request request = new Request(exchange.getRequestMethod(), path, query, body);
            requests.add(request);
            Function<Request, Response> handler = routes.get(request.method() + " " + path);
            Response response = handler == null ? error(ErrorCode.ROUTE_NOT_FOUND, "no route " + path)
                    : handler.apply(request);
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
            if (response.body().length > 0) {
                exchange.getResponseBody().write(response.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
