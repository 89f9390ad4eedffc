package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * {@code pending}: waiting for a scheduler worker. {@code complete}: every instance placed or stopped.
 * {@code blocked}: some instances could not be placed; re-run when capacity changes. {@code failed}: gave up.
 */
public enum EvaluationStatus {
    PENDING, COMPLETE, BLOCKED, FAILED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EvaluationStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
