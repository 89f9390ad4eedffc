package io.herd.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.Json;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Quantities;
import io.herd.api.wire.HeartbeatResponse;
import io.herd.api.wire.RegisterNodeRequest;
import io.herd.api.wire.RegisterNodeResponse;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Just enough of a Herd server for an agent: registration, heartbeats, blocking assignments, jobs, reports. */
final class FakeServer implements AutoCloseable {
    final List<Node> registrations = new CopyOnWriteArrayList<>();
    final List<InstanceStatusUpdate> reports = new CopyOnWriteArrayList<>();
    final AtomicInteger heartbeats = new AtomicInteger();
    private final AtomicBoolean forgetNode = new AtomicBoolean();
    /** When set, assignments are answered at once with this (old) index and no instances, like a lagging replica. */
    private volatile Long staleIndex;
    final AtomicInteger staleAnswers = new AtomicInteger();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private long index = 1;
    private final Map<String, Instance> instances = new LinkedHashMap<>();

    private final Javalin app;

    private FakeServer(int port) {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.post("/v1/nodes/register", this::register);
            config.routes.post("/v1/nodes/{id}/heartbeat", this::heartbeat);
            config.routes.get("/v1/nodes/{id}/instances", this::nodeInstances);
            config.routes.post("/v1/nodes/{id}/instances/status", this::status);
            config.routes.get("/v1/jobs/{app}/{job}/versions/{version}", this::jobVersion);
            config.routes.get("/v1/volumes", ctx -> json(ctx, volumes.stream()
                    .filter(volume -> volume.nodeId().equals(ctx.queryParam("node"))).toList()));
            config.routes.exception(HerdException.class, (e, ctx) ->
                    ctx.status(e.code().kind().httpStatus()).contentType("application/json").result(Json.write(e.toResponse())));
        }).start("127.0.0.1", port);
    }

    static FakeServer start() {
        return new FakeServer(0);
    }

    static FakeServer start(int port) {
        return new FakeServer(port);
    }

    String address() {
        return "127.0.0.1:" + app.port();
    }

    /** The sticky volumes this server records; agents read them, tests change them. */
    final List<io.herd.api.StickyVolume> volumes = new java.util.concurrent.CopyOnWriteArrayList<>();

    void addJob(Job job) {
        jobs.put(job.id(), job);
    }

    void put(Instance instance) {
        lock.lock();
        try {
            instances.put(instance.id(), instance);
            index++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void remove(String instanceId) {
        lock.lock();
        try {
            instances.remove(instanceId);
            index++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next heartbeat answers that the server does not know the node. */
    void forgetNode() {
        forgetNode.set(true);
    }

    void answerStale(Long index) {
        lock.lock();
        try {
            staleIndex = index;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<InstanceStatusUpdate> reportsFor(String instanceId) {
        return reports.stream().filter(update -> update.instanceId().equals(instanceId)).toList();
    }

    private void register(Context ctx) {
        Node node = Json.read(ctx.body(), RegisterNodeRequest.class).node();
        registrations.add(node);
        json(ctx, new RegisterNodeResponse(node.id(), Duration.ofMillis(200), index));
    }

    private void heartbeat(Context ctx) {
        heartbeats.incrementAndGet();
        boolean known = !forgetNode.getAndSet(false);
        json(ctx, new HeartbeatResponse(known, NodeStatus.READY));
    }

    private void nodeInstances(Context ctx) throws InterruptedException {
        long wanted = Long.parseLong(ctx.queryParam("index"));
        Duration wait = Quantities.parseDuration(ctx.queryParam("wait")).orElse(Duration.ofSeconds(30));
        String nodeId = ctx.pathParam("id");
        lock.lock();
        try {
            long remaining = wait.toNanos();
            while (index <= wanted && remaining > 0 && staleIndex == null) {
                remaining = changed.awaitNanos(remaining);
            }
            if (staleIndex != null) {
                staleAnswers.incrementAndGet();
                ctx.header("X-Herd-Index", Long.toString(staleIndex));
                json(ctx, List.of());
                return;
            }
            List<Instance> assigned = instances.values().stream().filter(i -> i.nodeId().equals(nodeId)).toList();
            ctx.header("X-Herd-Index", Long.toString(index));
            json(ctx, assigned);
        } finally {
            lock.unlock();
        }
    }

    private void status(Context ctx) {
        reports.addAll(Json.read(ctx.body(), new TypeReference<List<InstanceStatusUpdate>>() {}));
        ctx.contentType("application/json").result("{}");
    }

    private void jobVersion(Context ctx) {
        Job job = jobs.get(ctx.pathParam("app") + "/" + ctx.pathParam("job"));
        if (job == null || job.version() != Long.parseLong(ctx.pathParam("version"))) {
            throw new HerdException(ErrorCode.JOB_NOT_FOUND, "no such job version");
        }
        json(ctx, job);
    }

    private static void json(Context ctx, Object body) {
        ctx.contentType("application/json").result(Json.write(body));
    }

    @Override
    public void close() {
        app.stop();
    }

}
