package io.herd.api;

import io.herd.api.Constraint.Operator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConstraintTest {
    @Test
    void regexMatchesTheWholeValue() {
        Constraint constraint = new Constraint("node.name", Operator.REGEX, List.of("web-\\d+"));

        assertThat(constraint.matches("web-12")).isTrue();
        assertThat(constraint.matches("web-12x")).isFalse();
        assertThat(constraint.matches("old-web-12")).isFalse();
        assertThat(constraint.matches(null)).isFalse();
        assertThat(constraint).hasToString("node.name regex web-\\d+");
    }

    @Test
    void versionUsesARange() {
        Constraint constraint = new Constraint("node.kernel", Operator.VERSION, List.of(">= 5.4, < 7"));

        assertThat(constraint.matches("5.15.0-91-generic")).isTrue();
        assertThat(constraint.matches("4.19")).isFalse();
        assertThat(constraint.matches(null)).isFalse();
        assertThat(constraint).hasToString("node.kernel version >= 5.4, < 7");
    }

    @Test
    void problemsSayWhatIsWrong() {
        assertThat(new Constraint("a", Operator.REGEX, List.of("web-(")).problem()).hasValueSatisfying(problem ->
                assertThat(problem).startsWith("\"web-(\" is not a valid regular expression: Unclosed group"));
        assertThat(new Constraint("a", Operator.VERSION, List.of(">= x")).problem())
                .hasValue("\">= x\" is not a version condition such as \">= 5.4\" (an operator >=, >, <=, <, =, != and dotted numbers)");
        assertThat(new Constraint("a", Operator.REGEX, List.of("x", "y")).problem()).hasValue("'regex' needs exactly one value");
        assertThat(new Constraint("a", Operator.VERSION, List.of()).problem()).hasValue("'version' needs exactly one value");
        assertThat(new Constraint("a", Operator.VERSION, List.of()).matches("1.0")).isFalse();
        assertThat(new Constraint("a", Operator.IN, List.of("x")).problem()).isEmpty();
    }
}
