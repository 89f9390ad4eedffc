package io.herd.scheduler;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.Plan;
import io.herd.api.PriorityBand;
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random GPU nodes and random jobs of random priorities, GPU shares, whole GPUs and models, submitted one after
 * another; every plan goes through the plan applier's check and is applied. After each: no device holds more
 * than 1000 milli-GPUs, whole-GPU instances own their devices alone, and no preemption evicted an instance of an
 * equal or higher band.
 */
class GpuAndPreemptionPropertiesTest {
    record JobSpec(int priority, int count, long cpuMillis, long gpuMillis, String model) {}

    @Provide
    Arbitrary<List<Node>> gpuNodes() {
        Arbitrary<Node> node = Combinators.combine(
                        Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(4, 32))
                .as((t4, v100, cpus) -> Nodes.node("x").cpu(Integer.toString(cpus)).memory("64Gi")
                        .gpus(t4, "T4").gpus(v100, "V100").build());
        return node.list().ofMinSize(1).ofMaxSize(5).map(nodes -> {
            List<Node> named = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                Node node1 = nodes.get(i);
                named.add(new Node("n" + i, "n" + i, null, node1.capacity(), node1.labels(), node1.drivers(),
                        node1.ports(), node1.status(), node1.registerTime(), node1.statusTime(), node1.gpus()));
            }
            return named;
        });
    }

    @Provide
    Arbitrary<List<JobSpec>> gpuJobs() {
        Arbitrary<Long> gpu = Arbitraries.oneOf(
                Arbitraries.of(0L),
                Arbitraries.longs().between(1, 999),
                Arbitraries.of(1000L, 2000L, 3000L));
        Arbitrary<JobSpec> job = Combinators.combine(
                        Arbitraries.of(10, 50, 100, 150, 200, 250, 300),
                        Arbitraries.integers().between(1, 5),
                        Arbitraries.longs().between(100, 4000),
                        gpu,
                        Arbitraries.of("", "", "T4", "V100"))
                .as(JobSpec::new);
        return job.list().ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 300)
    void gpuDevicesAreNeverOverCommittedAndPreemptionNeverEvictsAnEqualOrHigherBand(
            @ForAll("gpuNodes") List<Node> nodes, @ForAll("gpuJobs") List<JobSpec> specs, @ForAll long seed) {
        InMemoryCluster cluster = new InMemoryCluster().add(nodes);
        Scheduler scheduler = new Scheduler(SchedulerConfig.DEFAULT);
        SplittableRandom random = new SplittableRandom(seed);
        FakeClock clock = new FakeClock();
        Map<String, Integer> priorityByJob = new HashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            JobSpec spec = specs.get(i);
            Job job = Jobs.job("job" + i).app("p").priority(spec.priority())
                    .group(Jobs.group("g").count(spec.count()).task(Jobs.task("main")
                            .resources(new Resources(spec.cpuMillis(), 1L << 30, 0, spec.gpuMillis(), spec.model()))))
                    .build();
            priorityByJob.put(job.id(), spec.priority());
            cluster.register(job);
            Plan plan = scheduler.process(Evaluation.pending("e" + i, job.id(), EvaluationTrigger.JOB_REGISTER,
                    clock.instant()), job, cluster, clock.instant(), random.split());

            PlanCheck.Result check = PlanCheck.check(plan, cluster);
            assertThat(check.rejections()).isEmpty();
            for (InstanceStop preemption : plan.preemptions()) {
                Instance victim = cluster.instance(preemption.instanceId());
                assertThat(PriorityBand.of(priorityByJob.get(victim.jobId())))
                        .as("victim %s of %s", victim.name(), job.id())
                        .isLessThan(PriorityBand.of(spec.priority()));
            }
            cluster.apply(plan, clock.instant());
            assertDevicesNotOverCommitted(cluster);
            // Some victims exit, as the agent would report.
            if (random.nextBoolean()) {
                cluster.finishStopped(clock.instant());
            }
        }
    }

    private static void assertDevicesNotOverCommitted(InMemoryCluster cluster) {
        for (Node node : cluster.nodes()) {
            Map<Integer, Long> usedByDevice = new HashMap<>();
            Map<Integer, Integer> wholeOwners = new HashMap<>();
            Resources used = Resources.ZERO;
            for (Instance instance : cluster.instancesOnNode(node.id())) {
                if (!instance.holdsResources()) {
                    continue;
                }
                used = used.plus(instance.resources());
                Resources request = instance.resources();
                assertThat(instance.gpuDevices()).hasSize(request.gpuMillis() == 0 ? 0
                        : request.isGpuShare() ? 1 : request.wholeGpus());
                for (int device : instance.gpuDevices()) {
                    usedByDevice.merge(device, request.isGpuShare() ? request.gpuMillis() : 1000, Long::sum);
                    if (!request.isGpuShare()) {
                        wholeOwners.merge(device, 1, Integer::sum);
                    }
                    String model = node.gpus().stream().filter(gpu -> gpu.index() == device).findFirst()
                            .orElseThrow().model();
                    if (request.gpuModel() != null) {
                        assertThat(model).isEqualTo(request.gpuModel());
                    }
                }
            }
            assertThat(usedByDevice.values()).as("milli-GPUs per device on %s", node.id()).allMatch(value -> value <= 1000);
            assertThat(wholeOwners.values()).allMatch(owners -> owners == 1);
            assertThat(used.fitsIn(node.capacity())).as("%s uses %s of %s", node.id(), used, node.capacity()).isTrue();
        }
    }
}
