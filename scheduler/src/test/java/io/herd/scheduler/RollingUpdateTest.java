package io.herd.scheduler;

import io.herd.api.Check;
import io.herd.api.Deployment;
import io.herd.api.DeploymentGroup;
import io.herd.api.DeploymentStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.api.Service;
import io.herd.api.UpdatePolicy;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler's rolling updates, step by step: each test seeds version 1 running and healthy, submits version 2,
 * and plays the agents' part by marking new instances ready (or not) as the clock moves.
 */
class RollingUpdateTest {
    private static final Duration MIN_HEALTHY = Duration.ofSeconds(10);
    private static final Duration DEADLINE = Duration.ofMinutes(1);

    private final SchedulerHarness harness = new SchedulerHarness();

    private static UpdatePolicy policy(int maxParallel, int maxSurge, int canary, boolean autoPromote) {
        return new UpdatePolicy(maxParallel, MIN_HEALTHY, DEADLINE, true, maxSurge, Duration.ofMinutes(5), canary,
                autoPromote);
    }

    private static Job job(long version, int count, String memory, UpdatePolicy policy) {
        return Jobs.job("hello").version(version)
                .group(Jobs.group("web").count(count).update(policy)
                        .service(new Service("site", "http", new Check(Check.HTTP, "/", null, null)))
                        .task(Jobs.task("server").memory(memory).ports("http")))
                .build();
    }

    /** Version 1 with {@code count} instances, ready long ago, and its successful deployment. */
    private Job seed(int count, UpdatePolicy policy) {
        harness.cluster.add(Nodes.nodes("n", 3));
        Job version1 = job(1, count, "128Mi", policy);
        harness.cluster.register(version1);
        for (int index = 0; index < count; index++) {
            harness.cluster.add(Instances.instance(version1, "web", index).node("n" + (index % 3 + 1))
                    .healthy(true).readySince(harness.clock.instant()).build());
        }
        harness.cluster.put(new Deployment("d1", version1.id(), 1, DeploymentStatus.SUCCESSFUL, null,
                Map.of("web", new DeploymentGroup(count, 0, true, count, count, 0, true, null)), null, null, null,
                harness.clock.instant(), harness.clock.instant()));
        harness.clock.advance(Duration.ofMinutes(10));
        return version1;
    }

    private List<Instance> live() {
        return harness.cluster.instancesOfJob("demo/hello").stream().filter(Instance::isLive).toList();
    }

    private List<Instance> liveOfVersion(long version) {
        return live().stream().filter(instance -> instance.jobVersion() == version).toList();
    }

    /** The agents: every pending instance of {@code version} runs, healthy as given, from now on. */
    private void run(long version, boolean healthy) {
        for (Instance instance : liveOfVersion(version)) {
            if (instance.state() == InstanceState.PENDING) {
                harness.cluster.add(instance.withState(InstanceState.RUNNING, null, harness.clock.instant())
                        .withHealth(healthy, healthy ? harness.clock.instant() : null));
            }
        }
    }

    /** The agents: instances the plan stopped are gone. */
    private void finishStops() {
        for (Instance instance : harness.cluster.instancesOfJob("demo/hello")) {
            if (!instance.isLive() && !instance.state().isTerminal()) {
                harness.cluster.add(instance.withState(InstanceState.COMPLETE, "stopped", harness.clock.instant()));
            }
        }
    }

    private long readyCount() {
        return live().stream().filter(Instance::isReady).count();
    }

    @Test
    void replacesAtMostMaxParallelAtATimeAndOnlyMovesOnOnceNewInstancesStayedHealthy() {
        seed(5, policy(2, 0, 0, false));
        Job version2 = job(2, 5, "256Mi", policy(2, 0, 0, false));
        List<Long> readyAtEveryStep = new ArrayList<>();

        Plan first = harness.processAndApply(version2);
        assertThat(first.stops()).hasSize(2).extracting(InstanceStop::reason).containsOnly("replaced by version 2");
        assertThat(first.placements()).extracting(Instance::index).containsExactly(0, 1);
        assertThat(first.deployment().status()).isEqualTo(DeploymentStatus.RUNNING);
        assertThat(first.nextEvaluationAt()).isEqualTo(harness.clock.instant().plus(DEADLINE));

        for (int step = 0; step < 10 && harness.cluster.latestDeployment("demo/hello").orElseThrow().isActive(); step++) {
            finishStops();
            run(2, true);
            readyAtEveryStep.add(readyCount());
            Plan early = harness.processAndApply(version2);
            assertThat(early.placements()).as("nothing moves before min_healthy_time").isEmpty();
            assertThat(early.nextEvaluationAt()).isEqualTo(harness.clock.instant().plus(MIN_HEALTHY));
            harness.clock.advance(MIN_HEALTHY);
            Plan next = harness.processAndApply(version2);
            readyAtEveryStep.add(readyCount());
            assertThat(next.placements()).hasSizeLessThanOrEqualTo(2);
        }

        assertThat(harness.cluster.latestDeployment("demo/hello").orElseThrow().status())
                .isEqualTo(DeploymentStatus.SUCCESSFUL);
        assertThat(liveOfVersion(2)).hasSize(5);
        assertThat(liveOfVersion(1)).isEmpty();
        assertThat(readyAtEveryStep).allMatch(ready -> ready >= 5 - 2);
    }

