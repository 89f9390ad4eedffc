package io.herd.scheduler;

import io.herd.api.Constraint.Operator;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invariants over random clusters and jobs: whatever happens between evaluations (instances failing, nodes going
 * down, jobs changing), applying the scheduler's plans never over-commits a node or gives a port twice, plans are
 * a function of their inputs, and the plan applier's check accepts every plan made on the state it applies to.
 */
class SchedulerPropertiesTest {
    private static final List<String> RACKS = List.of("r1", "r2", "r3");

    record NodeSpec(long cpuMillis, long memoryBytes, long diskBytes, int portCount, String rack, NodeStatus status,
            boolean hasJava) {}

    record GroupSpec(int count, long cpuMillis, long memoryBytes, long diskBytes, int portCount, boolean spread,
            boolean constrained, boolean java) {}

    record JobSpec(JobType type, List<GroupSpec> groups) {}

    @Provide
    Arbitrary<List<Node>> nodes() {
        Arbitrary<NodeSpec> spec = Combinators.combine(
                Arbitraries.integers().between(1, 16).map(halves -> halves * 500L),
                Arbitraries.integers().between(1, 32).map(quarters -> quarters * (256L << 20)),
                Arbitraries.integers().between(0, 20).map(gigabytes -> gigabytes * (1L << 30)),
                Arbitraries.integers().between(1, 12),
                Arbitraries.of(RACKS).injectNull(0.2),
                Arbitraries.frequency(Tuple.of(8, NodeStatus.READY), Tuple.of(1, NodeStatus.DOWN),
                        Tuple.of(1, NodeStatus.DRAINING)),
                Arbitraries.of(true, false))
                .as(NodeSpec::new);
        return spec.list().ofMinSize(1).ofMaxSize(8).map(specs -> IntStream.range(0, specs.size())
                .mapToObj(i -> node("n" + i, specs.get(i))).toList());
    }

    private static Node node(String name, NodeSpec spec) {
        Nodes.Builder builder = Nodes.node(name).capacity(new Resources(spec.cpuMillis(), spec.memoryBytes(),
                spec.diskBytes())).ports(20000, 20000 + spec.portCount() - 1).status(spec.status());
        if (spec.rack() != null) {
            builder.label("rack", spec.rack());
        }
        if (spec.hasJava()) {
            builder.driver("exec").driver("java");
        }
        return builder.build();
    }

    @Provide
    Arbitrary<List<JobSpec>> jobs() {
        Arbitrary<GroupSpec> group = Combinators.combine(
                Arbitraries.integers().between(0, 8),
                Arbitraries.integers().between(1, 20).map(tenths -> tenths * 100L),
                Arbitraries.integers().between(1, 16).map(quarters -> quarters * (256L << 20)),
                Arbitraries.integers().between(0, 3).map(gigabytes -> gigabytes * (1L << 30)),
                Arbitraries.integers().between(0, 3),
                Arbitraries.of(true, false),
                Arbitraries.frequency(Tuple.of(1, true), Tuple.of(3, false)),
                Arbitraries.frequency(Tuple.of(1, true), Tuple.of(4, false)))
                .as(GroupSpec::new);
        Arbitrary<JobSpec> job = Combinators.combine(
                Arbitraries.of(JobType.SERVICE, JobType.BATCH),
                group.list().ofMinSize(1).ofMaxSize(3))
                .as(JobSpec::new);
        return job.list().ofMinSize(1).ofMaxSize(3);
    }

