package io.herd.api;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NodeTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Node node() {
        return new Node("n1", "host-1", "127.0.0.1:7710", new Resources(4000, 8L << 30, 0), Map.of("zone", "a"),
                Set.of("exec"), PortRange.DEFAULT, NodeStatus.READY, T0, T0);
    }

    private static NodeCondition condition(String type, ConditionStatus status) {
        return new NodeCondition(type, status, "Reason", "message", T0);
    }

    @Test
    void aNodeWithoutTheNewFieldsIsEligibleNotDrainingAndWithoutConditions() {
        Node node = node();
        assertThat(node.eligibility()).isEqualTo(NodeEligibility.ELIGIBLE);
        assertThat(node.drain()).isNull();
        assertThat(node.conditions()).isEmpty();
        assertThat(node.placementBlocker()).isEmpty();
    }

    @Test
    void aSnapshotWrittenBeforeTheNewFieldsReadsAsAnEligibleNode() {
        String old = """
                {"id":"n1","name":"host-1","address":"127.0.0.1:7710","capacity":{"cpu_millis":4000,
                "memory_bytes":8589934592,"disk_bytes":0},"status":"ready"}""";
        Node node = Json.read(old, Node.class);
        assertThat(node.eligibility()).isEqualTo(NodeEligibility.ELIGIBLE);
        assertThat(node.conditions()).isEmpty();
        assertThat(node.drain()).isNull();
    }

    @Test
    void theNewFieldsSurviveJson() {
        Node node = node().withEligibility(NodeEligibility.INELIGIBLE)
                .withDrain(new NodeDrain(T0, T0.plusSeconds(600), false))
                .withConditions(List.of(condition(NodeCondition.MEMORY_PRESSURE, ConditionStatus.FALSE),
                        condition(NodeCondition.DISK_PRESSURE, ConditionStatus.TRUE)));
        String json = Json.write(node);
        assertThat(json).contains("\"eligibility\":\"ineligible\"", "\"status\":\"true\"", "\"deadline\":")
                .doesNotContain("\"draining\"", "\"true\":");
        assertThat(Json.read(json, Node.class)).isEqualTo(node);
        assertThat(node.conditions()).extracting(NodeCondition::type)
                .containsExactly(NodeCondition.DISK_PRESSURE, NodeCondition.MEMORY_PRESSURE);
    }

    @Test
    void whatStopsNewPlacementsSaysWhy() {
        assertThat(node().withStatus(NodeStatus.DOWN, T0).placementBlocker()).contains("node down");
        assertThat(node().withDrain(new NodeDrain(T0, T0, false)).placementBlocker()).contains("node draining");
        assertThat(node().withEligibility(NodeEligibility.INELIGIBLE).placementBlocker()).contains("node ineligible");
        assertThat(node().withConditions(List.of(condition(NodeCondition.DISK_PRESSURE, ConditionStatus.TRUE)))
                .placementBlocker()).contains("node has disk pressure");
        // Warnings, unknowns and cleared problems place as usual.
        assertThat(node().withConditions(List.of(condition(NodeCondition.KERNEL_OOM_KILL, ConditionStatus.TRUE),
                condition(NodeCondition.MEMORY_PRESSURE, ConditionStatus.UNKNOWN),
                condition(NodeCondition.PID_PRESSURE, ConditionStatus.FALSE))).placementBlocker()).isEmpty();
    }

    @Test
    void aConditionsSinceMovesOnlyWithItsStatus() {
        NodeCondition first = condition(NodeCondition.DISK_PRESSURE, ConditionStatus.FALSE);
        NodeCondition sameStatus = first.update(ConditionStatus.FALSE, "DiskAvailable", "81% used", T0.plusSeconds(10));
        NodeCondition changed = sameStatus.update(ConditionStatus.TRUE, "DiskLow", "95% used", T0.plusSeconds(20));
        assertThat(sameStatus.since()).isEqualTo(T0);
        assertThat(sameStatus.message()).isEqualTo("81% used");
        assertThat(changed.since()).isEqualTo(T0.plusSeconds(20));
    }
}
