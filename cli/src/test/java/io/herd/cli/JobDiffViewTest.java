package io.herd.cli;

import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.PlacementFailure;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobDiff.Action;
import io.herd.api.wire.JobDiff.InstanceChange;
import io.herd.api.wire.SpecDiff;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a diff reads: field changes with + - ~, instances with what happens to them, and the plan in one line. */
class JobDiffViewTest {
    static final String SPEC = """
            job: hello
            app: demo
            groups:
              - name: web
                count: %d
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /usr/bin/python3, args: [%s]}
                    resources: {cpu: 250m, memory: %s}
            """;

    static Job hello(int count, String args, String memory) {
        return JobSpecParser.parse(SPEC.formatted(count, args, memory));
    }

    /** web from 2 to 4 instances with new args and more memory: two replaced (one unplaceable), one placed. */
    static JobDiff changedDiff() {
        Job before = hello(2, "\"-m\", \"http.server\"", "128Mi");
        Job after = hello(4, "\"-m\", \"http.server\", \"8080\"", "256Mi");
        return new JobDiff("demo/hello", 3, 4, false, true, SpecDiff.between(before, after), List.of(
                new InstanceChange(Action.REPLACE, "web", 0, "hello.web[0]", "3f2a9c1b-0000", "node-a", "node-b",
                        "replaced by version 4"),
                new InstanceChange(Action.REPLACE, "web", 1, "hello.web[1]", "77aa0011-0000", "node-b", null,
                        "replaced by version 4; the replacement cannot be placed"),
                new InstanceChange(Action.PLACE, "web", 2, "hello.web[2]", null, null, "node-a", null)),
                List.of(new PlacementFailure("web", 2, 2, Map.of("insufficient memory", 2))));
    }

    @Test
    void changedJob() {
        assertThat(String.join("\n", JobDiffView.lines(changedDiff()))).isEqualTo("""
                Job demo/hello: version 3 -> 4

                  ~ groups[web].count: 2 -> 4
                  ~ groups[web].tasks[server].config.args: ["-m","http.server"] -> ["-m","http.server","8080"]
                  ~ groups[web].tasks[server].resources.memory_bytes: 128Mi -> 256Mi

                Instances:
                  -/+ hello.web[0]  replace on node-a (3f2a9c1b) -> node-b
                  -/+ hello.web[1]  replace on node-b (77aa0011), but the replacement cannot be placed
                  +   hello.web[2]  place on node-a

                  ! cannot place 2 instances of group web: 2 nodes: insufficient memory

                Plan: 1 to place, 2 to replace, 0 to stop; 2 unplaceable: 2 nodes: insufficient memory""");
    }

    @Test
    void countChangeKeepsInstancesInPlaceAndStops() {
        JobDiff diff = new JobDiff("demo/hello", 1, 2, false, true,
                SpecDiff.between(hello(3, "\"1\"", "128Mi"), hello(2, "\"1\"", "128Mi")), List.of(
                new InstanceChange(Action.IN_PLACE, "web", 0, "hello.web[0]", "aaaaaaaa-1", "node-a", null, null),
                new InstanceChange(Action.IN_PLACE, "web", 1, "hello.web[1]", "bbbbbbbb-1", "node-b", null, null),
                new InstanceChange(Action.STOP, "web", 2, "hello.web[2]", "cccccccc-1", "node-a", null, "scaled down")),
                List.of());
        assertThat(JobDiffView.lines(diff)).containsExactly(
                "Job demo/hello: version 1 -> 2",
                "",
                "  ~ groups[web].count: 3 -> 2",
                "",
                "Instances:",
                "  ~   hello.web[0]  in place on node-a (aaaaaaaa)",
                "  ~   hello.web[1]  in place on node-b (bbbbbbbb)",
                "  -   hello.web[2]  stop on node-a (cccccccc): scaled down",
                "",
                "Plan: 0 to place, 0 to replace, 1 to stop, 2 in place");
    }

    @Test
    void newJobSpellsOutEveryField() {
        JobDiff diff = new JobDiff("demo/hello", 0, 1, false, true, SpecDiff.between(null, hello(1, "\"1\"", "128Mi")),
                List.of(new InstanceChange(Action.PLACE, "web", 0, "hello.web[0]", null, null, "node-a", null)), List.of());
        assertThat(JobDiffView.lines(diff)).containsExactly(
                "Job demo/hello does not exist yet: it would be created as version 1",
                "",
                "  + name: hello",
                "  + app: demo",
                "  + type: service",
                "  + priority: 200",
                "  + groups[web].name: web",
                "  + groups[web].count: 1",
                "  + groups[web].update.max_parallel: 1",
                "  + groups[web].update.min_healthy_time: 10s",
                "  + groups[web].update.healthy_deadline: 5m",
                "  + groups[web].update.auto_revert: false",
                "  + groups[web].update.max_surge: 0",
                "  + groups[web].update.progress_deadline: 10m",
                "  + groups[web].update.canary: 0",
                "  + groups[web].update.auto_promote: false",
                "  + groups[web].restart.attempts: 3",
                "  + groups[web].restart.interval: 5m",
                "  + groups[web].restart.delay: 5s",
                "  + groups[web].restart.max_delay: 1m",
                "  + groups[web].tasks[server].name: server",
                "  + groups[web].tasks[server].driver: exec",
                "  + groups[web].tasks[server].config.command: /usr/bin/python3",
                "  + groups[web].tasks[server].config.args: [\"1\"]",
                "  + groups[web].tasks[server].resources.cpu_millis: 250m",
                "  + groups[web].tasks[server].resources.memory_bytes: 128Mi",
                "  + groups[web].tasks[server].resources.disk_bytes: 0",
                "  + groups[web].tasks[server].kill_timeout: 5s",
                "",
                "Instances:",
                "  +   hello.web[0]  place on node-a",
                "",
                "Plan: 1 to place, 0 to replace, 0 to stop");
    }

    @Test
    void unchangedAndStoppedJobs() {
        JobDiff unchanged = new JobDiff("demo/hello", 3, 3, false, false, List.of(), List.of(
                new InstanceChange(Action.UNCHANGED, "web", 0, "hello.web[0]", "aaaaaaaa-1", "node-a", null, null)),
                List.of());
        assertThat(JobDiffView.lines(unchanged)).containsExactly("Job demo/hello is unchanged at version 3: nothing to do");

        JobDiff stopped = new JobDiff("demo/hello", 3, 4, true, true, List.of(), List.of(
                new InstanceChange(Action.PLACE, "web", 0, "hello.web[0]", null, null, "node-a", null)), List.of());
        assertThat(JobDiffView.lines(stopped)).startsWith(
                "Job demo/hello version 3 is stopped: it would start again as version 4", "", "Instances:");
    }

    @Test
    void removedGroupIsSpelledOutWithMinus() {
        Job withDb = JobSpecParser.parse(SPEC.formatted(1, "\"1\"", "128Mi") + """
                  - name: db
                    tasks:
                      - name: pg
                        driver: exec
                        config: {command: /usr/bin/postgres}
                """);
        List<String> lines = JobDiffView.changeLines(SpecDiff.between(withDb, hello(1, "\"1\"", "128Mi")));
        assertThat(lines).allMatch(line -> line.startsWith("  - groups[db]."))
                .contains("  - groups[db].tasks[pg].config.command: /usr/bin/postgres");
    }
}
