package io.herd.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableWriterTest {
    @Test
    void alignsColumnsOnTheWidestCellWithoutTrailingBlanks() {
        TableWriter table = new TableWriter("ID", "NAME", "STATE")
                .row("3f2a9c1b", "hello.web[0]", "running")
                .row("77", "hello.web[10]", null)
                .row("a", "b", "failed");
        assertThat(table.lines()).containsExactly(
                "ID        NAME           STATE",
                "3f2a9c1b  hello.web[0]   running",
                "77        hello.web[10]",
                "a         b              failed");
        assertThat(table.size()).isEqualTo(3);
    }

    @Test
    void printsTheHeaderAloneWhenEmpty() {
        StringWriter out = new StringWriter();
        new TableWriter("ID", "NAME").print(new PrintWriter(out));
        assertThat(out.toString()).isEqualTo("ID  NAME" + System.lineSeparator());
    }

    @Test
    void cellsAreFormattedWithToString() {
        assertThat(new TableWriter("N", "X").row(42, 1.5).lines()).containsExactly("N   X", "42  1.5");
    }

    @Test
    void rejectsRowsOfTheWrongWidth() {
        assertThatThrownBy(() -> new TableWriter("A", "B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 2 cells, got 1");
    }
}
