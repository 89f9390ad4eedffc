package io.herd.client;

import com.fasterxml.jackson.core.type.TypeReference;
import io.herd.api.ErrorCode;
import io.herd.api.ErrorResponse;
import io.herd.api.Event;
import io.herd.api.EventSubscription;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import io.herd.api.LogTime;
import io.herd.api.Node;
import io.herd.api.wire.ClusterStatus;
import io.herd.api.wire.EventStats;
import io.herd.api.wire.HeartbeatResponse;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.JobSummary;
import io.herd.api.wire.RegisterNodeRequest;
import io.herd.api.wire.RegisterNodeResponse;
import io.herd.api.wire.RollbackJobRequest;
import io.herd.api.wire.SubscribeRequest;
import io.herd.api.wire.SubmitJobResponse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * Java client of the Herd HTTP API, used by the CLI, the agent and tests. It is given one or more server
 * addresses and moves on to the next address when one cannot be reached or has no leader; a follower
 * forwards writes itself, so any reachable server will do. Errors arrive as {@link HerdException} with the
 * server's code, message and details.
 */
public final class HerdClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FAILOVER_BUDGET = Duration.ofSeconds(20);

    private final List<String> addresses;
    private final HttpClient http;
    private final AtomicInteger current = new AtomicInteger();

    /** @param addresses {@code host:port} or {@code http://host:port}, at least one */
    public HerdClient(List<String> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one server address is needed");
        }
        this.addresses = addresses.stream().map(HerdClient::normalize).toList();
        HttpClient.Builder builder = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (this.addresses.stream().allMatch(address -> address.startsWith("http://"))) {
            builder.sslContext(plainHttpOnly());
        }
        this.http = builder.build();
    }

    /**
     * The TLS context of a client that only ever talks plain HTTP (it follows no redirects): one that trusts no
     * certificate, because the JDK's default context parses the whole trust store (some 150 certificates, 2 MiB
     * of classes and heap in every agent) before the first request.
     */
    private static SSLContext plainHttpOnly() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context in this JDK", e);
        }
    }

    public static HerdClient of(String commaSeparatedAddresses) {
        List<String> list = new ArrayList<>();
        for (String address : commaSeparatedAddresses.split(",")) {
            if (!address.isBlank()) {
                list.add(address.trim());
            }
        }
        return new HerdClient(list);
    }

    public List<String> addresses() {
        return addresses;
    }

    // ---- jobs -------------------------------------------------------------------------------------------

    /** Submits a job spec (YAML or JSON text, exactly as written by the user). */
    public SubmitJobResponse submitJob(String specText) {
        return send("POST", "/v1/jobs", specText, "application/yaml", REQUEST_TIMEOUT, SubmitJobResponse.class);
    }

    public List<JobSummary> listJobs() {
        return send("GET", "/v1/jobs", null, null, REQUEST_TIMEOUT, new TypeReference<List<JobSummary>>() {});
    }

    public JobStatus jobStatus(String jobId) {
        return send("GET", "/v1/jobs/" + jobId, null, null, REQUEST_TIMEOUT, JobStatus.class);
    }

    /** A cron job's schedule, next firings and kept runs (newest first). */
    public io.herd.api.wire.CronStatus cronRuns(String jobId) {
        return send("GET", "/v1/jobs/" + jobId + "/runs", null, null, REQUEST_TIMEOUT, io.herd.api.wire.CronStatus.class);
    }

    /** Blocks until the state's index passes {@code index} or {@code wait} elapses. */
    public Indexed<JobStatus> jobStatus(String jobId, long index, Duration wait) {
        return sendIndexed("GET", "/v1/jobs/" + jobId + "?index=" + index + "&wait=" + wait.toMillis() + "ms",
                wait, JobStatus.class);
    }

    /** One version of a job, as long as the servers keep it (the last 10 versions by default). */
    public io.herd.api.Job jobVersion(String jobId, long version) {
        return send("GET", "/v1/jobs/" + jobId + "/versions/" + version, null, null, REQUEST_TIMEOUT, io.herd.api.Job.class);
    }

    /** Every version of a job the servers keep (the last 10 by default), newest first. */
    public List<io.herd.api.Job> jobVersions(String jobId) {
        return send("GET", "/v1/jobs/" + jobId + "/versions", null, null, REQUEST_TIMEOUT,
                new TypeReference<List<io.herd.api.Job>>() {});
    }

    /**
     * Submits the spec of a kept version again, as a new version; {@code toVersion} null means the version before
     * the current one. Answers {@code changed=false} when that spec is the current one.
     */
    public SubmitJobResponse rollbackJob(String jobId, Long toVersion) {
        return send("POST", "/v1/jobs/" + jobId + "/rollback", Json.write(new RollbackJobRequest(toVersion)),
                "application/json", REQUEST_TIMEOUT, SubmitJobResponse.class);
    }

    /** The kept deployments of a job (the last 10), newest first. */
    public List<io.herd.api.Deployment> jobDeployments(String jobId) {
        return send("GET", "/v1/jobs/" + jobId + "/deployments", null, null, REQUEST_TIMEOUT,
                new TypeReference<List<io.herd.api.Deployment>>() {});
    }

    /** Registers a new version of the job with {@code count} instances of {@code group}, applied in place. */
    public SubmitJobResponse scaleJob(String jobId, String group, int count) {
        return send("POST", "/v1/jobs/" + jobId + "/scale",
                Json.write(new io.herd.api.wire.ScaleJobRequest(group, count)), "application/json", REQUEST_TIMEOUT,
                SubmitJobResponse.class);
    }

    /** Starts a rolling restart of the job's instances (of {@code groups}; empty: every group). */
    public io.herd.api.wire.DeploymentResponse restartJob(String jobId, List<String> groups) {
        return send("POST", "/v1/jobs/" + jobId + "/restart",
                Json.write(new io.herd.api.wire.RestartJobRequest(groups)), "application/json", REQUEST_TIMEOUT,
                io.herd.api.wire.DeploymentResponse.class);
    }

    /** Promotes the canaries of the job's paused deployment: the rolling update continues. */
    public io.herd.api.wire.DeploymentResponse promoteJob(String jobId) {
        return send("POST", "/v1/jobs/" + jobId + "/promote", "{}", "application/json", REQUEST_TIMEOUT,
                io.herd.api.wire.DeploymentResponse.class);
    }

    /**
     * What submitting a job spec would change (field changes and a dry run of the scheduler), without changing
     * anything.
     */
    public JobDiff diffJob(String specText) {
        return send("POST", "/v1/jobs/diff", specText, "application/yaml", REQUEST_TIMEOUT, JobDiff.class);
    }

    /** Stops a job: every instance is asked to stop; with {@code purge} the job is forgotten too. */
    public SubmitJobResponse stopJob(String jobId, boolean purge) {
        return send("DELETE", "/v1/jobs/" + jobId + (purge ? "?purge=true" : ""), null, null, REQUEST_TIMEOUT,
                SubmitJobResponse.class);
    }

    /**
     * Resolves a job given as {@code app/job} or as a bare job name that is unique across apps.
     */
    public String resolveJobId(String jobOrName) {
        if (jobOrName.contains("/")) {
            return jobOrName;
        }
        List<String> matches = listJobs().stream().filter(job -> job.name().equals(jobOrName)).map(JobSummary::id).toList();
        if (matches.isEmpty()) {
            throw new HerdException(ErrorCode.JOB_NOT_FOUND,
                    "no job named " + jobOrName + "; list jobs with 'herd status'");
        }
        if (matches.size() > 1) {
            throw new HerdException(ErrorCode.AMBIGUOUS_ID,
                    "job name " + jobOrName + " is used in several apps: " + String.join(", ", matches) + "; give app/job");
        }
        return matches.getFirst();
    }

    // ---- instances ----------------------------------------------------------------------------------------

    /** An instance by id or unique id prefix. */
    public Instance instance(String idOrPrefix) {
        return send("GET", "/v1/instances/" + encode(idOrPrefix), null, null, REQUEST_TIMEOUT, Instance.class);
    }

    /**
     * Reads a task's log from byte {@code offset} (negative: that many bytes before the end). The server
     * proxies to the agent holding the instance.
     */
    public LogChunk logs(String instanceId, String task, String stream, long offset) {
        String path = "/v1/instances/" + encode(instanceId) + "/logs/" + encode(task) + "?stream=" + stream
                + "&offset=" + offset;
        HttpResponse<byte[]> response = exchange("GET", path, null, null, REQUEST_TIMEOUT);
        long next = response.headers().firstValueAsLong("X-Herd-Log-Offset").orElse(offset);
        return new LogChunk(response.body(), next);
    }

    /**
     * Reads a task's log from where its output written at or after {@code since} starts: an instant
     * ({@code 2026-01-02T15:04:05Z}) or a duration ago ({@code 10m}), resolved by the agent's time index to about a
     * second (it may start up to that much earlier).
     */
    public LogChunk logsSince(String instanceId, String task, String stream, String since) {
        String path = "/v1/instances/" + encode(instanceId) + "/logs/" + encode(task) + "?stream=" + stream
                + "&since=" + encode(since);
        HttpResponse<byte[]> response = exchange("GET", path, null, null, REQUEST_TIMEOUT);
        long next = response.headers().firstValueAsLong("X-Herd-Log-Offset").orElse(0);
        return new LogChunk(response.body(), next);
    }

    /**
     * The time index entries of a task's log that time its bytes {@code [from, to)}: byte {@code x} was written
     * at or before the time of the first entry whose offset exceeds {@code x}.
     */
    public List<LogTime> logTimes(String instanceId, String task, String stream, long from, long to) {
        return send("GET", "/v1/instances/" + encode(instanceId) + "/logs/" + encode(task) + "/times?stream=" + stream
                + "&from=" + from + "&to=" + to, null, null, REQUEST_TIMEOUT, new TypeReference<List<LogTime>>() {});
    }

    /** Bytes of a log and the offset after them; they start at {@code nextOffset - data.length}. */
    public record LogChunk(byte[] data, long nextOffset) {
        public long startOffset() {
            return nextOffset - data.length;
        }
    }

    // ---- nodes ----------------------------------------------------------------------------------------------

    public List<Node> listNodes() {
        return send("GET", "/v1/nodes", null, null, REQUEST_TIMEOUT, new TypeReference<List<Node>>() {});
    }

    public RegisterNodeResponse registerNode(Node node) {
        return send("POST", "/v1/nodes/register", Json.write(new RegisterNodeRequest(node)), "application/json",
                REQUEST_TIMEOUT, RegisterNodeResponse.class);
    }

    public HeartbeatResponse heartbeat(String nodeId) {
        return heartbeat(nodeId, io.herd.api.wire.HeartbeatRequest.UNCHANGED);
    }

    /** A heartbeat that also reports the node's conditions when {@code request} carries them (they changed). */
    public HeartbeatResponse heartbeat(String nodeId, io.herd.api.wire.HeartbeatRequest request) {
        String body = request.conditions() == null ? "{}" : Json.write(request);
        return send("POST", "/v1/nodes/" + encode(nodeId) + "/heartbeat", body, "application/json",
                Duration.ofSeconds(5), HeartbeatResponse.class);
    }

    /** One node by id, id prefix or name. */
    public Node node(String idOrName) {
        return send("GET", "/v1/nodes/" + encode(idOrName), null, null, REQUEST_TIMEOUT, Node.class);
    }

    /** Turns new placements on a node on or off; turning them on also cancels a drain. Answers the node. */
    public Node setNodeEligibility(String idOrName, boolean eligible) {
        return send("POST", "/v1/nodes/" + encode(idOrName) + "/eligibility",
                Json.write(new io.herd.api.wire.NodeEligibilityRequest(eligible)), "application/json",
                REQUEST_TIMEOUT, Node.class);
    }

    /** Starts a drain with a deadline ({@code 10m}; null for the default), or cancels one. Answers the node. */
    public Node drainNode(String idOrName, String deadline, boolean cancel) {
        return send("POST", "/v1/nodes/" + encode(idOrName) + "/drain",
                Json.write(new io.herd.api.wire.NodeDrainRequest(deadline, cancel ? Boolean.TRUE : null)),
                "application/json", REQUEST_TIMEOUT, Node.class);
    }

    /** The instances on a node, terminal ones included, blocking until the state's index passes {@code index}. */
    public Indexed<List<Instance>> instancesOnNode(String nodeId, long index, Duration wait) {
        return sendIndexed("GET", "/v1/instances?node=" + encode(nodeId) + "&index=" + index + "&wait="
                + wait.toMillis() + "ms", wait, new TypeReference<List<Instance>>() {});
    }

    /** The instances assigned to a node, blocking until the state's index passes {@code index}. */
    public Indexed<List<Instance>> nodeInstances(String nodeId, long index, Duration wait) {
        return sendIndexed("GET", "/v1/nodes/" + encode(nodeId) + "/instances?index=" + index + "&wait="
                + wait.toMillis() + "ms", wait, new TypeReference<List<Instance>>() {});
    }

    /**
     * The instances of a job ({@code app/job}), terminal ones included, blocking until the state's index passes
     * {@code index}. Unlike the job's status this still answers after the job was purged: its instances stay until
     * they ended and were garbage collected.
     */
    public Indexed<List<Instance>> jobInstances(String jobId, long index, Duration wait) {
        return sendIndexed("GET", "/v1/instances?job=" + encode(jobId) + "&index=" + index + "&wait="
                + wait.toMillis() + "ms", wait, new TypeReference<List<Instance>>() {});
    }

    /** The sticky volumes recorded on a node: what its agent keeps; any other volume directory there may go. */
    public List<io.herd.api.StickyVolume> nodeVolumes(String nodeId) {
        return send("GET", "/v1/volumes?node=" + encode(nodeId), null, null, REQUEST_TIMEOUT,
                new TypeReference<List<io.herd.api.StickyVolume>>() {});
    }

    public void reportInstances(String nodeId, List<InstanceStatusUpdate> updates) {
        send("POST", "/v1/nodes/" + encode(nodeId) + "/instances/status", Json.write(updates), "application/json",
                REQUEST_TIMEOUT, Map.class);
    }

    /** Sends what the agent of {@code nodeId} measured; answers how many samples the leader queued. */
    public int reportUsage(String nodeId, io.herd.api.wire.UsageReport report) {
        Map<?, ?> answer = send("POST", "/v1/nodes/" + encode(nodeId) + "/usage", Json.write(report),
                "application/json", REQUEST_TIMEOUT, Map.class);
        return answer.get("accepted") instanceof Number accepted ? accepted.intValue() : 0;
    }

    /**
     * A usage query ({@code GET /v1/usage}); null fields take the server's defaults (tasks by instance, the last
     * hour, about 360 points, avg).
     *
     * @param kind {@code task} or {@code node}
     * @param from an instant or a duration back from now ({@code 5m})
     */
    public record UsageQuery(String kind, String app, String job, String instance, String node, String from,
            String to, String step, String aggregation, String by) {
        String parameters() {
            StringBuilder query = new StringBuilder();
            EventQuery.append(query, "kind", kind);
            EventQuery.append(query, "app", app);
            EventQuery.append(query, "job", job);
            EventQuery.append(query, "instance", instance);
            EventQuery.append(query, "node", node);
            EventQuery.append(query, "from", from);
            EventQuery.append(query, "to", to);
            EventQuery.append(query, "step", step);
            EventQuery.append(query, "agg", aggregation);
            EventQuery.append(query, "by", by);
            return query.toString();
        }
    }

    public io.herd.api.wire.UsageResponse usage(UsageQuery query) {
        String parameters = query.parameters();
        return send("GET", "/v1/usage" + (parameters.isEmpty() ? "" : "?" + parameters), null, null, REQUEST_TIMEOUT,
                io.herd.api.wire.UsageResponse.class);
    }

    // ---- events -------------------------------------------------------------------------------------------

    /**
     * Which events to ask for; null fields match everything. {@code since} and {@code until} are instants
     * ({@code 2026-01-02T15:04:05Z}) or durations back from the server's now ({@code 1h}); {@code level} is
     * Normal or Warning; {@code app} matches the app's subtree.
     */
    public record EventQuery(String app, String job, String instance, String node, String level, String reason,
            String since, String until) {
        public static final EventQuery ALL = new EventQuery(null, null, null, null, null, null, null, null);

        String parameters() {
            StringBuilder query = new StringBuilder();
            append(query, "app", app);
            append(query, "job", job);
            append(query, "instance", instance);
            append(query, "node", node);
            append(query, "level", level);
            append(query, "reason", reason);
            append(query, "since", since);
            append(query, "until", until);
            return query.toString();
        }

        private static void append(StringBuilder query, String name, String value) {
            if (value != null && !value.isBlank()) {
                query.append(query.isEmpty() ? "" : "&").append(name).append('=').append(encode(value));
            }
        }
    }

    /** The newest {@code limit} matching events (null: the server's default, 500), oldest first. */
    public List<Event> events(EventQuery query, Integer limit) {
        String parameters = query.parameters() + (limit == null ? "" : (query.parameters().isEmpty() ? "" : "&")
                + "limit=" + limit);
        return send("GET", "/v1/events" + (parameters.isEmpty() ? "" : "?" + parameters), null, null, REQUEST_TIMEOUT,
                new TypeReference<List<Event>>() {});
    }

    /** Counts by reason and level over the last {@code period} (e.g. {@code 24h}) and the period before it. */
    public EventStats eventStats(EventQuery query, String period) {
        String parameters = query.parameters();
        parameters = (parameters.isEmpty() ? "" : parameters + "&") + "since=" + encode(period);
        return send("GET", "/v1/events/stats?" + parameters, null, null, REQUEST_TIMEOUT, EventStats.class);
    }

    /**
     * Streams matching events as the servers apply them (Server-Sent Events from {@code /v1/events/stream}),
     * starting after event sequence {@code after} (null: from now), and hands each to {@code onEvent} until it
     * answers false, the stream ends, or the thread is interrupted. Returns the sequence of the last event handed
     * over (or {@code after}), from which a caller may resume on another server: a stream that cannot connect or
     * breaks makes the next call use the next address.
     */
    public Long streamEvents(EventQuery query, Long after, Predicate<Event> onEvent) {
        return streamEvents(query, after, () -> {}, onEvent);
    }

    /**
     * As {@link #streamEvents(EventQuery, Long, Predicate)}; {@code connected} runs once the server accepted the
     * stream: every event applied after that is delivered.
     */
    public Long streamEvents(EventQuery query, Long after, Runnable connected, Predicate<Event> onEvent) {
        String parameters = query.parameters();
        if (after != null) {
            parameters = (parameters.isEmpty() ? "" : parameters + "&") + "after=" + after;
        }
        int position = current.get();
        String address = addresses.get(Math.floorMod(position, addresses.size()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(address + "/v1/events/stream"
                + (parameters.isEmpty() ? "" : "?" + parameters))).header("Accept", "text/event-stream").GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            // The next call tries the next server: any of them serves the stream from its replica.
            current.compareAndSet(position, position + 1);
            throw new HerdException(ErrorCode.UNAVAILABLE, "cannot connect to a Herd server at " + address
                    + " (is 'herd server' or 'herd dev' running? set --address or HERD_ADDR)", List.of(), e);
        } catch (IOException e) {
            current.compareAndSet(position, position + 1);
            throw new HerdException(ErrorCode.UNAVAILABLE, "connection to " + address + " failed: " + e, List.of(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return after;
        }
        if (response.statusCode() >= 300) {
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readAllBytes();
            } catch (IOException e) {
                body = new byte[0];
            }
            throw toException(new ByteResponse(response.statusCode(), body), address);
        }
        connected.run();
        Long last = after;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        Event event = Json.read(data.toString(), Event.class);
                        data.setLength(0);
                        last = event.sequence();
                        if (!onEvent.test(event)) {
                            return last;
                        }
                    }
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                }
                // "event:", "id:" and ":" comment lines carry nothing the event's JSON does not.
            }
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return last;
            }
            current.compareAndSet(position, position + 1);
            throw new HerdException(ErrorCode.UNAVAILABLE, "the event stream from " + address + " broke: " + e,
                    List.of(), e);
        }
        current.compareAndSet(position, position + 1);
        return last;
    }

    /**
     * Adds an event webhook; answers it as stored. Without an id in the request the client picks one, so that
     * resending after a lost answer does not add it twice.
     */
    public EventSubscription subscribeEvents(SubscribeRequest request) {
        SubscribeRequest withId = request.id() == null ? request.withId(java.util.UUID.randomUUID().toString())
                : request;
        return send("POST", "/v1/events/subscriptions", Json.write(withId), "application/json", REQUEST_TIMEOUT,
                EventSubscription.class);
    }

    public List<EventSubscription> eventSubscriptions() {
        return send("GET", "/v1/events/subscriptions", null, null, REQUEST_TIMEOUT,
                new TypeReference<List<EventSubscription>>() {});
    }

    public void unsubscribeEvents(String subscriptionId) {
        send("DELETE", "/v1/events/subscriptions/" + encode(subscriptionId), null, null, REQUEST_TIMEOUT, Map.class);
    }

    // ---- status -------------------------------------------------------------------------------------------

    public ClusterStatus status() {
        return send("GET", "/v1/status", null, null, REQUEST_TIMEOUT, ClusterStatus.class);
    }

    /** A response with the state index it reflects ({@code X-Herd-Index}). */
    public record Indexed<T>(T value, long index) {}

    // ---- plumbing -------------------------------------------------------------------------------------------

    private <T> T send(String method, String path, String body, String contentType, Duration timeout, Class<T> type) {
        HttpResponse<byte[]> response = exchange(method, path, body, contentType, timeout);
        return Json.read(response.body(), type);
    }

    private <T> T send(String method, String path, String body, String contentType, Duration timeout,
            TypeReference<T> type) {
        HttpResponse<byte[]> response = exchange(method, path, body, contentType, timeout);
        return Json.read(new String(response.body(), StandardCharsets.UTF_8), type);
    }

    private <T> Indexed<T> sendIndexed(String method, String path, Duration wait, Class<T> type) {
        HttpResponse<byte[]> response = exchange(method, path, null, null, wait.plus(REQUEST_TIMEOUT));
        return new Indexed<>(Json.read(response.body(), type), indexOf(response));
    }

    private <T> Indexed<T> sendIndexed(String method, String path, Duration wait, TypeReference<T> type) {
        HttpResponse<byte[]> response = exchange(method, path, null, null, wait.plus(REQUEST_TIMEOUT));
        return new Indexed<>(Json.read(new String(response.body(), StandardCharsets.UTF_8), type), indexOf(response));
    }

    private static long indexOf(HttpResponse<?> response) {
        return response.headers().firstValueAsLong("X-Herd-Index").orElse(0);
    }

    /**
     * Sends to the current address; on a connection failure or an "unavailable" answer (no leader yet, server
     * shutting down) moves to the next address. Each address is tried twice; while some server answers that it
     * cannot serve yet (a leader election is under way), trying goes on for up to {@link #FAILOVER_BUDGET}.
     * Every write of the API is idempotent, so resending one whose answer was lost is safe.
     */
    private HttpResponse<byte[]> exchange(String method, String path, String body, String contentType,
            Duration timeout) {
        HerdException lastError = null;
        // What a reachable server said beats "connection refused" from a dead one when reporting failure.
        HerdException answeredError = null;
        int attempts = addresses.size() * 2;
        long deadline = System.nanoTime() + FAILOVER_BUDGET.toNanos();
        for (int attempt = 0; attempt < attempts || (answeredError != null && System.nanoTime() < deadline); attempt++) {
            int position = current.get();
            int slot = Math.floorMod(position, addresses.size());
            String address = addresses.get(slot);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(address + path)).timeout(timeout);
            if (body != null) {
                request.header("Content-Type", contentType);
                request.method(method, HttpRequest.BodyPublishers.ofString(body));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            try {
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() < 300) {
                    return response;
                }
                HerdException error = toException(response, address);
                if (error.code().kind() != io.herd.api.ErrorKind.UNAVAILABLE) {
                    throw error;
                }
                lastError = error;
                answeredError = error;
            } catch (HttpTimeoutException e) {
                lastError = new HerdException(ErrorCode.TIMEOUT, "no answer from " + address + " within " + timeout.toSeconds() + "s", List.of(), e);
            } catch (ConnectException e) {
                lastError = new HerdException(ErrorCode.UNAVAILABLE, "cannot connect to a Herd server at " + address
                        + " (is 'herd server' or 'herd dev' running? set --address or HERD_ADDR)", List.of(), e);
            } catch (IOException e) {
                lastError = new HerdException(ErrorCode.UNAVAILABLE, "connection to " + address + " failed: " + e, List.of(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HerdException(ErrorCode.UNAVAILABLE, "interrupted", List.of(), e);
            }
            current.compareAndSet(position, position + 1);
            if (attempt + 1 >= addresses.size()) {
                pause(attempt);
            }
        }
        throw answeredError != null ? answeredError : lastError;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(1000, 200L * (attempt + 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record ByteResponse(int statusCode, byte[] body) {}

    private static HerdException toException(HttpResponse<byte[]> response, String address) {
        return toException(new ByteResponse(response.statusCode(), response.body()), address);
    }

    private static HerdException toException(ByteResponse response, String address) {
        String text = new String(response.body(), StandardCharsets.UTF_8);
        try {
            ErrorResponse error = Json.read(text, ErrorResponse.class);
            if (error.error() != null) {
                return error.toException();
            }
        } catch (RuntimeException ignored) {
            // not a Herd error body; fall through
        }
        ErrorCode code = response.statusCode() >= 500 ? ErrorCode.UNAVAILABLE : ErrorCode.INVALID_ARGUMENT;
        return new HerdException(code, address + " answered HTTP " + response.statusCode() + ": "
                + text.substring(0, Math.min(200, text.length())));
    }

    private static String normalize(String address) {
        String trimmed = address.trim();
        if (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.startsWith("http://") || trimmed.startsWith("https://") ? trimmed : "http://" + trimmed;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public Optional<String> currentAddress() {
        return Optional.of(addresses.get(Math.floorMod(current.get(), addresses.size())));
    }

    @Override
    public void close() {
        http.close();
    }
}