    @Test
    void surgePlacesNewInstancesBesideTheOldOnesFirst() {
        seed(3, policy(1, 1, 0, false));
        Job version2 = job(2, 3, "256Mi", policy(1, 1, 0, false));

        Plan first = harness.processAndApply(version2);

        // One surge instance beside index 0 (nothing stops for it), and one destructive replacement.
        assertThat(first.placements()).extracting(Instance::index).containsExactly(0, 1);
        assertThat(first.placements().getFirst().previousInstanceId()).isNull();
        assertThat(first.stops()).singleElement().satisfies(stop -> assertThat(
                harness.cluster.instancesOfJob("demo/hello").stream()
                        .filter(instance -> instance.id().equals(stop.instanceId())).findFirst().orElseThrow().index())
                .isEqualTo(1));
        assertThat(readyCount()).isEqualTo(2);

        run(2, true);
        harness.clock.advance(MIN_HEALTHY);
        Plan second = harness.processAndApply(version2);
        // The healthy surge instance retires its old partner.
        assertThat(second.stops()).extracting(InstanceStop::reason).contains("replaced by version 2");
        assertThat(live().stream().filter(instance -> instance.index() == 0)).hasSize(1);
    }

    @Test
    void canariesPauseTheDeploymentUntilPromoted() {
        seed(4, policy(1, 0, 1, false));
        Job version2 = job(2, 4, "256Mi", policy(1, 0, 1, false));

        Plan first = harness.processAndApply(version2);
        assertThat(first.stops()).isEmpty();
        assertThat(first.placements()).singleElement().satisfies(canary -> assertThat(canary.index()).isZero());
        assertThat(first.deployment().groups().get("web").canaries()).isEqualTo(1);

        run(2, true);
        harness.clock.advance(MIN_HEALTHY);
        Plan paused = harness.processAndApply(version2);
        assertThat(paused.placements()).isEmpty();
        assertThat(paused.stops()).isEmpty();
        assertThat(paused.deployment().status()).isEqualTo(DeploymentStatus.PAUSED);
        assertThat(liveOfVersion(1)).hasSize(4);

        // herd promote: the state marks the groups promoted.
        Deployment stored = harness.cluster.latestDeployment("demo/hello").orElseThrow();
        harness.cluster.put(stored.withGroups(Map.of("web", stored.groups().get("web").withPromoted(true)),
                harness.clock.instant()).withStatus(DeploymentStatus.RUNNING, "promoted", harness.clock.instant()));
        Plan promoted = harness.processAndApply(version2);
        assertThat(promoted.stops()).hasSize(2); // the canary's old partner, and the next replacement
        assertThat(promoted.placements()).hasSize(1);
    }

    @Test
    void autoPromoteContinuesOnceTheCanariesAreHealthy() {
        seed(3, policy(1, 0, 1, true));
        Job version2 = job(2, 3, "256Mi", policy(1, 0, 1, true));
        harness.processAndApply(version2);
        run(2, true);
        harness.clock.advance(MIN_HEALTHY);

        Plan next = harness.processAndApply(version2);

        assertThat(next.deployment().status()).isEqualTo(DeploymentStatus.RUNNING);
        assertThat(next.deployment().groups().get("web").promoted()).isTrue();
        assertThat(next.placements()).hasSize(1);
    }

    @Test
    void anInstanceNotHealthyByItsDeadlineFailsTheDeploymentAndNothingMoreIsReplaced() {
        seed(3, policy(1, 0, 0, false));
        Job version2 = job(2, 3, "256Mi", policy(1, 0, 0, false));
        harness.processAndApply(version2);
        finishStops();
        run(2, false);
        harness.clock.advance(DEADLINE);

        Plan failed = harness.processAndApply(version2);

        assertThat(failed.deployment().status()).isEqualTo(DeploymentStatus.FAILED);
        assertThat(failed.deployment().description()).contains("hello.web[0] not healthy within 1m");
        assertThat(failed.placements()).isEmpty();
        assertThat(failed.stops()).isEmpty();
        assertThat(liveOfVersion(1)).hasSize(2);
    }

    @Test
    void countAndUpdatePolicyChangesKeepTheInstancesInPlace() {
        seed(3, policy(1, 0, 0, false));
        Job version2 = job(2, 4, "128Mi", policy(2, 1, 0, true));

        Plan plan = harness.processAndApply(version2);

        assertThat(plan.stops()).isEmpty();
        assertThat(plan.placements()).extracting(Instance::index).containsExactly(3);
        run(2, true);
        harness.clock.advance(MIN_HEALTHY);
        assertThat(harness.processAndApply(version2).deployment().status()).isEqualTo(DeploymentStatus.SUCCESSFUL);
    }

    @Test
    void aRestartReplacesInstancesCreatedBeforeItWithoutASpecChange() {
        Job version1 = seed(2, policy(1, 0, 0, false));
        Instant restartAt = harness.clock.instant();
        harness.cluster.put(new Deployment("restart", version1.id(), 1, DeploymentStatus.RUNNING, null,
                Map.of("web", new DeploymentGroup(2, 0, true, 0, 0, 0, false, restartAt.plus(Duration.ofMinutes(5)))),
                restartAt, null, null, restartAt, restartAt));
        harness.clock.advance(Duration.ofSeconds(1));

        Plan plan = harness.processAndApply(version1);

        assertThat(plan.stops()).singleElement().satisfies(stop -> assertThat(stop.reason()).isEqualTo("replaced by version 1"));
        assertThat(plan.placements()).singleElement().satisfies(placement -> assertThat(placement.jobVersion()).isEqualTo(1));
    }
}
