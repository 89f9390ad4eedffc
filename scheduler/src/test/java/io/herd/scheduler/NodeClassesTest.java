package io.herd.scheduler;

import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Resources;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scoring one node per equivalence class must choose exactly what scoring every node chooses: the same nodes, the
 * same ids and ports (the random draws happen in the same order), the same failure and reasons. Cells are drawn
 * from a few machine shapes so that classes form and break apart as placements land, with racks for spread (even
 * or with targets), affinities and constraints, a few nodes that are down or have only a handful of ports,
 * instances already running, distinct_hosts and max_per_node, and nodes to avoid.
 */
class NodeClassesTest {
    private static final List<Resources> SHAPES = List.of(
            new Resources(4000, 8L << 30, 100L << 30),
            new Resources(8000, 16L << 30, 0),
            new Resources(2000, 4L << 30, 10L << 30));
    private static final List<SchedulerConfig> CONFIGS = List.of(
            SchedulerConfig.DEFAULT,
            // No penalties at all: many more ties between classes, which must still go to the smallest node id.
            new SchedulerConfig(1.0, 0, 0, 0, 0),
            new SchedulerConfig(0, 0.5, 1.0, 2.0, 3.0));

    record NodeSpec(int shape, int rack, boolean down, int ports, int load) {}

    /**
     * @param limit 0: none, 1: distinct_hosts, 2 or 3: max_per_node
     * @param rules a mask: 1 affinities on the rack, 2 spread targets (with spread), 4 a regex constraint on the rack
     */
    record GroupSpec(int count, int cpuTenths, int memoryQuarters, int diskGigabytes, int ports, boolean spread,
            int limit, int rules) {}

    @Provide
    Arbitrary<List<NodeSpec>> cells() {
        return Combinators.combine(
                Arbitraries.integers().between(0, SHAPES.size() - 1),
                Arbitraries.integers().between(0, 3),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(9, false), net.jqwik.api.Tuple.of(1, true)),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(4, 100), net.jqwik.api.Tuple.of(1, 3)),
                Arbitraries.integers().between(0, 3))
                .as(NodeSpec::new).list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<GroupSpec> groups() {
        return Combinators.combine(
                Arbitraries.integers().between(1, 60),
                Arbitraries.integers().between(1, 20),
                Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 2),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 7))
                .as(GroupSpec::new);
    }

    @Property(tries = 500)
    void classesChooseExactlyWhatScoringEveryNodeChooses(@ForAll("cells") List<NodeSpec> cell,
            @ForAll("groups") GroupSpec groupSpec, @ForAll @IntRange(min = 0, max = 2) int configIndex,
            @ForAll @IntRange(min = 0, max = 10) int avoidPercent, @ForAll boolean otherLikeWeb, @ForAll long seed) {
        InMemoryCluster cluster = new InMemoryCluster();
        Resources webResources = new Resources(groupSpec.cpuTenths() * 100L, groupSpec.memoryQuarters() * (256L << 20),
                groupSpec.diskGigabytes() * (1L << 30));
        // Another job's instances the size of the group's: nodes that differ only in presence then look alike.
        Job other = Jobs.job("other").group(Jobs.group("db").task(Jobs.task("db")
                .resources(otherLikeWeb ? webResources : new Resources(500, 1L << 30, 0)))).build();
        for (int i = 0; i < cell.size(); i++) {
            NodeSpec spec = cell.get(i);
            Nodes.Builder builder = Nodes.node(String.format("n%02d", i)).capacity(SHAPES.get(spec.shape()))
                    .ports(20000, 20000 + spec.ports() - 1).status(spec.down() ? NodeStatus.DOWN : NodeStatus.READY);
            if (spec.rack() > 0) {
                builder.label("rack", "r" + spec.rack());
            }
            Node node = builder.build();
            cluster.add(node);
            for (int load = 0; load < spec.load(); load++) {
                cluster.add(Instances.instance(other, "db", i * 10 + load).node(node).build());
            }
        }
        Jobs.TaskBuilder task = Jobs.task("main").resources(webResources);
        IntStream.range(0, groupSpec.ports()).forEach(port -> task.ports("port" + port));
        Jobs.GroupBuilder groupBuilder = Jobs.group("web").count(groupSpec.count()).task(task);
        if (groupSpec.spread()) {
            if ((groupSpec.rules() & 2) != 0) {
                groupBuilder.spread("node.rack", "r1", 50, "r2", 20);
            } else {
                groupBuilder.spread("node.rack");
            }
        }
        if ((groupSpec.rules() & 1) != 0) {
            groupBuilder.affinity("node.rack", io.herd.api.Constraint.Operator.EQUAL, 40, "r1")
                    .affinity("node.rack", io.herd.api.Constraint.Operator.IN, -70, "r2", "r3");
        }
        if ((groupSpec.rules() & 4) != 0) {
            groupBuilder.constraint("node.rack", io.herd.api.Constraint.Operator.REGEX, "r[12]");
        }
        if (groupSpec.limit() == 1) {
            groupBuilder.distinctHosts();
        } else if (groupSpec.limit() > 1) {
            groupBuilder.maxPerNode(groupSpec.limit());
        }
        Job job = Jobs.job("hello").group(groupBuilder).build();
        Group group = job.groups().getFirst();
        SplittableRandom draws = new SplittableRandom(seed);
        // Some of the job already runs: presence counts for anti-affinity and spread.
        List<Instance> existing = new ArrayList<>();
        for (int i = 0; i < cell.size(); i++) {
            if (draws.nextInt(4) == 0) {
                Instance instance = Instances.instance(job, "web", groupSpec.count() + i)
                        .node(String.format("n%02d", i)).build();
                existing.add(instance);
                cluster.add(instance);
            }
        }
        List<PlacementRequest> requests = new ArrayList<>();
        for (int index = 0; index < groupSpec.count(); index++) {
            String avoid = draws.nextInt(100) < avoidPercent * 10
                    ? String.format("n%02d", draws.nextInt(cell.size())) : null;
            requests.add(new PlacementRequest(group, index, avoid == null ? null : "previous-" + index, avoid));
        }
        SchedulerConfig config = CONFIGS.get(configIndex);

        Placer.GroupOutcome scanned = new Placer(config, cluster, job, existing, Set.of(), new SplittableRandom(seed),
                FakeClock.DEFAULT_START, Integer.MAX_VALUE).place(group, requests);
        Placer.GroupOutcome classified = new Placer(config, cluster, job, existing, Set.of(), new SplittableRandom(seed),
                FakeClock.DEFAULT_START, 1).place(group, requests);

        assertThat(classified).isEqualTo(scanned);
    }

    @Test
    void aClassHandsOutItsNodesInIdOrder() {
        NodeClasses.NodeClass nodeClass = new NodeClasses.NodeClass(null);
        for (int rank : new int[] {7, 3, 9, 1, 4, 8, 2}) {
            nodeClass.add(rank);
        }

        assertThat(nodeClass.first()).isEqualTo(1);
        assertThat(nodeClass.second()).isEqualTo(2);
        nodeClass.remove(2);
        assertThat(nodeClass.second()).isEqualTo(3);
        nodeClass.remove(1);
        List<Integer> order = new ArrayList<>();
        while (nodeClass.size() > 0) {
            order.add(nodeClass.first());
            nodeClass.remove(nodeClass.first());
        }
        assertThat(order).containsExactly(3, 4, 7, 8, 9);
        assertThat(nodeClass.second()).isEqualTo(-1);
    }
}
