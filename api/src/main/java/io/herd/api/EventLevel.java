package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** How much an {@link Event} deserves attention: {@code Normal} for expected progress, {@code Warning} otherwise. */
public enum EventLevel {
    NORMAL("Normal"), WARNING("Warning");

    private final String wireName;

    EventLevel(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Accepts {@code Normal}, {@code normal}, {@code WARNING} …; null for anything else. */
    public static EventLevel parse(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "normal" -> NORMAL;
            case "warning" -> WARNING;
            default -> null;
        };
    }

    @JsonCreator
    static EventLevel fromWireName(String name) {
        EventLevel level = parse(name);
        if (level == null) {
            throw new IllegalArgumentException("not an event level: " + name);
        }
        return level;
    }
}
