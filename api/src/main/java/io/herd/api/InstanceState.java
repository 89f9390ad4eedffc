package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where an instance is in its life. {@code complete}, {@code failed} and {@code lost} are terminal. */
public enum InstanceState {
    PENDING, RUNNING, COMPLETE, FAILED, LOST;

    public boolean isTerminal() {
        return this == COMPLETE || this == FAILED || this == LOST;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static InstanceState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
