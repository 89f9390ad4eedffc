package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Where a deployment stands. {@code running} and {@code paused} (canaries placed, waiting for
 * {@code herd promote}) are active; the others are final.
 */
public enum DeploymentStatus {
    RUNNING, PAUSED, SUCCESSFUL, FAILED, CANCELLED;

    public boolean isActive() {
        return this == RUNNING || this == PAUSED;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static DeploymentStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
