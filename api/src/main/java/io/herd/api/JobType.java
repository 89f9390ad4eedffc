package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** {@code service} runs forever, {@code batch} runs to completion, {@code cron} is batch on a schedule. */
public enum JobType {
    SERVICE, BATCH, CRON;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static JobType fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
