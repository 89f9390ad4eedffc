package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Whether the scheduler may place new instances on a node. An {@code ineligible} node keeps what runs on it; a
 * drain makes its node ineligible, and the node stays so after the drain until an operator turns it back on.
 */
public enum NodeEligibility {
    ELIGIBLE, INELIGIBLE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static NodeEligibility fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
