package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What the server wants of an instance: keep it running, or stop it. {@code EVICT} is a stop for a preemption: the
 * agent stops it like any other, but the scheduler already handed its resources to the higher-priority instance
 * that preempted it (see {@link Instance#holdsResources()}).
 */
public enum DesiredStatus {
    RUN, STOP, EVICT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DesiredStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
