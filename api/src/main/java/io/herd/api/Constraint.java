package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A hard requirement on a node attribute. {@code attr} names a node attribute: {@code node.id},
 * {@code node.name}, or a label as {@code node.<label>} (the {@code node.} prefix is optional).
 */
public record Constraint(String attr, Operator op, List<String> values) {
    public Constraint {
        requireNonNull(attr, "attr is null");
        requireNonNull(op, "op is null");
        values = values == null ? List.of() : List.copyOf(values);
    }

    public enum Operator {
        EQUAL("="), NOT_EQUAL("!="), IN("in"), NOT_IN("not_in"), EXISTS("exists");

        private final String symbol;

        Operator(String symbol) {
            this.symbol = symbol;
        }

        @JsonValue
        public String symbol() {
            return symbol;
        }

        public static Optional<Operator> fromSymbol(String symbol) {
            String normalized = "==".equals(symbol) ? "=" : symbol;
            return Arrays.stream(values()).filter(op -> op.symbol.equals(normalized)).findFirst();
        }

        @JsonCreator
        public static Operator parse(String symbol) {
            return fromSymbol(symbol).orElseThrow(() -> new IllegalArgumentException("unknown operator " + symbol));
        }
    }

    /** Whether a node whose attribute has {@code value} (null when the node lacks it) satisfies this constraint. */
    public boolean matches(String value) {
        return switch (op) {
            case EXISTS -> value != null;
            case EQUAL -> value != null && value.equals(values.getFirst());
            case NOT_EQUAL -> value == null || !value.equals(values.getFirst());
            case IN -> value != null && values.contains(value);
            case NOT_IN -> value == null || !values.contains(value);
        };
    }

    /** The label or built-in attribute name without the optional {@code node.} prefix. */
    public String attributeName() {
        return attr.startsWith("node.") ? attr.substring("node.".length()) : attr;
    }

    @Override
    public String toString() {
        return switch (op) {
            case EXISTS -> attr + " exists";
            case EQUAL, NOT_EQUAL -> attr + op.symbol + values.getFirst();
            case IN, NOT_IN -> attr + " " + op.symbol + " [" + String.join(",", values) + "]";
        };
    }
}
