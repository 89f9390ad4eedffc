package io.herd.api;

import io.herd.api.Constraint.Operator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The placement fields of a job spec: constraints, affinities, spread, distinct_hosts, max_per_node. */
class JobSpecParserPlacementTest {
    private static final String TASKS = "    tasks: [{name: server, driver: exec, config: {command: /bin/true}}]\n";

    private static String spec(String jobFields, String groupFields) {
        return "job: hello\napp: demo\n" + jobFields + "groups:\n  - name: web\n    count: 10\n" + groupFields + TASKS;
    }

    private static List<ErrorDetail> errors(String text) {
        HerdException error = catchThrowableOfType(HerdException.class, () -> JobSpecParser.parse(text));
        assertThat(error).as("expected the spec to be rejected").isNotNull();
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_JOB_SPEC);
        return error.details();
    }

    @Test
    void parsesEveryPlacementField() {
        Job job = JobSpecParser.parse(spec("""
                constraints:
                  - {attr: node.kernel, op: version, values: [">= 5.4, < 7"]}
                affinities:
                  - {attr: node.zone, op: =, values: [a], weight: 50}
                """, """
                    constraints:
                      - {attr: node.name, op: regex, value: "web-[0-9]+"}
                    affinities:
                      - {attr: node.disk, op: in, values: [ssd, nvme], weight: 30}
                      - {attr: node.zone, value: c, weight: -100}
                    spread: {attr: node.zone, targets: [{value: a, percent: 70}, {value: b, percent: 30}]}
                    distinct_hosts: true
                    max_per_node: 2
                """));

        assertThat(job.constraints()).containsExactly(
                new Constraint("node.kernel", Operator.VERSION, List.of(">= 5.4, < 7")));
        assertThat(job.affinities()).containsExactly(new Affinity("node.zone", Operator.EQUAL, List.of("a"), 50));
        Group group = job.groups().getFirst();
        assertThat(group.constraints()).containsExactly(
                new Constraint("node.name", Operator.REGEX, List.of("web-[0-9]+")));
        assertThat(group.affinities()).containsExactly(
                new Affinity("node.disk", Operator.IN, List.of("ssd", "nvme"), 30),
                new Affinity("node.zone", Operator.EQUAL, List.of("c"), -100));
        assertThat(group.spread()).isEqualTo(new Spread("node.zone",
                List.of(new Spread.Target("a", 70), new Spread.Target("b", 30))));
        assertThat(group.distinctHosts()).isTrue();
        assertThat(group.maxPerNode()).isEqualTo(2);
        assertThat(group.perNodeLimit()).isEqualTo(1);
    }

    @Test
    void defaultsLeaveEveryInstanceFreeToShareANode() {
        Group group = JobSpecParser.parse(spec("", "    spread: {attr: node.rack}\n")).groups().getFirst();

        assertThat(group.affinities()).isEmpty();
        assertThat(group.spread()).isEqualTo(new Spread("node.rack"));
        assertThat(group.distinctHosts()).isFalse();
        assertThat(group.maxPerNode()).isNull();
        assertThat(group.perNodeLimit()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void theNewFieldsSurviveTheWireFormat() throws Exception {
        Job job = JobSpecParser.parse(spec("affinities: [{attr: node.zone, value: a, weight: 50}]\n", """
                    affinities: [{attr: node.zone, op: version, value: ">= 1", weight: -5}]
                    spread: {attr: node.zone, targets: [{value: a, percent: 70}]}
                    distinct_hosts: true
                    max_per_node: 3
                """));

        String json = Json.mapper().writeValueAsString(job);

        assertThat(json).contains("\"distinct_hosts\":true", "\"max_per_node\":3", "\"targets\":[{\"value\":\"a\",\"percent\":70}]",
                "\"op\":\"version\"");
        assertThat(Json.mapper().readValue(json, Job.class)).isEqualTo(job);
        // A job stored before these fields existed reads back with their defaults.
        Job old = Json.mapper().readValue(json.replace("\"distinct_hosts\":true,", "")
                .replace("\"max_per_node\":3,", "").replace(",\"targets\":[{\"value\":\"a\",\"percent\":70}]", ""), Job.class);
        assertThat(old.groups().getFirst().distinctHosts()).isFalse();
        assertThat(old.groups().getFirst().maxPerNode()).isNull();
        assertThat(old.groups().getFirst().spread()).isEqualTo(new Spread("node.zone"));
        // Defaults are left out, so that specs that do not use these fields look as they did.
        String plain = Json.mapper().writeValueAsString(JobSpecParser.parse(spec("", "    spread: {attr: node.rack}\n")));
        assertThat(plain).doesNotContain("distinct_hosts", "max_per_node", "targets");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            // constraints
            "regex that does not compile | `    constraints: [{attr: node.name, op: regex, value: \"web-(\"}]` | groups[0].constraints[0].value | `\"web-(\" is not a valid regular expression: Unclosed group at index 5`",
            "regex with two values | `    constraints: [{attr: node.name, op: regex, values: [a, b]}]` | groups[0].constraints[0].values | `'regex' needs exactly one value`",
            "version that is not a range | `    constraints: [{attr: node.kernel, op: version, value: \">= five\"}]` | groups[0].constraints[0].value | `\">= five\" is not a version condition such as \">= 5.4\" (an operator >=, >, <=, <, =, != and dotted numbers)`",
            "version with an empty clause | `    constraints: [{attr: node.kernel, op: version, values: [\">= 5.4,\"]}]` | groups[0].constraints[0].values | `\"\" is not a version condition such as \">= 5.4\" (an operator >=, >, <=, <, =, != and dotted numbers)`",
            "version without a value | `    constraints: [{attr: node.kernel, op: version}]` | groups[0].constraints[0].value | `'version' needs exactly one value`",
            "unknown operator | `    constraints: [{attr: node.kernel, op: semver, value: \"1\"}]` | groups[0].constraints[0].op | `\"semver\" is not an operator (=, !=, in, not_in, exists, regex, version)`",
            // affinities
            "affinity without weight | `    affinities: [{attr: node.zone, value: a}]` | groups[0].affinities[0].weight | `is required: -100 to 100, negative to avoid matching nodes`",
            "affinity weight too large | `    affinities: [{attr: node.zone, value: a, weight: 101}]` | groups[0].affinities[0].weight | `101 is not a weight: -100 to 100, not 0 (negative to avoid matching nodes)`",
            "affinity weight too small | `    affinities: [{attr: node.zone, value: a, weight: -101}]` | groups[0].affinities[0].weight | `-101 is not a weight: -100 to 100, not 0 (negative to avoid matching nodes)`",
            "affinity weight zero | `    affinities: [{attr: node.zone, value: a, weight: 0}]` | groups[0].affinities[0].weight | `0 is not a weight: -100 to 100, not 0 (negative to avoid matching nodes)`",
            "affinity weight not a number | `    affinities: [{attr: node.zone, value: a, weight: high}]` | groups[0].affinities[0].weight | `\"high\" is not a whole number`",
            "affinity with a bad regex | `    affinities: [{attr: node.zone, op: regex, value: \"[\", weight: 5}]` | groups[0].affinities[0].value | `\"[\" is not a valid regular expression: Unclosed character class at index 0`",
            "affinity without attr | `    affinities: [{value: a, weight: 5}]` | groups[0].affinities[0].attr | `is required`",
            "affinity unknown field | `    affinities: [{attr: node.zone, value: a, weight: 5, score: 1}]` | groups[0].affinities[0].score | `unknown field (expected one of: attr, op, value, values, weight)`",
            "affinities not a list | `    affinities: {attr: node.zone}` | groups[0].affinities | `must be a list such as [{attr: node.zone, op: =, value: a, weight: 50}]`",
            // spread
            "spread targets over 100 | `    spread: {attr: node.zone, targets: [{value: a, percent: 70}, {value: b, percent: 40}]}` | groups[0].spread.targets | `the percentages add up to 110, more than 100`",
            "spread target percent out of range | `    spread: {attr: node.zone, targets: [{value: a, percent: 170}]}` | groups[0].spread.targets[0].percent | `170 is out of range 0-100`",
            "spread target without percent | `    spread: {attr: node.zone, targets: [{value: a}]}` | groups[0].spread.targets[0].percent | `is required: 0 to 100`",
            "spread target without value | `    spread: {attr: node.zone, targets: [{percent: 10}]}` | groups[0].spread.targets[0].value | `is required`",
            "spread target listed twice | `    spread: {attr: node.zone, targets: [{value: a, percent: 10}, {value: a, percent: 20}]}` | groups[0].spread.targets[1].value | `\"a\" is listed twice`",
            "spread targets empty | `    spread: {attr: node.zone, targets: []}` | groups[0].spread.targets | `must be a non-empty list such as [{value: a, percent: 70}, {value: b, percent: 30}]`",
            "spread target unknown field | `    spread: {attr: node.zone, targets: [{value: a, percent: 10, weight: 1}]}` | groups[0].spread.targets[0].weight | `unknown field (expected one of: percent, value)`",
            "spread unknown field | `    spread: {attr: node.zone, even: true}` | groups[0].spread.even | `unknown field (expected one of: attr, targets)`",
            // per-node limits
            "distinct_hosts not a boolean | `    distinct_hosts: yes please` | groups[0].distinct_hosts | `\"yes please\" is not true or false`",
            "max_per_node zero | `    max_per_node: 0` | groups[0].max_per_node | `must be at least 1`",
            "max_per_node not a number | `    max_per_node: many` | groups[0].max_per_node | `\"many\" is not a whole number`",
            "unknown group field | `    distinct_nodes: true` | groups[0].distinct_nodes | `unknown field (expected one of: affinities, constraints, count, distinct_hosts, max_per_node, name, restart, services, spread, tasks, update, volumes)`",
    })
    void rejectsBadGroupFieldsWithTheirPath(String name, String groupFields, String path, String message) {
        assertThat(errors(spec("", groupFields + "\n"))).containsExactly(new ErrorDetail(path, message));
    }

    @Test
    void rejectsBadJobLevelAffinitiesWithTheirPath() {
        assertThat(errors(spec("affinities: [{attr: node.zone, value: a, weight: 500}, {attr: node.kernel, op: version, value: x, weight: 5}]\n", "")))
                .containsExactly(
                        new ErrorDetail("affinities[0].weight", "500 is not a weight: -100 to 100, not 0 (negative to avoid matching nodes)"),
                        new ErrorDetail("affinities[1].value", "\"x\" is not a version condition such as \">= 5.4\" (an operator >=, >, <=, <, =, != and dotted numbers)"));
    }

    @Test
    void reportsEveryProblemAtOnce() {
        assertThat(errors(spec("constraints: [{attr: node.kernel, op: version, value: \">= x\"}]\n", """
                    constraints: [{attr: node.name, op: regex, value: "("}]
                    max_per_node: -1
                    distinct_hosts: 1
                """))).extracting(ErrorDetail::path).containsExactly(
                "constraints[0].value", "groups[0].constraints[0].value", "groups[0].distinct_hosts",
                "groups[0].max_per_node");
    }
}
