package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A typed record of a state change, derived by the replicated state machine from the commands it applies, so
 * that every server holds the same events. Repeats of the same event (same object, reason and message) close in
 * time are folded into one: {@code count} goes up and {@code last} moves on.
 *
 * @param id       stable for the life of the event, also when it is folded
 * @param sequence the position of the event's latest change in the order events changed; a stream resumes after
 *                 the sequence it saw last
 * @param level    {@code Normal} or {@code Warning}
 * @param reason   a short CamelCase word: {@code Scheduled}, {@code Started}, {@code OOMKilled}, {@code NodeDown} …
 * @param kind     what the object is: {@code job}, {@code instance} or {@code node}
 * @param object   the object readably, prefixed by its kind: {@code job/trade_api/checkout},
 *                 {@code instance/trade_api/checkout.web[2]}, {@code node/worker-7}
 * @param message  what happened, in words
 * @param count    how many times it happened between {@code first} and {@code last}
 * @param first    when it first happened (the time of the command it was derived from)
 * @param last     when it last happened
 * @param app      the appcode of the job involved, if any
 * @param job      the job name (without app) involved, if any
 * @param group    the group of the instance involved, if any
 * @param instance the id of the instance involved, if any
 * @param nodeId   the id of the node involved, if any
 * @param node     the name of the node involved, if any
 */
public record Event(
        long id,
        long sequence,
        EventLevel level,
        String reason,
        String kind,
        String object,
        String message,
        long count,
        Instant first,
        Instant last,
        String app,
        String job,
        String group,
        String instance,
        String nodeId,
        String node) {
    public static final String JOB = "job";
    public static final String INSTANCE = "instance";
    public static final String NODE = "node";

    public Event {
        requireNonNull(level, "level is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(object, "object is null");
        requireNonNull(first, "first is null");
        requireNonNull(last, "last is null");
        message = message == null ? "" : message;
    }

    /** The same event seen once more at {@code time}, its latest change now at {@code newSequence}. */
    public Event repeated(long newSequence, Instant time) {
        return new Event(id, newSequence, level, reason, kind, object, message, count + 1, first,
                time.isAfter(last) ? time : last, app, job, group, instance, nodeId, node);
    }

    /** The job id ({@code app/job}) involved, or null. */
    @JsonIgnore
    public String jobId() {
        return app == null || job == null ? null : Job.id(app, job);
    }
}