    private static Job job(String name, JobSpec spec, long version, int countChange) {
        Jobs.JobBuilder builder = Jobs.job(name).type(spec.type()).version(version);
        for (int i = 0; i < spec.groups().size(); i++) {
            GroupSpec group = spec.groups().get(i);
            Jobs.TaskBuilder task = Jobs.task("main")
                    .resources(new Resources(group.cpuMillis(), group.memoryBytes(), group.diskBytes()))
                    .ports(IntStream.range(0, group.portCount()).mapToObj(port -> "port" + port).toArray(String[]::new));
            if (group.java()) {
                task.driver("java");
            }
            Jobs.GroupBuilder groupBuilder = Jobs.group("g" + i).count(Math.max(0, group.count() + countChange)).task(task);
            if (group.spread()) {
                groupBuilder.spread("node.rack");
            }
            if (group.constrained()) {
                groupBuilder.constraint("node.rack", Operator.IN, "r1", "r2");
            }
            builder.group(groupBuilder);
        }
        return builder.build();
    }

    @Property(tries = 200)
    void applyingPlansNeverOverCommitsANodeNorRepeatsAPort(
            @ForAll("nodes") List<Node> nodes, @ForAll("jobs") List<JobSpec> jobSpecs,
            @ForAll @IntRange(min = 1, max = 6) int rounds, @ForAll long seed) {
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
                assertThePlanApplierAccepts(plan, cluster);
                cluster.apply(plan, clock.instant());
                assertNoNodeIsOverCommitted(cluster);
            }
            clock.advance(Duration.ofMinutes(1));
            disturb(cluster, jobs, jobSpecs, events, clock.instant());
        }
    }

    /** Between rounds, what happens to a real cluster: exits, failures, a dead node, new job versions. */
    private static void disturb(InMemoryCluster cluster, List<Job> jobs, List<JobSpec> jobSpecs, SplittableRandom events,
            Instant now) {
        cluster.finishStopped(now);
        for (Instance instance : cluster.instances()) {
            if (instance.isLive()) {
                int roll = events.nextInt(10);
                if (roll == 0) {
                    cluster.update(instance.withState(InstanceState.FAILED, "exit 1", now));
                } else if (roll == 1) {
                    cluster.update(instance.withState(InstanceState.COMPLETE, "exit 0", now));
                } else if (instance.state() == InstanceState.PENDING) {
                    cluster.update(instance.withState(InstanceState.RUNNING, null, now));
                }
            }
        }
        List<Node> nodes = List.copyOf(cluster.nodes());
        if (events.nextInt(4) == 0) {
            Node victim = nodes.get(events.nextInt(nodes.size()));
            cluster.add(victim.withStatus(NodeStatus.DOWN, now));
            cluster.instancesOnNode(victim.id()).stream().filter(instance -> !instance.state().isTerminal())
                    .forEach(instance -> cluster.update(instance.withState(InstanceState.LOST, "node down", now)));
        }
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            switch (events.nextInt(5)) {
                case 0 -> jobs.set(i, job(job.name(), jobSpecs.get(i), job.version() + 1, events.nextInt(-3, 4)));
                case 1 -> jobs.set(i, job.withVersion(job.version() + 1, now).withStopped(!job.stopped()));
                default -> { }
            }
        }
    }

    /** The plan applier's check (placements and the preemptions that make room for them) accepts all of it. */
    private static void assertThePlanApplierAccepts(Plan plan, InMemoryCluster cluster) {
        PlanCheck.Result check = PlanCheck.check(plan, cluster);
        assertThat(check.rejections()).as("plan %s", plan.evaluationId()).isEmpty();
        assertThat(check.accepted().placements()).containsExactlyInAnyOrderElementsOf(plan.placements());
        assertThat(check.accepted().preemptions()).containsExactlyInAnyOrderElementsOf(plan.preemptions());
    }

    private static void assertNoNodeIsOverCommitted(InMemoryCluster cluster) {
        for (Node node : cluster.nodes()) {
            List<Instance> holding = cluster.instancesOnNode(node.id()).stream().filter(Instance::holdsResources).toList();
            Resources used = holding.stream().map(Instance::resources).reduce(Resources.ZERO, Resources::plus);
            assertThat(used.fitsIn(node.capacity())).as("%s uses %s of %s", node.id(), used, node.capacity()).isTrue();
            List<Integer> ports = holding.stream().flatMap(instance -> instance.ports().values().stream()).toList();
            assertThat(ports).as("ports on %s", node.id()).doesNotHaveDuplicates().allMatch(node.ports()::contains);
        }
    }

    @Property(tries = 100)
    void theSamePlanForTheSameSeedWhateverTheOrderOfTheView(
            @ForAll("nodes") List<Node> nodes, @ForAll("jobs") List<JobSpec> jobSpecs, @ForAll long seed) {
        InMemoryCluster cluster = new InMemoryCluster().add(nodes);
        Job job = job("job", jobSpecs.getFirst(), 1, 0);
        // Some instances already there, so that the reconciler has something to compare.
        Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
        Evaluation first = Evaluation.pending("eval-1", job.id(), EvaluationTrigger.JOB_REGISTER, FakeClock.DEFAULT_START);
        cluster.register(job).apply(scheduler.process(first, job, cluster, FakeClock.DEFAULT_START, new SplittableRandom(seed)),
                FakeClock.DEFAULT_START);
        Job changed = job("job", jobSpecs.getFirst(), 2, 1);
        cluster.register(changed);
        Evaluation second = Evaluation.pending("eval-2", job.id(), EvaluationTrigger.JOB_REGISTER, FakeClock.DEFAULT_START);

        Plan plan = scheduler.process(second, changed, cluster, FakeClock.DEFAULT_START, new SplittableRandom(seed));
        Plan again = new Scheduler(SchedulerConfig.DEFAULT).process(second, changed, new ReversedView(cluster),
                FakeClock.DEFAULT_START, new SplittableRandom(seed));

        assertThat(again).isEqualTo(plan);
    }

    /** The same cluster, listed backwards: the plan must not depend on the order a view happens to use. */
    private record ReversedView(ClusterView view) implements ClusterView {
        @Override
        public Collection<Node> nodes() {
            return new ArrayList<>(view.nodes()).reversed();
        }

        @Override
        public Optional<Node> node(String nodeId) {
            return view.node(nodeId);
        }

        @Override
        public List<Instance> instancesOnNode(String nodeId) {
            return view.instancesOnNode(nodeId).reversed();
        }

        @Override
        public List<Instance> instancesOfJob(String jobId) {
            return view.instancesOfJob(jobId).reversed();
        }

        @Override
        public Optional<Job> jobVersion(String jobId, long version) {
            return view.jobVersion(jobId, version);
        }

        @Override
        public Optional<Job> job(String jobId) {
            return view.job(jobId);
        }

        @Override
        public Optional<io.herd.api.Deployment> latestDeployment(String jobId) {
            return view.latestDeployment(jobId);
        }
    }

    @Property(tries = 100)
    void aPlanPlacesEachMissingIndexOnceAndStopsEachInstanceOnce(
            @ForAll("nodes") List<Node> nodes, @ForAll("jobs") List<JobSpec> jobSpecs, @ForAll long seed) {
        InMemoryCluster cluster = new InMemoryCluster().add(nodes);
        Job job = job("job", jobSpecs.getFirst(), 1, 0);
        Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
        Evaluation evaluation = Evaluation.pending("eval", job.id(), EvaluationTrigger.JOB_REGISTER, FakeClock.DEFAULT_START);

        Plan plan = scheduler.process(evaluation, job.withStopped(false), cluster, FakeClock.DEFAULT_START,
                new SplittableRandom(seed));

        Set<String> placed = new HashSet<>();
        for (Instance instance : plan.placements()) {
            assertThat(placed.add(instance.group() + "[" + instance.index() + "]")).isTrue();
            assertThat(instance.desired()).isEqualTo(DesiredStatus.RUN);
        }
        int wanted = job.groups().stream().mapToInt(io.herd.api.Group::count).sum();
        int unplaced = plan.failures().stream().mapToInt(io.herd.api.PlacementFailure::unplaced).sum();
        assertThat(placed.size() + unplaced).isEqualTo(wanted);
        assertThat(plan.stops()).isEmpty();
    }
}
