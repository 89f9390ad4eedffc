package io.herd.agent.problems;

import io.herd.api.NodeCondition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the node's problem detectors every interval and keeps their verdicts as node conditions. The heartbeat asks
 * {@link #unsent()} and carries the conditions only when they changed since the server last acknowledged them, so
 * an ordinary heartbeat stays an empty request. A condition's {@code since} moves only when its status does: a
 * changing message (a usage figure) alone is not a change worth reporting.
 */
public final class NodeProblemDetection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeProblemDetection.class);
    /** How often detectors that start a process run at most; see {@link ProblemDetector#minimumInterval()}. */
    static final Duration PROBE_INTERVAL = Duration.ofMinutes(1);

    private final List<ProblemDetector> detectors;
    private final InstantSource clock;
    private final Duration interval;
    /** Guarded by this: the latest condition per type, in detector order. */
    private final Map<String, NodeCondition> conditions = new LinkedHashMap<>();
    /** Guarded by this: what the server acknowledged last; null when it must be sent again. */
    private List<NodeCondition> acknowledged;
    /** When each detector last ran; touched only by the thread running {@link #checkNow()}. */
    private final Map<ProblemDetector, Instant> lastChecked = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread thread;

    public NodeProblemDetection(List<ProblemDetector> detectors, InstantSource clock, Duration interval) {
        this.detectors = List.copyOf(detectors);
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * Runs every detector that is due (see {@link ProblemDetector#minimumInterval()}); a detector that throws is
     * reported unknown rather than stopping the others.
     */
    public void checkNow() {
        Instant now = clock.instant();
        for (ProblemDetector detector : detectors) {
            Instant last = lastChecked.get(detector);
            if (last != null && now.isBefore(last.plus(detector.minimumInterval()))) {
                continue;
            }
            lastChecked.put(detector, now);
            ProblemDetector.Verdict verdict;
            try {
                verdict = detector.check(now);
            } catch (RuntimeException e) {
                verdict = ProblemDetector.Verdict.unknown("DetectorFailed", e.toString());
            }
            record(detector.type(), verdict, now);
        }
    }

    private synchronized void record(String type, ProblemDetector.Verdict verdict, Instant now) {
        NodeCondition previous = conditions.get(type);
        NodeCondition next = previous == null
                ? new NodeCondition(type, verdict.status(), verdict.reason(), verdict.message(), now)
                : previous.update(verdict.status(), verdict.reason(), verdict.message(), now);
        if (previous == null || previous.status() != next.status()) {
            if (next.isTrue()) {
                log.warn("node condition {} is true: {}", type, next.message());
            } else if (previous != null && previous.isTrue()) {
                log.info("node condition {} cleared: {}", type, next.message());
            }
        }
        conditions.put(type, next);
    }

    /** The current conditions. */
    public synchronized List<NodeCondition> conditions() {
        return List.copyOf(conditions.values());
    }

    /**
     * The conditions to send with the next heartbeat: empty when the server has what matters (status, reason and
     * since of each), else all of them.
     */
    public synchronized Optional<List<NodeCondition>> unsent() {
        List<NodeCondition> current = List.copyOf(conditions.values());
        if (acknowledged != null && sameStatuses(acknowledged, current)) {
            return Optional.empty();
        }
        return Optional.of(current);
    }

    /** The server took {@code sent}. */
    public synchronized void acknowledged(List<NodeCondition> sent) {
        acknowledged = List.copyOf(sent);
    }

    /** Sends everything again with the next heartbeat (the node registered again, the server may have lost it). */
    public synchronized void resend() {
        acknowledged = null;
    }

    /** Whether two reports say the same: the same types with the same status and reason. */
    private static boolean sameStatuses(List<NodeCondition> a, List<NodeCondition> b) {
        if (a.size() != b.size()) {
            return false;
        }
        List<String> left = new ArrayList<>();
        List<String> right = new ArrayList<>();
        a.forEach(condition -> left.add(condition.type() + "=" + condition.status() + "/" + condition.reason()));
        b.forEach(condition -> right.add(condition.type() + "=" + condition.status() + "/" + condition.reason()));
        return left.equals(right);
    }

    public synchronized void start() {
        if (thread == null && !detectors.isEmpty()) {
            thread = Thread.ofVirtual().name("herd-problem-detection").start(this::loop);
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Thread.sleep(interval);
                checkNow();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("node problem detection failed; retrying: {}", e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
