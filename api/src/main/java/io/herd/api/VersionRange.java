package io.herd.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * A range of versions such as {@code >= 5.4, < 7}, for the {@code version} constraint operator: clauses joined by
 * commas, all of which must hold. A clause is an operator ({@code >= > <= < = == !=}; none means {@code =}) and a
 * version of dotted numbers ({@code 5}, {@code 5.4}, {@code 5.4.0}).
 *
 * <p>Versions compare part by part as numbers, a missing part counting as 0 ({@code 5.4 = 5.4.0}). A node's
 * version is read from the start of its attribute value: an optional {@code v}, then dotted numbers; whatever
 * follows ({@code -91-generic}, {@code +build}) is ignored, so {@code 5.15.0-91-generic} is 5.15.0. A value that
 * does not start with a number is no version and matches no range.
 */
public record VersionRange(String text, List<Clause> clauses) {
    private static final Pattern CLAUSE = Pattern.compile("(>=|<=|!=|==|>|<|=)?\\s*(\\d+(?:\\.\\d+)*)");
    private static final Pattern LEADING_VERSION = Pattern.compile("[vV]?(\\d+(?:\\.\\d+)*)");
    /** More digits than fit a long are not a version anyone writes; refusing them keeps comparison simple. */
    private static final int MAX_DIGITS = 18;

    public VersionRange {
        requireNonNull(text, "text is null");
        clauses = List.copyOf(clauses);
    }

    public enum Comparison {
        AT_LEAST(">="), MORE_THAN(">"), AT_MOST("<="), LESS_THAN("<"), EQUAL("="), NOT_EQUAL("!=");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }

        boolean holds(int comparison) {
            return switch (this) {
                case AT_LEAST -> comparison >= 0;
                case MORE_THAN -> comparison > 0;
                case AT_MOST -> comparison <= 0;
                case LESS_THAN -> comparison < 0;
                case EQUAL -> comparison == 0;
                case NOT_EQUAL -> comparison != 0;
            };
        }

        static Comparison of(String symbol) {
            return switch (symbol == null ? "=" : symbol) {
                case ">=" -> AT_LEAST;
                case ">" -> MORE_THAN;
                case "<=" -> AT_MOST;
                case "<" -> LESS_THAN;
                case "!=" -> NOT_EQUAL;
                default -> EQUAL;
            };
        }

        public String symbol() {
            return symbol;
        }
    }

    /** One condition: the version compared with {@code version} must satisfy {@code comparison}. */
    public record Clause(Comparison comparison, long[] version) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Clause clause && comparison == clause.comparison
                    && Arrays.equals(version, clause.version);
        }

        @Override
        public int hashCode() {
            return 31 * comparison.hashCode() + Arrays.hashCode(version);
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(comparison.symbol()).append(' ');
            for (int i = 0; i < version.length; i++) {
                text.append(i == 0 ? "" : ".").append(version[i]);
            }
            return text.toString();
        }
    }

    /**
     * Parses {@code >= 5.4, < 7}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong, for people
     */
    public static VersionRange parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a version range must not be empty (e.g. \">= 5.4, < 7\")");
        }
        List<Clause> clauses = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String clause = part.strip();
            Matcher matcher = CLAUSE.matcher(clause);
            if (clause.isEmpty() || !matcher.matches()) {
                throw new IllegalArgumentException("\"" + clause + "\" is not a version condition such as \">= 5.4\""
                        + " (an operator >=, >, <=, <, =, != and dotted numbers)");
            }
            long[] version = numbers(matcher.group(2))
                    .orElseThrow(() -> new IllegalArgumentException("\"" + clause + "\" has a number too large"));
            clauses.add(new Clause(Comparison.of(matcher.group(1)), version));
        }
        return new VersionRange(text, clauses);
    }

    /** Whether a node whose attribute is {@code value} (null: absent) has a version within this range. */
    public boolean contains(String value) {
        Optional<long[]> version = leadingVersion(value);
        if (version.isEmpty()) {
            return false;
        }
        for (Clause clause : clauses) {
            if (!clause.comparison().holds(compare(version.get(), clause.version()))) {
                return false;
            }
        }
        return true;
    }

    /** The dotted numbers at the start of {@code value}, suffixes ignored; empty when it does not start with one. */
    public static Optional<long[]> leadingVersion(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher matcher = LEADING_VERSION.matcher(value.strip());
        if (!matcher.lookingAt()) {
            return Optional.empty();
        }
        return numbers(matcher.group(1));
    }

    /** Part by part; a missing part counts as 0. */
    static int compare(long[] left, long[] right) {
        for (int i = 0; i < Math.max(left.length, right.length); i++) {
            int comparison = Long.compare(i < left.length ? left[i] : 0, i < right.length ? right[i] : 0);
            if (comparison != 0) {
                return comparison;
            }
        }
        return 0;
    }

    private static Optional<long[]> numbers(String dotted) {
        String[] parts = dotted.split("\\.");
        long[] numbers = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].length() > MAX_DIGITS) {
                return Optional.empty();
            }
            numbers[i] = Long.parseLong(parts[i]);
        }
        return Optional.of(numbers);
    }

    @Override
    public String toString() {
        return text;
    }
}
