package io.herd.server;

import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.Json;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobDiff.ChangeType;
import io.herd.api.wire.JobDiff.FieldChange;
import io.herd.api.wire.SpecDiff;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Field-level differences between job specs, found by walking their JSON trees. */
class SpecDiffTest {
    private static final String WEB = """
              - name: web
                count: 3
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /usr/bin/python3, args: ["-m", "http.server"]}
                    env: {LOG_LEVEL: info}
                    resources: {cpu: 250m, memory: 128Mi}
            """;
    private static final String DB = """
              - name: db
                tasks:
                  - name: postgres
                    driver: exec
                    config: {command: /usr/bin/postgres}
            """;

    @Test
    void sameSpecHasNoChangesWhateverTheServerAdded() {
        Job job = job(WEB);
        assertThat(SpecDiff.between(job, job.withVersion(7, Instant.now()).withStopped(true))).isEmpty();
        assertThat(SpecDiff.summary(List.of())).isEqualTo("no spec change");
    }

    @Test
    void scalarChangesCarryOldAndNewValues() {
        List<FieldChange> changes = SpecDiff.between(job(WEB), job(WEB.replace("count: 3", "count: 5")
                .replace("memory: 128Mi", "memory: 256Mi").replace("cpu: 250m", "cpu: 1")));
        assertThat(changes).extracting(SpecDiff::describe).containsExactly(
                "groups[web].count 3 -> 5",
                "groups[web].tasks[server].resources.cpu_millis 250m -> 1",
                "groups[web].tasks[server].resources.memory_bytes 128Mi -> 256Mi");
        assertThat(changes.getFirst().oldValue().asInt()).isEqualTo(3);
        assertThat(changes.getFirst().newValue().asInt()).isEqualTo(5);
        assertThat(SpecDiff.summary(changes)).isEqualTo("groups[web].count 3 -> 5, "
                + "groups[web].tasks[server].resources.cpu_millis 250m -> 1, "
                + "groups[web].tasks[server].resources.memory_bytes 128Mi -> 256Mi");
    }

    @Test
    void listsOfValuesChangeAsAWhole() {
        List<FieldChange> changes = SpecDiff.between(job(WEB), job(WEB.replace("\"http.server\"", "\"http.server\", \"8080\"")));
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.type()).isEqualTo(ChangeType.CHANGED);
            assertThat(change.path()).isEqualTo("groups[web].tasks[server].config.args");
            assertThat(change.newValue().toString()).isEqualTo("[\"-m\",\"http.server\",\"8080\"]");
            assertThat(SpecDiff.describe(change)).isEqualTo("groups[web].tasks[server].config.args changed");
        });
    }

    @Test
    void namedEntriesAreMatchedByNameNotPosition() {
        // db inserted before web: one group added, web unchanged although its position moved.
        List<FieldChange> added = SpecDiff.between(job(WEB), job(DB + WEB));
        assertThat(added).singleElement().satisfies(change -> {
            assertThat(change.type()).isEqualTo(ChangeType.ADDED);
            assertThat(change.path()).isEqualTo("groups[db]");
            assertThat(change.oldValue()).isNull();
            assertThat(change.newValue().get("name").asText()).isEqualTo("db");
        });
        assertThat(SpecDiff.between(job(DB + WEB), job(WEB))).extracting(SpecDiff::describe)
                .containsExactly("groups[db] removed");

        // Swapping two groups is one change of the list's order.
        assertThat(SpecDiff.between(job(DB + WEB), job(WEB + DB))).singleElement().satisfies(change -> {
            assertThat(change.path()).isEqualTo("groups");
            assertThat(change.oldValue().toString()).isEqualTo("[\"db\",\"web\"]");
            assertThat(change.newValue().toString()).isEqualTo("[\"web\",\"db\"]");
        });
    }

    @Test
    void mapEntriesAreAddedRemovedAndChanged() {
        List<FieldChange> changes = SpecDiff.between(job(WEB),
                job(WEB.replace("{LOG_LEVEL: info}", "{LOG_LEVEL: debug, DEBUG: \"1\"}")));
        assertThat(changes).extracting(SpecDiff::describe).containsExactly(
                "groups[web].tasks[server].env.DEBUG added",
                "groups[web].tasks[server].env.LOG_LEVEL info -> debug");
        assertThat(SpecDiff.child("labels", "a.b")).isEqualTo("labels[\"a.b\"]");
        assertThat(SpecDiff.child("", "job")).isEqualTo("job");
    }

    @Test
    void newJobIsEverythingAdded() {
        List<FieldChange> changes = SpecDiff.between(null, job(WEB));
        assertThat(changes).allMatch(change -> change.type() == ChangeType.ADDED);
        assertThat(changes).extracting(FieldChange::path).containsExactly("name", "app", "type", "priority", "groups");
    }

    @Test
    void summaryShowsThreeChangesAndCountsTheRest() {
        List<FieldChange> changes = SpecDiff.between(job(WEB), job(WEB.replace("count: 3", "count: 5")
                .replace("memory: 128Mi", "memory: 256Mi").replace("cpu: 250m", "cpu: 1")
                .replace("LOG_LEVEL: info", "LOG_LEVEL: debug").replace("/usr/bin/python3", "/usr/bin/python")));
        assertThat(SpecDiff.summary(changes)).endsWith(" and 2 more");
    }

    @Test
    void changesTravelAsOldAndNew() {
        List<FieldChange> changes = SpecDiff.between(job(WEB), job(WEB.replace("count: 3", "count: 5")));
        JobDiff diff = new JobDiff("demo/hello", 1, 2, false, true, changes, List.of(), List.of());
        String json = Json.write(diff);
        assertThat(json).contains("{\"type\":\"changed\",\"path\":\"groups[web].count\",\"old\":3,\"new\":5}");
        assertThat(Json.read(json, JobDiff.class)).isEqualTo(diff);
    }

    private static Job job(String groups) {
        return JobSpecParser.parse("job: hello\napp: demo\ngroups:\n" + groups);
    }
}
