package io.herd.cli;

import io.herd.api.Job;
import io.herd.testkit.FakeClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The history table: each kept version with what changed from the one before it. */
class HistoryCommandTest {
    private static final Instant START = FakeClock.DEFAULT_START;

    @Test
    void eachVersionSaysWhatChangedFromThePreviousKeptOne() {
        Job v4 = JobDiffViewTest.hello(3, "\"-m\", \"http.server\"", "256Mi").withVersion(4, START.plusSeconds(3600));
        Job v5 = v4.withVersion(5, START.plus(Duration.ofHours(2))).withStopped(true);
        List<HistoryCommand.Entry> entries = HistoryCommand.entries(List.of(
                JobDiffViewTest.hello(3, "\"-m\", \"http.server\"", "128Mi").withVersion(3, START.plusSeconds(60)),
                v5,
                JobDiffViewTest.hello(2, "\"-m\", \"http.server\"", "128Mi").withVersion(2, START),
                v4));

        assertThat(String.join("\n", HistoryCommand.table(entries, START.plus(Duration.ofHours(3))).lines())).isEqualTo("""
                VERSION  SUBMITTED  STATUS   CHANGES
                5        1h ago     stopped  no spec change
                4        2h ago              groups[web].tasks[server].resources.memory_bytes 128Mi -> 256Mi
                3        2h ago              groups[web].count 2 -> 3
                2        3h ago              oldest version kept""");
        assertThat(entries.get(1).current()).isFalse();
        assertThat(entries.getFirst().current()).isTrue();
        assertThat(entries.get(2).changes()).singleElement()
                .satisfies(change -> assertThat(change.path()).isEqualTo("groups[web].count"));
    }

    @Test
    void theFirstVersionWasCreated() {
        Job v1 = JobDiffViewTest.hello(1, "\"1\"", "128Mi").withVersion(1, START);
        assertThat(HistoryCommand.table(HistoryCommand.entries(List.of(v1)), START.plusSeconds(5)).lines())
                .containsExactly("VERSION  SUBMITTED  STATUS   CHANGES", "1        5s ago     current  created");
    }
}
