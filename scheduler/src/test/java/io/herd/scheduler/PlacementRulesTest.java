package io.herd.scheduler;

import io.herd.api.Constraint;
import io.herd.api.Constraint.Operator;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.herd.scheduler.SchedulerHarness.countByNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Constraints with regex and version ranges, affinities, spread targets and per-node limits, through
 * {@link Scheduler#process}: what lands where, and the reasons counted for what does not.
 */
class PlacementRulesTest {
    private final SchedulerHarness harness = new SchedulerHarness();

    private static Node kernel(String name, String version) {
        return Nodes.node(name).label("kernel", version).build();
    }

    private static Map<String, Long> countByLabel(InMemoryCluster cluster, List<Instance> placements, String label) {
        return placements.stream().collect(Collectors.groupingBy(
                instance -> cluster.node(instance.nodeId()).orElseThrow().labels().getOrDefault(label, "-"),
                TreeMap::new, Collectors.counting()));
    }

    @Test
    void regexMustMatchTheWholeValue() {
        harness.cluster.add(
                Nodes.node("web-1").build(), Nodes.node("web-22").build(),
                Nodes.node("db-web-3").build(), Nodes.node("web-x").build());

        Plan plan = harness.process(Jobs.job("hello")
                .constraint("node.name", Operator.REGEX, "web-[0-9]+")
                .group(Jobs.group("web").count(6)).build());

        assertThat(countByNode(plan.placements())).containsOnlyKeys("web-1", "web-22");
    }

    @Test
    void regexOnAMissingLabelDoesNotMatch() {
        harness.cluster.add(Nodes.node("n1").build(), Nodes.node("n2").label("pool", "gpu-a100").build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").constraint("node.pool", Operator.REGEX, "gpu-.*")).build());

        assertThat(plan.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n2");
    }

    @Test
    void versionRangeComparesDottedNumbersIgnoringSuffixes() {
        harness.cluster.add(
                kernel("old", "4.19.0-25-amd64"),
                kernel("edge", "5.4"),
                kernel("mid", "5.15.0-91-generic"),
                kernel("newer", "6.8.12"),
                kernel("next", "7.0.0-rc1"),
                kernel("text", "unknown"),
                Nodes.node("bare").build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(30).constraint("node.kernel", Operator.VERSION, ">= 5.4, < 7")).build());

        assertThat(countByNode(plan.placements())).containsOnlyKeys("edge", "mid", "newer");
    }

    @Test
    void unplacedInstancesCountEachRejectionReason() {
        harness.cluster.add(
                kernel("k1", "4.4"), kernel("k2", "4.9"), kernel("k3", "3.10"), kernel("k4", "5.3.99"),
                kernel("ok1", "5.10"), kernel("ok2", "6.1"));

        Plan plan = harness.process(Jobs.job("hello").group(Jobs.group("web").count(5).distinctHosts()
                .constraint("node.kernel", Operator.VERSION, ">= 5.4")).build());

        assertThat(plan.placements()).extracting(Instance::nodeId).containsExactlyInAnyOrder("ok1", "ok2");
        PlacementFailure failure = plan.failures().getFirst();
        assertThat(failure.unplaced()).isEqualTo(3);
        assertThat(failure.reasons()).containsOnly(
                entry("constraint node.kernel version >= 5.4 not met", 4),
                entry("distinct_hosts: already runs an instance of web", 2));
        assertThat(failure.summary()).isEqualTo("4 nodes: constraint node.kernel version >= 5.4 not met; "
                + "2 nodes: distinct_hosts: already runs an instance of web");
    }

    @Test
    void anInvalidConstraintThatSkippedTheParserMatchesNothingInsteadOfFailingTheScheduler() {
        harness.cluster.add(kernel("n1", "5.10"));

        Plan plan = harness.process(Jobs.job("hello").group(Jobs.group("web")
                .constraint(new Constraint("node.kernel", Operator.VERSION, List.of(">= five")))).build());

        assertThat(plan.placements()).isEmpty();
        assertThat(plan.failures().getFirst().reasons())
                .containsOnly(entry("constraint node.kernel version >= five not met", 1));
    }

    @Test
    void distinctHostsCountsInstancesAlreadyRunning() {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job job = Jobs.job("hello").group(Jobs.group("web").count(3).distinctHosts()).build();
        harness.cluster.add(Instances.instance(job, "web", 0).node("n2").build());

        Plan plan = harness.process(job);

        assertThat(plan.placements()).extracting(Instance::nodeId).containsExactlyInAnyOrder("n1", "n3");
        assertThat(plan.failures()).isEmpty();
    }

    @Test
    void distinctHostsHoldsEvenWhenBinPackingWouldStack() {
        // Without distinct_hosts, bin packing and a weak anti-affinity stack instances on the fuller node.
        harness.config(SchedulerConfig.DEFAULT.withJobAntiAffinityPenalty(0));
        harness.cluster.add(Nodes.nodes("n", 4));

        Plan stacked = harness.process(Jobs.job("stacked").group(Jobs.group("web").count(4)).build());
        Plan distinct = harness.process(Jobs.job("distinct").group(Jobs.group("web").count(4).distinctHosts()).build());

        assertThat(countByNode(stacked.placements())).hasSize(1);
        assertThat(countByNode(distinct.placements())).containsOnly(
                entry("n1", 1L), entry("n2", 1L), entry("n3", 1L), entry("n4", 1L));
    }

    @Test
    void maxPerNodeCapsEachNode() {
        harness.config(SchedulerConfig.DEFAULT.withJobAntiAffinityPenalty(0));
        harness.cluster.add(Nodes.nodes("n", 2));

        Plan plan = harness.process(Jobs.job("hello").group(Jobs.group("web").count(5).maxPerNode(2)).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("n1", 2L), entry("n2", 2L));
        assertThat(plan.failures()).singleElement().satisfies(failure -> {
            assertThat(failure.unplaced()).isEqualTo(1);
            assertThat(failure.reasons())
                    .containsOnly(entry("max_per_node: already runs 2 instances of web (the maximum)", 2));
        });
    }

    @Test
    void maxPerNodeLimitsOnlyItsOwnGroup() {
        harness.config(SchedulerConfig.DEFAULT.withJobAntiAffinityPenalty(0));
        harness.cluster.add(Nodes.nodes("n", 1));

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(2).maxPerNode(2))
                .group(Jobs.group("cache").count(3).maxPerNode(3)).build());

        assertThat(plan.placements()).hasSize(5);
        assertThat(plan.failures()).isEmpty();
    }

    @Test
    void affinityChangesTheChoiceButNotFeasibility() {
        Node busyA = Nodes.node("a1").label("zone", "a").build();
        Node emptyB = Nodes.node("b1").label("zone", "b").build();
        Node fullC = Nodes.node("c1").label("zone", "c").cpu("50m").build();
        Job other = Jobs.job("other").group(Jobs.group("db").task(Jobs.task("db").cpu("2").memory("4Gi"))).build();
        harness.cluster.add(busyA, emptyB, fullC).add(Instances.instance(other, "db", 0).node(busyA).build());

        Plan packed = harness.process(Jobs.job("plain").build());
        Plan preferB = harness.process(Jobs.job("prefer-b")
                .group(Jobs.group("web").affinity("node.zone", Operator.EQUAL, 50, "b")).build());
        Plan avoidA = harness.process(Jobs.job("avoid-a")
                .group(Jobs.group("web").affinity("node.zone", Operator.EQUAL, -50, "a")).build());
        // Zone c cannot take the instance (too little cpu): an affinity for it changes nothing.
        Plan preferC = harness.process(Jobs.job("prefer-c")
                .affinity("node.zone", Operator.EQUAL, 100, "c").build());

        assertThat(packed.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("a1");
        assertThat(preferB.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("b1");
        assertThat(avoidA.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("b1");
        assertThat(preferC.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("a1");
        assertThat(preferC.failures()).isEmpty();
    }

    @Test
    void strongerAffinitiesWinAndJobAndGroupAffinitiesAdd() {
        harness.cluster.add(
                Nodes.node("n1").label("zone", "a").label("disk", "hdd").build(),
                Nodes.node("n2").label("zone", "b").label("disk", "ssd").build());

        Plan zoneWins = harness.process(Jobs.job("zone-wins")
                .affinity("node.zone", Operator.EQUAL, 80, "a")
                .group(Jobs.group("web").affinity("node.disk", Operator.EQUAL, 30, "ssd")).build());
        Plan diskWins = harness.process(Jobs.job("disk-wins")
                .affinity("node.zone", Operator.EQUAL, 20, "a")
                .group(Jobs.group("web").affinity("node.disk", Operator.IN, 90, "ssd", "nvme")).build());

        assertThat(zoneWins.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n1");
        assertThat(diskWins.placements()).singleElement().extracting(Instance::nodeId).isEqualTo("n2");
    }

    @Test
    void spreadTargetsSplitTheCountByPercent() {
        for (int i = 1; i <= 4; i++) {
            harness.cluster.add(Nodes.node("a" + i).label("zone", "a").build(),
                    Nodes.node("b" + i).label("zone", "b").build());
        }

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(10).spread("node.zone", "a", 70, "b", 30)).build());

        assertThat(countByLabel(harness.cluster, plan.placements(), "zone")).containsOnly(entry("a", 7L), entry("b", 3L));
    }

    @Test
    void spreadTargetsCountInstancesAlreadyRunning() {
        for (int i = 1; i <= 4; i++) {
            harness.cluster.add(Nodes.node("a" + i).label("zone", "a").build(),
                    Nodes.node("b" + i).label("zone", "b").build());
        }
        Job job = Jobs.job("hello").group(Jobs.group("web").count(10).spread("node.zone", "a", 70, "b", 30)).build();
        for (int index = 0; index < 3; index++) {
            harness.cluster.add(Instances.instance(job, "web", index).node("b" + (index + 1)).build());
        }

        Plan plan = harness.process(job);

        assertThat(countByLabel(harness.cluster, plan.placements(), "zone")).containsOnly(entry("a", 7L));
    }

    @Test
    void valuesNotListedShareTheRest() {
        for (String zone : List.of("a", "b", "c")) {
            for (int i = 1; i <= 3; i++) {
                harness.cluster.add(Nodes.node(zone + i).label("zone", zone).build());
            }
        }

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(10).spread("node.zone", "a", 60)).build());

        assertThat(countByLabel(harness.cluster, plan.placements(), "zone"))
                .containsOnly(entry("a", 6L), entry("b", 2L), entry("c", 2L));
    }

    @Test
    void aValueWithZeroPercentIsUsedOnlyWhenNothingElseFits() {
        // a1 holds exactly three instances, of cpu and memory alike: the balance score has no reason to avoid it.
        harness.cluster.add(
                Nodes.node("a1").label("zone", "a").cpu("300m").memory("384Mi").build(),
                Nodes.node("b1").label("zone", "b").build());

        Plan plan = harness.process(Jobs.job("hello")
                .group(Jobs.group("web").count(4).spread("node.zone", "a", 100, "b", 0)).build());

        assertThat(countByNode(plan.placements())).containsOnly(entry("a1", 3L), entry("b1", 1L));
    }
}
