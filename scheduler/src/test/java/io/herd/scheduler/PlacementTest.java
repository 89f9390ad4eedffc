package io.herd.scheduler;

import io.herd.api.Constraint.Operator;
import io.herd.api.DesiredStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.herd.scheduler.SchedulerHarness.countByNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class PlacementTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    @Test
    void placesCountInstancesWithEverythingFilledIn() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = Jobs.job("hello").app("demo").version(7)
                .group(Jobs.group("web").count(3)
                        .task(Jobs.task("server").cpu("250m").memory("128Mi").ports("http"))
                        .task(Jobs.task("sidecar").cpu("50m").memory("32Mi")))
                .build();

        Plan plan = harness.process(job);

        assertThat(plan.evaluationId()).isEqualTo("eval-1");
        assertThat(plan.jobId()).isEqualTo("demo/hello");
        assertThat(plan.jobVersion()).isEqualTo(7);
        assertThat(plan.stops()).isEmpty();
        assertThat(plan.failures()).isEmpty();
        assertThat(plan.placements()).extracting(Instance::index).containsExactly(0, 1, 2);
        for (Instance instance : plan.placements()) {
            assertThat(UUID.fromString(instance.id()).version()).isEqualTo(4);
            assertThat(instance.app()).isEqualTo("demo");
            assertThat(instance.job()).isEqualTo("hello");
            assertThat(instance.group()).isEqualTo("web");
            assertThat(instance.jobVersion()).isEqualTo(7);
            assertThat(instance.nodeName()).isEqualTo(instance.nodeId());
            assertThat(instance.resources()).isEqualTo(new Resources(300, 160L << 20, 0));
            assertThat(instance.ports()).containsOnlyKeys("http");
            assertThat(instance.state()).isEqualTo(InstanceState.PENDING);
            assertThat(instance.desired()).isEqualTo(DesiredStatus.RUN);
            assertThat(instance.tasks()).containsOnly(entry("server", TaskState.pending()), entry("sidecar", TaskState.pending()));
            assertThat(instance.previousInstanceId()).isNull();
            assertThat(instance.createTime()).isEqualTo(harness.clock.instant());
            assertThat(instance.modifyTime()).isEqualTo(harness.clock.instant());
        }
        assertThat(plan.placements()).extracting(Instance::id).doesNotHaveDuplicates();
    }

    @Test
    void binPackingPrefersTheNodeLeftFullest() {
        Node empty = Nodes.node("n1").build();
        Node busy = Nodes.node("n2").build();
        Job other = Jobs.job("other").group(Jobs.group("db").task(Jobs.task("db").cpu("2").memory("4Gi"))).build();
        harness.cluster.add(empty, busy).add(Instances.instance(other, "db", 0).node(busy).build());

        Plan plan = harness.process(Jobs.job("hello").build());

        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n2");
    }

    @Test
    void binPackingPrefersTheSmallerNodeThatFits() {
        harness.cluster.add(
                Nodes.node("big").cpu("16").memory("64Gi").build(),
                Nodes.node("small").cpu("2").memory("4Gi").build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").task(Jobs.task("server").cpu("1").memory("2Gi"))).build());

        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("small");
    }

    @Test
    void aCpuHeavyInstanceGoesWhereMemoryIsLeftOverRatherThanStrandingMore() {
        Node cpuHeavy = Nodes.node("n1").cpu("8").memory("32Gi").build();
        Node memoryHeavy = Nodes.node("n2").cpu("8").memory("32Gi").build();
        Job other = Jobs.job("other")
                .group(Jobs.group("compute").task(Jobs.task("compute").cpu("4").memory("2Gi")))
                .group(Jobs.group("cache").task(Jobs.task("cache").cpu("1").memory("8Gi"))).build();
        // n1 is the fuller (half its cpu against an eighth of n2's cpu and a quarter of its memory), so best fit
        // alone picks it, and leaves n1 with 7 of 8 cpus used and 29Gi of memory that little can use.
        harness.cluster.add(cpuHeavy, memoryHeavy)
                .add(Instances.instance(other, "compute", 0).node(cpuHeavy).build())
                .add(Instances.instance(other, "cache", 0).node(memoryHeavy).build());
        Job job = Jobs.job("hello").group(Jobs.group("web").task(Jobs.task("server").cpu("3").memory("1Gi"))).build();

        assertThat(harness.process(job).placements()).singleElement().extracting(Instance::nodeId)
                .isEqualTo("n2");
        harness.config(SchedulerConfig.DEFAULT.withBalanceWeight(0));
        assertThat(harness.process(job).placements()).singleElement().extracting(Instance::nodeId)
                .isEqualTo("n1");
    }

    @Test
    void antiAffinitySpreadsAJobOverNodes() {
        harness.cluster.add(Nodes.nodes("n", 3));

        Plan plan = harness.process(Jobs.job("hello").group(Jobs.group("web").count(6)).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("n1", 2L), entry("n2", 2L), entry("n3", 2L));
    }

    @Test
    void antiAffinityCountsInstancesAlreadyRunning() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job job = Jobs.job("hello").group(Jobs.group("web").count(2)).build();
        harness.cluster.add(Instances.instance(job, "web", 0).node("n1").build());

        Plan plan = harness.process(job);

        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n2");
    }

    @Test
    void spreadsAcrossRacksRatherThanJustNodes() {
        harness.cluster.add(
                Nodes.node("n1").label("rack", "r1").build(),
                Nodes.node("n2").label("rack", "r1").build(),
                Nodes.node("n3").label("rack", "r1").build(),
                Nodes.node("n4").label("rack", "r2").build());

        Plan plan = harness.process(Jobs.job("hello").group(Jobs.group("web").count(2).spread("node.rack")).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("n1", 1L), entry("n4", 1L));
    }

    @Test
    void spreadBalancesRacksAndCountsExistingInstances() {
        harness.cluster.add(
                Nodes.node("n1").label("rack", "r1").build(),
                Nodes.node("n2").label("rack", "r1").build(),
                Nodes.node("n3").label("rack", "r2").build(),
                Nodes.node("n4").label("rack", "r2").build());
        Job job = Jobs.job("hello").group(Jobs.group("web").count(6).spread("rack")).build();
        harness.cluster.add(
                Instances.instance(job, "web", 0).node("n1").build(),
                Instances.instance(job, "web", 1).node("n2").build());

        Plan plan = harness.process(job);

        Map<String, Long> perRack = plan.placements().stream()
                .collect(Collectors.groupingBy(instance -> harness.cluster.node(instance.nodeId()).orElseThrow()
                        .labels().get("rack"), Collectors.counting()));
        assertThat(perRack).containsOnly(entry("r1", 1L), entry("r2", 3L));
    }

    @Test
    void spreadUsesNodesWithoutTheAttributeLast() {
        harness.cluster.add(
                Nodes.node("a-unlabelled").build(),
                Nodes.node("n1").label("rack", "r1").build(),
                Nodes.node("n2").label("rack", "r2").build());

        Plan plan = harness.process(Jobs.job("hello").group(Jobs.group("web").count(2).spread("node.rack")).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("n1", 1L), entry("n2", 1L));
    }

    static Stream<Arguments> constraints() {
        return Stream.of(
                Arguments.of(Operator.EQUAL, List.of("a"), Set.of("n1")),
                Arguments.of(Operator.NOT_EQUAL, List.of("a"), Set.of("n2", "n3")),
                Arguments.of(Operator.IN, List.of("a", "b"), Set.of("n1", "n2")),
                Arguments.of(Operator.NOT_IN, List.of("a"), Set.of("n2", "n3")),
                Arguments.of(Operator.EXISTS, List.of(), Set.of("n1", "n2")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("constraints")
    void eachConstraintOperatorSelectsTheMatchingNodes(Operator op, List<String> values, Set<String> expectedNodes) {
        harness.cluster.add(
                Nodes.node("n1").label("zone", "a").build(),
                Nodes.node("n2").label("zone", "b").build(),
                Nodes.node("n3").build());

        Plan jobLevel = harness.process(Jobs.job("job-level")
                .constraint("node.zone", op, values.toArray(String[]::new))
                .group(Jobs.group("web").count(4)).build());
        Plan groupLevel = harness.process(Jobs.job("group-level")
                .group(Jobs.group("web").count(4).constraint("zone", op, values.toArray(String[]::new))).build());

        for (Plan plan : List.of(jobLevel, groupLevel)) {
            assertThat(plan.failures()).isEmpty();
            assertThat(plan.placements()).hasSize(4);
            assertThat(countByNode(plan.placements()).keySet()).isEqualTo(new TreeSet<>(expectedNodes));
        }
    }

    @Test
    void constraintsOnBuiltInAttributes() {
        harness.cluster.add(Nodes.node("n1").id("id-1").build(), Nodes.node("n2").id("id-2").build());

        Plan byName = harness.process(Jobs.job("by-name").constraint("node.name", Operator.EQUAL, "n2").build());
        Plan byId = harness.process(Jobs.job("by-id").constraint("node.id", Operator.NOT_EQUAL, "id-1").build());

        assertThat(byName.placements()).singleElement().extracting(Instance::nodeName).isEqualTo("n2");
        assertThat(byId.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("id-2");
    }

    @Test
    void anUnmetConstraintIsReportedWithTheConstraint() {
        harness.cluster.add(
                Nodes.node("n1").label("zone", "a").build(),
                Nodes.node("n2").label("zone", "b").build(),
                Nodes.node("n3").label("zone", "c").build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(2).constraint("node.zone", Operator.IN, "a", "b")
                        .constraint("node.zone", Operator.EQUAL, "c"))
                .build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.unplaced()).isEqualTo(2);
            assertThat(failure.nodesEvaluated()).isEqualTo(3);
            // Each node counts only the first constraint it fails.
            assertThat(failure.reasons()).containsOnly(
                    entry("constraint node.zone=c not met", 2), entry("constraint node.zone in [a,b] not met", 1));
        });
    }

    @Test
    void aMissingDriverRejectsTheNode() {
        harness.cluster.add(Nodes.nodes("n", 2)).add(Nodes.node("n3").driver("exec").driver("java").build());
        Job job = Jobs.job("hello").group(Jobs.group("web").count(2)
                .task(Jobs.task("main").driver("java"))
                .task(Jobs.task("helper").driver("exec"))).build();

        Plan plan = harness.process(job);

        assertThat(countByNode(plan.placements())).containsOnly(entry("n3", 2L));
        harness.cluster.add(Nodes.node("n3").build());
        assertThat(harness.process(job).failures()).singleElement()
                .extracting(PlacementFailure::summary).isEqualTo("3 nodes: missing driver java");
    }

    @Test
    void insufficientMemoryIsCountedOncePerNode() {
        harness.cluster.add(
                Nodes.node("n1").memory("1Gi").build(),
                Nodes.node("n2").memory("1Gi").build(),
                Nodes.node("n3").memory("1Gi").build(),
                Nodes.node("n4").status(NodeStatus.DOWN).build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(5).task(Jobs.task("server").memory("2Gi"))).build());

        assertThat(plan.placements()).isEmpty();
        PlacementFailure failure = plan.failures().getFirst();
        assertThat(failure.group()).isEqualTo("web");
        assertThat(failure.unplaced()).isEqualTo(5);
        assertThat(failure.nodesEvaluated()).isEqualTo(4);
        assertThat(failure.summary()).isEqualTo("3 nodes: insufficient memory; 1 node: node down");
    }

    @Test
    void placesWhatFitsAndReportsTheRest() {
        harness.cluster.add(
                Nodes.node("n1").cpu("1").build(),
                Nodes.node("n2").cpu("2").build(),
                Nodes.node("n3").status(NodeStatus.DRAINING).build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(5).task(Jobs.task("server").cpu("1"))).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("n1", 1L), entry("n2", 2L));
        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.unplaced()).isEqualTo(2);
            assertThat(failure.summary()).isEqualTo("2 nodes: insufficient cpu; 1 node: node draining");
        });
    }

    @Test
    void resourcesAreCheckedInTheOrderCpuMemoryDisk() {
        harness.cluster.add(
                Nodes.node("n1").cpu("1").memory("1Gi").disk("1Gi").build(),
                Nodes.node("n2").cpu("8").memory("1Gi").disk("1Gi").build(),
                Nodes.node("n3").cpu("8").memory("16Gi").disk("1Gi").build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").task(Jobs.task("server").cpu("2").memory("2Gi").disk("2Gi"))).build());

        assertThat(plan.failures().getFirst().reasons()).containsOnly(
                entry("insufficient cpu", 1), entry("insufficient memory", 1), entry("insufficient disk", 1));
    }

    @Test
    void aFailingGroupDoesNotStopTheOthers() {
        harness.cluster.add(Nodes.nodes("n", 2));
        Job job = Jobs.job("hello")
                .group(Jobs.group("huge").task(Jobs.task("server").memory("1Ti")))
                .group(Jobs.group("web").count(2))
                .build();

        Plan plan = harness.process(job);

        assertThat(plan.placements()).extracting(Instance::group).containsExactly("web", "web");
        assertThat(plan.failures()).extracting(PlacementFailure::group).containsExactly("huge");
    }

    @Test
    void withoutNodesThereAreNoReadyNodes() {
        Plan plan = harness.process(Jobs.job("hello").build());

        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.nodesEvaluated()).isZero();
            assertThat(failure.summary()).isEqualTo("no ready nodes");
        });
    }

    @Test
    void portsAreDistinctPerNodeAndInTheNodesRange() {
        Node node = Nodes.node("n1").ports(20000, 20009).build();
        Job other = Jobs.job("other").group(Jobs.group("db").task(Jobs.task("db").ports("db"))).build();
        harness.cluster.add(node).add(Instances.instance(other, "db", 0).node(node).port("db", 20003).build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(5).task(Jobs.task("server").cpu("10m").memory("4Mi").ports("http", "admin")))
                .build());

        assertThat(plan.placements()).hasSize(4);
        List<Integer> ports = plan.placements().stream().flatMap(instance -> instance.ports().values().stream()).toList();
        assertThat(ports).hasSize(8).doesNotHaveDuplicates().doesNotContain(20003).allMatch(node.ports()::contains);
        assertThat(plan.failures()).singleElement().extracting(PlacementFailure::summary).isEqualTo("1 node: no free ports");
    }

    @Test
    void terminalInstancesFreeTheirResourcesAndPorts() {
        Node node = Nodes.node("n1").cpu("1").ports(20000, 20000).build();
        Job job = Jobs.job("hello").group(Jobs.group("web").task(Jobs.task("server").cpu("1").ports("http"))).build();
        harness.cluster.add(node).add(Instances.instance(job, "web", 0).node(node).port("http", 20000)
                .state(InstanceState.COMPLETE).build());

        Plan plan = harness.process(job);

        assertThat(plan.placements()).singleElement().satisfies(instance -> assertThat(instance.ports()).containsEntry("http", 20000));
    }

    @Test
    void theSameSeedGivesTheSamePlanAndAnotherSeedOtherIds() {
        Job job = Jobs.job("hello").group(Jobs.group("web").count(10).task(Jobs.task("server").ports("http"))).build();
        SchedulerHarness first = new SchedulerHarness().seed(7);
        SchedulerHarness second = new SchedulerHarness().seed(7);
        SchedulerHarness third = new SchedulerHarness().seed(8);
        for (SchedulerHarness each : List.of(first, second, third)) {
            each.cluster.add(Nodes.nodes("n", 4));
        }

        Plan plan = first.process(job);

        assertThat(second.process(job)).isEqualTo(plan);
        Set<String> otherIds = third.process(job).placements().stream().map(Instance::id).collect(Collectors.toSet());
        assertThat(otherIds).doesNotContainAnyElementsOf(plan.placements().stream().map(Instance::id).toList());
    }

    @Test
    void aHundredInstancesSpreadOverAHundredNodes() {
        // Speed is measured by the bench module, never asserted here.
        harness.cluster.add(Nodes.nodes("n", 100));
        Job job = Jobs.job("hello").group(Jobs.group("web").count(100).task(Jobs.task("server").ports("http"))).build();

        Plan plan = harness.process(job);

        assertThat(plan.placements()).hasSize(100);
        assertThat(new HashSet<>(plan.placements().stream().map(Instance::nodeId).toList())).hasSize(100);
    }
}
