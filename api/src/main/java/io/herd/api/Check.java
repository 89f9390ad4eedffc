package io.herd.api;

import java.time.Duration;
import java.util.List;

/**
 * A health check of a service, run by the agent of the instance's node.
 *
 * <ul>
 *   <li>{@code http}: GET {@code path} on 127.0.0.1 at the service's port; a 2xx or 3xx answer passes.</li>
 *   <li>{@code tcp}: a connection to 127.0.0.1 at the service's port passes.</li>
 *   <li>{@code exec}: {@code command} with {@code args} (which may use {@code ${HERD_...}} variables) exits 0.</li>
 * </ul>
 *
 * <p>The first check runs {@code grace} after the instance's tasks started, then one every {@code interval}; each
 * gets {@code timeout}. The service becomes healthy after {@code successThreshold} passes in a row and unhealthy
 * after {@code failureThreshold} failures in a row; until its first verdict it is not healthy. A check always
 * gates deployments (readiness); with {@code onFailure} {@link #RESTART} it also restarts the instance's tasks
 * when the service turns unhealthy (liveness), which counts against the group's restart policy.
 */
public record Check(
        String type,
        String path,
        String command,
        List<String> args,
        Duration interval,
        Duration timeout,
        Duration grace,
        int successThreshold,
        int failureThreshold,
        String onFailure) {
    public static final String HTTP = "http";
    public static final String TCP = "tcp";
    public static final String EXEC = "exec";
    /** {@code on_failure: restart}: the agent restarts the tasks when the check turns unhealthy. */
    public static final String RESTART = "restart";
    /** {@code on_failure: none} (the default): an unhealthy check only marks the instance unhealthy. */
    public static final String NONE = "none";

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public Check {
        args = args == null ? List.of() : List.copyOf(args);
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        grace = grace == null ? Duration.ZERO : grace;
        successThreshold = successThreshold < 1 ? 1 : successThreshold;
        failureThreshold = failureThreshold < 1 ? 1 : failureThreshold;
        onFailure = onFailure == null ? NONE : onFailure;
    }

    /** An http or tcp check with the other settings at their defaults. */
    public Check(String type, String path, Duration interval, Duration timeout) {
        this(type, path, null, List.of(), interval, timeout, Duration.ZERO, 1, 1, NONE);
    }

    /** Whether an unhealthy verdict restarts the instance's tasks. */
    public boolean restartsOnFailure() {
        return RESTART.equals(onFailure);
    }
}
