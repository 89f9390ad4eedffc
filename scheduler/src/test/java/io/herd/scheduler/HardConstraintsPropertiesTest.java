package io.herd.scheduler;

import io.herd.api.Constraint;
import io.herd.api.Constraint.Operator;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import io.herd.api.Resources;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever the workload, the plans the scheduler makes never break a hard rule: every running or pending instance
 * sits on a node that meets its job's and group's constraints (regex, version ranges and the rest, checked here
 * with {@link Constraint#matches}, not the scheduler's compiled filter), and no node holds more instances of a
 * group than {@code distinct_hosts} or {@code max_per_node} allow. Affinities and spread targets are mixed in:
 * they may change where instances go, never whether a rule holds. Rounds of failures, dead nodes and count changes
 * run between the evaluations.
 */
class HardConstraintsPropertiesTest {
    private static final List<String> ZONES = List.of("a", "b", "c");
    private static final List<String> KERNELS = List.of("4.19.0-25-amd64", "5.4", "5.15.0-91-generic", "6.8.12",
            "7.0.1", "unknown");
    private static final List<Constraint> CONSTRAINTS = List.of(
            new Constraint("node.zone", Operator.REGEX, List.of("[ab]")),
            new Constraint("node.kernel", Operator.VERSION, List.of(">= 5.4, < 7")),
            new Constraint("node.kernel", Operator.VERSION, List.of("!= 6.8")),
            new Constraint("zone", Operator.NOT_IN, List.of("c")),
            new Constraint("node.name", Operator.REGEX, List.of("n[0-5]")),
            new Constraint("node.zone", Operator.EXISTS, List.of()));

    record NodeSpec(int cpuHalves, int memoryQuarters, String zone, String kernel, NodeStatus status) {}

    /**
     * @param constraint index into {@link #CONSTRAINTS}, or -1
     * @param limit 0: none, 1: distinct_hosts, 2 or 3: max_per_node
     * @param soft a mask: 1 an affinity, 2 an anti-affinity, 4 spread with targets, 8 even spread
     */
    record GroupSpec(int count, int cpuTenths, int constraint, int limit, int soft) {}

    record JobSpec(int jobConstraint, List<GroupSpec> groups) {}

    @Provide
    Arbitrary<List<Node>> nodes() {
        return Combinators.combine(
                Arbitraries.integers().between(1, 8),
                Arbitraries.integers().between(2, 16),
                Arbitraries.of(ZONES).injectNull(0.15),
                Arbitraries.of(KERNELS).injectNull(0.15),
                Arbitraries.frequency(Tuple.of(8, NodeStatus.READY), Tuple.of(1, NodeStatus.DOWN)))
                .as(NodeSpec::new)
                .list().ofMinSize(1).ofMaxSize(10)
                .map(specs -> IntStream.range(0, specs.size()).mapToObj(i -> node("n" + i, specs.get(i))).toList());
    }

    private static Node node(String name, NodeSpec spec) {
        Nodes.Builder builder = Nodes.node(name)
                .capacity(new Resources(spec.cpuHalves() * 500L, spec.memoryQuarters() * (256L << 20), 0))
                .status(spec.status());
        if (spec.zone() != null) {
            builder.label("zone", spec.zone());
        }
        if (spec.kernel() != null) {
            builder.label("kernel", spec.kernel());
        }
        return builder.build();
    }

    @Provide
    Arbitrary<List<JobSpec>> jobs() {
        Arbitrary<GroupSpec> group = Combinators.combine(
                Arbitraries.integers().between(0, 10),
                Arbitraries.integers().between(1, 10),
                Arbitraries.integers().between(-1, CONSTRAINTS.size() - 1),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 15))
                .as(GroupSpec::new);
        return Combinators.combine(
                Arbitraries.integers().between(-1, CONSTRAINTS.size() - 1),
                group.list().ofMinSize(1).ofMaxSize(3))
                .as(JobSpec::new)
                .list().ofMinSize(1).ofMaxSize(3);
    }

    private static Job job(String name, JobSpec spec, long version, int countChange) {
        Jobs.JobBuilder builder = Jobs.job(name).version(version);
        if (spec.jobConstraint() >= 0) {
            builder.constraint(CONSTRAINTS.get(spec.jobConstraint()));
        }
        for (int i = 0; i < spec.groups().size(); i++) {
            GroupSpec group = spec.groups().get(i);
            Jobs.GroupBuilder groupBuilder = Jobs.group("g" + i).count(Math.max(0, group.count() + countChange))
                    .task(Jobs.task("main").cpu(group.cpuTenths() * 100 + "m").memory("256Mi"));
            if (group.constraint() >= 0) {
                groupBuilder.constraint(CONSTRAINTS.get(group.constraint()));
            }
            if (group.limit() == 1) {
                groupBuilder.distinctHosts();
            } else if (group.limit() > 1) {
                groupBuilder.maxPerNode(group.limit());
            }
            if ((group.soft() & 1) != 0) {
                groupBuilder.affinity("node.zone", Operator.EQUAL, 100, "c");
            }
            if ((group.soft() & 2) != 0) {
                groupBuilder.affinity("node.kernel", Operator.VERSION, -60, ">= 6");
            }
            if ((group.soft() & 4) != 0) {
                groupBuilder.spread("node.zone", "a", 70, "c", 20);
            } else if ((group.soft() & 8) != 0) {
                groupBuilder.spread("node.kernel");
            }
            builder.group(groupBuilder);
        }
        return builder.build();
    }

    @Property(tries = 300)
    void plansNeverBreakAHardRule(@ForAll("nodes") List<Node> nodes, @ForAll("jobs") List<JobSpec> jobSpecs,
            @ForAll @IntRange(min = 1, max = 5) int rounds, @ForAll long seed) {
        InMemoryCluster cluster = new InMemoryCluster().add(nodes);
        FakeClock clock = new FakeClock();
        SplittableRandom events = new SplittableRandom(seed);
        Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < jobSpecs.size(); i++) {
            jobs.add(job("job" + i, jobSpecs.get(i), 1, 0));
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < jobs.size(); i++) {
                Job job = jobs.get(i);
                cluster.register(job);
                Evaluation evaluation = Evaluation.pending("eval-" + round + "-" + i, job.id(),
                        EvaluationTrigger.JOB_REGISTER, clock.instant());
                Plan plan = scheduler.process(evaluation, job, cluster, clock.instant(), events.split());
                cluster.apply(plan, clock.instant());
                assertEveryHardRuleHolds(cluster, jobs);
            }
            clock.advance(Duration.ofMinutes(1));
            disturb(cluster, jobs, jobSpecs, events, clock);
        }
    }

    private static void assertEveryHardRuleHolds(InMemoryCluster cluster, List<Job> jobs) {
        for (Job job : jobs) {
            Map<String, Integer> perGroupAndNode = new HashMap<>();
            for (Instance instance : cluster.instancesOfJob(job.id())) {
                if (!instance.isLive()) {
                    continue;
                }
                Group group = job.group(instance.group()).orElseThrow();
                Node node = cluster.node(instance.nodeId()).orElseThrow();
                List<Constraint> constraints = new ArrayList<>(job.constraints());
                constraints.addAll(group.constraints());
                for (Constraint constraint : constraints) {
                    assertThat(constraint.matches(node.attribute(constraint.attr()).orElse(null)))
                            .as("%s of %s on %s (labels %s)", constraint, instance.name(), node.id(), node.labels())
                            .isTrue();
                }
                int onNode = perGroupAndNode.merge(group.name() + "@" + node.id(), 1, Integer::sum);
                assertThat(onNode).as("instances of %s/%s on %s", job.name(), group.name(), node.id())
                        .isLessThanOrEqualTo(group.perNodeLimit());
            }
        }
    }

    /** Instances exit and fail, a node dies, groups grow and shrink (with the same rules). */
    private static void disturb(InMemoryCluster cluster, List<Job> jobs, List<JobSpec> jobSpecs,
            SplittableRandom events, FakeClock clock) {
        cluster.finishStopped(clock.instant());
        for (Instance instance : cluster.instances()) {
            if (instance.isLive()) {
                int roll = events.nextInt(8);
                if (roll == 0) {
                    cluster.update(instance.withState(InstanceState.FAILED, "exit 1", clock.instant()));
                } else if (instance.state() == InstanceState.PENDING) {
                    cluster.update(instance.withState(InstanceState.RUNNING, null, clock.instant()));
                }
            }
        }
        List<Node> nodes = List.copyOf(cluster.nodes());
        if (events.nextInt(4) == 0) {
            Node victim = nodes.get(events.nextInt(nodes.size()));
            cluster.add(victim.withStatus(NodeStatus.DOWN, clock.instant()));
            cluster.instancesOnNode(victim.id()).stream()
                    .filter(instance -> !instance.state().isTerminal() && instance.desired() == DesiredStatus.RUN)
                    .forEach(instance -> cluster.update(instance.withState(InstanceState.LOST, "node down",
                            clock.instant())));
        }
        for (int i = 0; i < jobs.size(); i++) {
            if (events.nextInt(3) == 0) {
                Job job = jobs.get(i);
                jobs.set(i, job(job.name(), jobSpecs.get(i), job.version() + 1, events.nextInt(-3, 4)));
            }
        }
        // Failed instances are replaced after a delay: let it pass so the next round places them.
        clock.advance(Duration.ofHours(1));
    }
}
