package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static java.util.Objects.requireNonNull;

/**
 * A hard requirement on a node attribute. {@code attr} names a node attribute: {@code node.id},
 * {@code node.name}, or a label as {@code node.<label>} (the {@code node.} prefix is optional).
 *
 * <p>{@code regex} takes one Java regular expression that must match the whole value; {@code version} takes one
 * {@link VersionRange} such as {@code >= 5.4, < 7}. Both are checked by {@link #problem()} when a spec is parsed;
 * {@link #compile()} turns a constraint into a test that a scheduler can run on many nodes.
 */
public record Constraint(String attr, Operator op, List<String> values) {
    public Constraint {
        requireNonNull(attr, "attr is null");
        requireNonNull(op, "op is null");
        values = values == null ? List.of() : List.copyOf(values);
    }

    public enum Operator {
        EQUAL("="), NOT_EQUAL("!="), IN("in"), NOT_IN("not_in"), EXISTS("exists"), REGEX("regex"), VERSION("version");

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

    /**
     * Whether a node whose attribute has {@code value} (null when the node lacks it) satisfies this constraint.
     * Compiles a regex or version range on every call: to test many nodes, {@link #compile()} once.
     */
    public boolean matches(String value) {
        return compile().test(value);
    }

    /**
     * This constraint as a test of attribute values (null: the node lacks the attribute), with its regex or version
     * range compiled once. One that {@link #problem()} rejects matches nothing, so a job that somehow skipped
     * validation stays pending with a reason instead of failing the scheduler.
     */
    public Predicate<String> compile() {
        if (problem().isPresent()) {
            return value -> false;
        }
        return switch (op) {
            case EXISTS -> value -> value != null;
            case EQUAL -> {
                String expected = values.getFirst();
                yield value -> value != null && value.equals(expected);
            }
            case NOT_EQUAL -> {
                String excluded = values.getFirst();
                yield value -> value == null || !value.equals(excluded);
            }
            case IN -> value -> value != null && values.contains(value);
            case NOT_IN -> value -> value == null || !values.contains(value);
            case REGEX -> {
                Pattern pattern = Pattern.compile(values.getFirst());
                yield value -> value != null && pattern.matcher(value).matches();
            }
            case VERSION -> {
                VersionRange range = VersionRange.parse(values.getFirst());
                yield range::contains;
            }
        };
    }

    /** What is wrong with the values for this operator, for people; empty when the constraint is usable. */
    public Optional<String> problem() {
        return switch (op) {
            case EXISTS -> values.isEmpty() ? Optional.empty() : Optional.of("exists takes no value");
            case EQUAL, NOT_EQUAL, REGEX, VERSION -> {
                if (values.size() != 1) {
                    yield Optional.of("'" + op.symbol + "' needs exactly one value");
                }
                if (op == Operator.REGEX) {
                    try {
                        Pattern.compile(values.getFirst());
                    } catch (PatternSyntaxException e) {
                        yield Optional.of("\"" + values.getFirst() + "\" is not a valid regular expression: "
                                + e.getDescription() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
                    }
                }
                if (op == Operator.VERSION) {
                    try {
                        VersionRange.parse(values.getFirst());
                    } catch (IllegalArgumentException e) {
                        yield Optional.of(e.getMessage());
                    }
                }
                yield Optional.empty();
            }
            case IN, NOT_IN -> values.isEmpty() ? Optional.of("'" + op.symbol + "' needs at least one value")
                    : Optional.empty();
        };
    }

    /** The label or built-in attribute name without the optional {@code node.} prefix. */
    public String attributeName() {
        return attr.startsWith("node.") ? attr.substring("node.".length()) : attr;
    }

    @Override
    public String toString() {
        if (values.isEmpty() && op != Operator.EXISTS) {
            return attr + " " + op.symbol;
        }
        return switch (op) {
            case EXISTS -> attr + " exists";
            case EQUAL, NOT_EQUAL -> attr + op.symbol + values.getFirst();
            case IN, NOT_IN -> attr + " " + op.symbol + " [" + String.join(",", values) + "]";
            case REGEX, VERSION -> attr + " " + op.symbol + " " + values.getFirst();
        };
    }
}
