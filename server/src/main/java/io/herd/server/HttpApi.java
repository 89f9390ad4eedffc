package io.herd.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.ErrorCode;
import io.herd.api.ErrorResponse;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Quantities;
import io.herd.api.wire.RegisterNodeRequest;
import io.herd.server.metrics.PrometheusDiscovery;
import io.herd.server.metrics.ServerMetrics;
import io.herd.state.StateStore;
import io.herd.state.StateView;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The HTTP edge of a server: routes translate requests to {@link ClusterService} calls and map
 * {@link HerdException} to a status and a JSON error body. Writes reaching a follower are forwarded to the
 * leader, so clients may talk to any server.
 */
final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    private static final Duration MAX_WAIT = Duration.ofMinutes(5);
    private static final String FORWARDED_HEADER = "X-Herd-Forwarded";
    private static final String INDEX_HEADER = "X-Herd-Index";
    /**
     * Connections waiting to be accepted. The JDK's default of 50 overflows when thousands of agents connect at
     * once (a server restart, a fleet starting): the kernel drops their SYNs and they time out connecting. The
     * kernel caps this at net.core.somaxconn.
     */
    private static final int ACCEPT_QUEUE_SIZE = 4096;
    private static final Set<String> SPEC_CONTENT_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml",
            "text/x-yaml", "application/json", "text/plain", "application/octet-stream");

    private final ClusterService service;
    private final ServerMetrics metrics;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Javalin javalin;

    private HttpApi(ClusterService service, String host, int port, ServerMetrics metrics) {
        this.service = service;
        this.metrics = metrics;
        this.javalin = Javalin.create(config -> {
            metrics.http().instrument(config);
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = 4L << 20;
            config.jetty.addConnector((server, httpConfiguration) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
                connector.setHost(host);
                connector.setPort(port);
                connector.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
                return connector;
            });
            config.routes.exception(HerdException.class, (error, ctx) -> writeError(ctx, error));
            config.routes.exception(Exception.class, (error, ctx) -> {
                String request;
                try {
                    request = ctx.method() + " " + ctx.path();
                } catch (RuntimeException requestGone) {
                    // Jetty recycled the request (the server is stopping, or the client left while a blocking
                    // query waited): there is no one to answer. Touching ctx again would throw once more and
                    // Javalin would hand that to this handler, forever.
                    LOG.debug("request ended before its error could be answered: {}", error.toString());
                    return;
                }
                LOG.error("internal error on {}", request, error);
                writeError(ctx, new HerdException(ErrorCode.INTERNAL, "internal error: " + error));
            });
            config.routes.error(404, ctx -> {
                // Our own not-found answers are already JSON; anything else is Javalin's "no such route".
                String responseType = ctx.res().getContentType();
                if (responseType == null || !responseType.startsWith("application/json")) {
                    writeError(ctx, new HerdException(ErrorCode.ROUTE_NOT_FOUND,
                            "no such endpoint: " + ctx.method() + " " + ctx.path() + " (see docs/api.md)"));
                }
            });
            config.routes.error(405, ctx -> writeError(ctx, new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "method " + ctx.method() + " is not allowed on " + ctx.path())));

            config.routes.post("/v1/jobs", write(ctx -> respond(ctx, service.submitJob(specText(ctx)))));
            // A read: any server answers from its own replica, and nothing is proposed.
            config.routes.post("/v1/jobs/diff", ctx -> {
                ClusterService.IndexedDiff answer = service.diffJob(specText(ctx));
                ctx.header(INDEX_HEADER, Long.toString(answer.index()));
                respond(ctx, answer.diff());
            });
            config.routes.get("/v1/jobs", ctx -> blockingRead(ctx, service::listJobs));
            config.routes.get("/v1/jobs/{app}/{job}", ctx -> blockingRead(ctx,
                    view -> service.jobStatus(view, Job.id(ctx.pathParam("app"), ctx.pathParam("job")))));
            config.routes.get("/v1/jobs/{app}/{job}/versions/{version}", ctx -> blockingRead(ctx,
                    view -> service.jobVersion(view, Job.id(ctx.pathParam("app"), ctx.pathParam("job")), ctx.pathParam("version"))));
            config.routes.get("/v1/jobs/{app}/{job}/versions", ctx -> blockingRead(ctx,
                    view -> service.jobVersions(view, Job.id(ctx.pathParam("app"), ctx.pathParam("job")))));
            config.routes.post("/v1/jobs/{app}/{job}/rollback", write(ctx -> respond(ctx, service.rollbackJob(
                    Job.id(ctx.pathParam("app"), ctx.pathParam("job")), rollbackTarget(ctx)))));
            config.routes.get("/v1/jobs/{app}/{job}/runs", ctx -> blockingRead(ctx,
                    view -> service.cronStatus(view, Job.id(ctx.pathParam("app"), ctx.pathParam("job")))));
            config.routes.get("/v1/jobs/{app}/{job}/deployments", ctx -> blockingRead(ctx,
                    view -> service.deployments(view, Job.id(ctx.pathParam("app"), ctx.pathParam("job")))));
            config.routes.post("/v1/jobs/{app}/{job}/scale", write(ctx -> {
                io.herd.api.wire.ScaleJobRequest request = readBody(ctx, io.herd.api.wire.ScaleJobRequest.class);
                respond(ctx, service.scaleJob(Job.id(ctx.pathParam("app"), ctx.pathParam("job")), request.group(),
                        request.count()));
            }));
            config.routes.post("/v1/jobs/{app}/{job}/restart", write(ctx -> {
                List<String> groups = ctx.bodyAsBytes().length == 0 || ctx.body().isBlank() ? List.of()
                        : readBody(ctx, io.herd.api.wire.RestartJobRequest.class).groups();
                respond(ctx, service.restartJob(Job.id(ctx.pathParam("app"), ctx.pathParam("job")), groups));
            }));
            config.routes.post("/v1/jobs/{app}/{job}/promote", write(ctx -> respond(ctx,
                    service.promoteJob(Job.id(ctx.pathParam("app"), ctx.pathParam("job"))))));
            config.routes.delete("/v1/jobs/{app}/{job}", write(ctx -> respond(ctx, service.stopJob(
                    Job.id(ctx.pathParam("app"), ctx.pathParam("job")), "true".equals(ctx.queryParam("purge"))))));

            config.routes.get("/v1/instances", ctx -> blockingRead(ctx,
                    view -> service.listInstances(view, ctx.queryParam("job"), ctx.queryParam("node"))));
            config.routes.get("/v1/volumes", ctx -> blockingRead(ctx,
                    view -> service.listVolumes(view, ctx.queryParam("job"), ctx.queryParam("node"))));
            config.routes.get("/v1/instances/{id}", ctx -> blockingRead(ctx,
                    view -> ClusterService.findInstance(view, ctx.pathParam("id"))));
            config.routes.get("/v1/instances/{id}/logs/{task}", ctx -> proxyLogs(ctx, ""));
            config.routes.get("/v1/instances/{id}/logs/{task}/times", ctx -> proxyLogs(ctx, "/times"));

            config.routes.get("/v1/nodes", ctx -> blockingRead(ctx, service::listNodes));
            config.routes.get("/v1/nodes/{id}", ctx -> blockingRead(ctx, view -> ClusterService.findNode(view, ctx.pathParam("id"))));
            config.routes.post("/v1/nodes/register", write(ctx -> respond(ctx,
                    service.registerNode(readBody(ctx, RegisterNodeRequest.class).node()))));
            config.routes.post("/v1/nodes/{id}/heartbeat", write(ctx -> respond(ctx, service.heartbeat(ctx.pathParam("id"),
                    ctx.body().isBlank() ? io.herd.api.wire.HeartbeatRequest.UNCHANGED
                            : readBody(ctx, io.herd.api.wire.HeartbeatRequest.class)))));
            config.routes.post("/v1/nodes/{id}/eligibility", write(ctx -> respond(ctx, service.setNodeEligibility(
                    ctx.pathParam("id"), readBody(ctx, io.herd.api.wire.NodeEligibilityRequest.class)))));
            config.routes.post("/v1/nodes/{id}/drain", write(ctx -> respond(ctx, service.drainNode(ctx.pathParam("id"),
                    ctx.body().isBlank() ? null : readBody(ctx, io.herd.api.wire.NodeDrainRequest.class)))));
            config.routes.get("/v1/nodes/{id}/instances", this::nodeAssignments);
            config.routes.post("/v1/nodes/{id}/instances/status", write(ctx -> {
                List<InstanceStatusUpdate> updates = readBody(ctx, new TypeReference<List<InstanceStatusUpdate>>() {});
                service.reportInstances(ctx.pathParam("id"), updates);
                respond(ctx, Map.of());
            }));

            config.routes.get("/v1/evaluations", ctx -> blockingRead(ctx, view -> {
                String jobId = ctx.queryParam("job");
                return jobId == null ? List.copyOf(view.evaluations()) : view.evaluationsOfJob(jobId);
            }));
            EventsApi.register(config.routes, service, this::blockingRead, this::write);
            UsageApi.register(config.routes, service, this::write);
            config.routes.get("/v1/status", ctx -> blockingRead(ctx, service::status));
            config.routes.get("/v1/discovery/prometheus", ctx -> blockingRead(ctx, PrometheusDiscovery::targets));
            config.routes.get("/metrics", ctx -> ctx.contentType(ServerMetrics.CONTENT_TYPE).result(metrics.scrape()));
        });
        javalin.start(host, port);
    }

    static HttpApi start(ClusterService service, String address, ServerMetrics metrics) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "an HTTP address looks like host:port, got " + address);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "an HTTP address looks like host:port, got " + address);
        }
        return new HttpApi(service, address.substring(0, colon), port, metrics);
    }

    int port() {
        return javalin.port();
    }

    /** Runs a write on the leader; a follower forwards it there unchanged. */
    private Handler write(Handler handler) {
        return ctx -> {
            if (service.isReadyLeader()) {
                handler.handle(ctx);
                return;
            }
            if (ctx.header(FORWARDED_HEADER) != null) {
                throw new HerdException(ErrorCode.NO_LEADER, "the server this request was forwarded to is not the leader; retry");
            }
            Optional<String> leader = service.leaderHttpAddress();
            if (leader.isEmpty()) {
                throw new HerdException(ErrorCode.NO_LEADER, "no leader is elected yet (a majority of servers must be up); retry shortly");
            }
            forward(ctx, leader.get());
        };
    }

    private void forward(Context ctx, String leaderAddress) throws InterruptedException {
        String query = ctx.queryString() == null ? "" : "?" + ctx.queryString();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + leaderAddress + ctx.path() + query))
                .timeout(Duration.ofSeconds(40))
                .header(FORWARDED_HEADER, "1")
                .method(ctx.method().name(), HttpRequest.BodyPublishers.ofByteArray(ctx.bodyAsBytes()));
        if (ctx.contentType() != null) {
            request.header("Content-Type", ctx.contentType());
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(response.statusCode());
            response.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
            response.headers().firstValue(INDEX_HEADER).ifPresent(index -> ctx.header(INDEX_HEADER, index));
            ctx.result(response.body());
        } catch (IOException e) {
            throw new HerdException(ErrorCode.NO_LEADER, "cannot reach the leader at " + leaderAddress + " (" + e + "); retry");
        }
    }

    /** Answers from this replica, waiting first when the client asks for a state newer than {@code index}. */
    private void blockingRead(Context ctx, Function<StateView, Object> reader) throws InterruptedException {
        long index = indexParam(ctx);
        Duration wait = waitParam(ctx);
        if (index > 0) {
            service.store().awaitIndexAfter(index, wait);
        }
        record Read(Object value, long index) {}
        Read read = service.store().read(view -> new Read(reader.apply(view), view.index()));
        ctx.header(INDEX_HEADER, Long.toString(read.index()));
        respond(ctx, read.value());
    }

    /**
     * An agent's blocking query on its assignments. Its index is the node's own ({@link
     * StateView#nodeAssignmentsIndex}), not the state's: the query waits only for changes of this node's
     * instances, so thousands of agents are not all woken (and all answered) by every change anywhere. The index
     * answered is at least 1, so that the next query blocks.
     */
    private void nodeAssignments(Context ctx) throws InterruptedException {
        String nodeId = ctx.pathParam("id");
        long index = indexParam(ctx);
        Duration wait = waitParam(ctx);
        if (index > 0) {
            service.store().awaitNodeAssignmentsAfter(nodeId, index, wait);
        }
        // Published by the store after each apply: read without the state lock.
        StateStore.NodeAssignments read = service.store().nodeAssignments(nodeId);
        ctx.header(INDEX_HEADER, Long.toString(Math.max(1, read.index())));
        respond(ctx, read.instances());
    }

    private static long indexParam(Context ctx) {
        long index = 0;
        String indexText = ctx.queryParam("index");
        if (indexText != null) {
            try {
                index = Long.parseLong(indexText);
            } catch (NumberFormatException e) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "index must be a whole number, got " + indexText);
            }
        }
        return index;
    }

    private static Duration waitParam(Context ctx) {
        Duration wait = DEFAULT_WAIT;
        String waitText = ctx.queryParam("wait");
        if (waitText != null) {
            wait = Quantities.parseDuration(waitText).orElseThrow(() -> new HerdException(ErrorCode.INVALID_ARGUMENT,
                    "wait must be a duration such as 30s, got " + waitText));
            if (wait.compareTo(MAX_WAIT) > 0) {
                wait = MAX_WAIT;
            }
        }
        return wait;
    }

    /**
     * Forwards a log read ({@code suffix} "") or a log's time index ({@code "/times"}) to the agent of the
     * instance's node, with the query as given: the agent validates it.
     */
    private void proxyLogs(Context ctx, String suffix) throws InterruptedException {
        record Target(Instance instance, Node node) {}
        Target target = service.store().read(view -> {
            Instance instance = ClusterService.findInstance(view, ctx.pathParam("id"));
            Node node = view.node(instance.nodeId()).orElseThrow(() -> new HerdException(ErrorCode.NODE_NOT_FOUND,
                    "the node of instance " + instance.id() + " is gone, and its logs with it"));
            return new Target(instance, node);
        });
        if (target.node().status() == NodeStatus.DOWN) {
            throw new HerdException(ErrorCode.UNAVAILABLE, "node " + target.node().name() + " is down; the logs of "
                    + target.instance().name() + " are on that node");
        }
        StringBuilder query = new StringBuilder();
        for (String name : List.of("stream", "offset", "since", "from", "to")) {
            String value = ctx.queryParam(name);
            if (value != null) {
                query.append(query.isEmpty() ? "?" : "&").append(name).append('=').append(encode(value));
            }
        }
        URI uri = URI.create("http://" + target.node().address() + "/v1/instances/" + encode(target.instance().id())
                + "/logs/" + encode(ctx.pathParam("task")) + suffix + query);
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            ctx.status(response.statusCode());
            response.headers().firstValue("Content-Type").ifPresent(ctx::contentType);
            response.headers().firstValue("X-Herd-Log-Offset").ifPresent(next -> ctx.header("X-Herd-Log-Offset", next));
            ctx.result(response.body());
        } catch (IOException e) {
            throw new HerdException(ErrorCode.UNAVAILABLE, "cannot reach the agent of node " + target.node().name() + " at "
                    + target.node().address() + ": " + e.getMessage());
        }
    }

    /** The body of a request carrying a job spec, as written (YAML or JSON). */
    private static String specText(Context ctx) {
        String contentType = Optional.ofNullable(ctx.contentType()).map(type -> type.split(";")[0].trim()
                .toLowerCase(Locale.ROOT)).orElse("application/yaml");
        if (!SPEC_CONTENT_TYPES.contains(contentType)) {
            throw new HerdException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a job spec must be sent as YAML or JSON, not "
                    + contentType);
        }
        return new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8);
    }

    /**
     * {@code to_version} of a rollback body; null for an empty body or none given. Strict, unlike other bodies: a
     * misspelt field would otherwise silently roll back to the previous version.
     */
    private static Long rollbackTarget(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(body);
        } catch (IOException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the request body is not valid JSON: "
                    + firstLine(e.getMessage()));
        }
        if (root == null || root.isNull()) {
            return null;
        }
        if (!root.isObject()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the body must be {\"to_version\": N} or empty");
        }
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!name.equals("to_version")) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "unknown field " + String.join(", ", unknown)
                    + " in the rollback request; the only field is to_version");
        }
        JsonNode version = root.get("to_version");
        if (version == null || version.isNull()) {
            return null;
        }
        if (!version.isIntegralNumber() || version.asLong() < 1) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "to_version must be a version number (1 or more), got "
                    + version);
        }
        return version.asLong();
    }

    private static <T> T readBody(Context ctx, Class<T> type) {
        return readBody(ctx, Json.mapper().constructType(type), type.getSimpleName());
    }

    private static <T> T readBody(Context ctx, TypeReference<T> type) {
        return readBody(ctx, Json.mapper().constructType(type), "body");
    }

    /** Decodes a JSON body; anything that does not decode is the caller's mistake, a 400 naming the problem. */
    private static <T> T readBody(Context ctx, com.fasterxml.jackson.databind.JavaType type, String name) {
        try {
            T value = Json.mapper().readValue(ctx.bodyAsBytes(), type);
            if (value == null) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the request body is empty");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof HerdException herd) {
                throw herd;
            }
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "the request body is not a valid " + name
                    + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static void respond(Context ctx, Object value) {
        ctx.contentType("application/json").result(Json.writeBytes(value));
    }

    private static void writeError(Context ctx, HerdException error) {
        ErrorResponse body = error.toResponse();
        ctx.status(error.code().kind().httpStatus()).contentType("application/json").result(Json.writeBytes(body));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        javalin.stop();
        service.close();
        http.close();
    }
}
