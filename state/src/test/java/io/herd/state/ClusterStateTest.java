package io.herd.state;

import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.InstanceStop;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.Resources;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

class ClusterStateTest {
    private final ClusterState state = new ClusterState();
    private final StateView view = state.view();
    private long index;

    private ApplyResult apply(Command command) {
        ApplyResult result = state.apply(++index, command);
        assertThat(result.index()).isEqualTo(index);
        assertThat(view.index()).isEqualTo(index);
        StateInvariants.check(state);
        return result;
    }

    private Evaluation evaluation(String id) {
        return view.evaluation(id).orElseThrow();
    }

    private Instance instanceNamed(String id) {
        return view.instance(id).orElseThrow();
    }

    private void registerJob(String name, String evaluationId) {
        apply(new RegisterJob(job(name), evaluationId, at(index)));
    }

    private void place(String evaluationId, Instance... placements) {
        Evaluation evaluation = evaluation(evaluationId);
        apply(new ApplyPlan(new Plan(evaluationId, evaluation.jobId(), 1, List.of(placements), List.of(), List.of()),
                false, "plan-" + index, at(index)));
    }

    private void block(String evaluationId) {
        Evaluation evaluation = evaluation(evaluationId);
        PlacementFailure failure = new PlacementFailure("web", 1, 2, Map.of("insufficient memory", 2));
        apply(new ApplyPlan(new Plan(evaluationId, evaluation.jobId(), 1, List.of(), List.of(), List.of(failure)),
                false, "plan-" + index, at(index)));
        assertThat(evaluation(evaluationId).status()).isEqualTo(EvaluationStatus.BLOCKED);
    }

    @Nested
    class RegisterServers {
        @Test
        void upsertsTheServerRecord() {
            assertThat(apply(new RegisterServer("s1", "127.0.0.1:7701", "127.0.0.1:7700", at(0))).changed()).isTrue();
            assertThat(apply(new RegisterServer("s1", "127.0.0.1:7701", "127.0.0.1:7700", at(1))).changed()).isFalse();
            apply(new RegisterServer("s1", "127.0.0.1:7801", "127.0.0.1:7800", at(2)));
            apply(new RegisterServer("s0", "127.0.0.1:7601", "127.0.0.1:7600", at(3)));

            assertThat(view.servers()).containsExactly(
                    new ServerRecord("s0", "127.0.0.1:7601", "127.0.0.1:7600"),
                    new ServerRecord("s1", "127.0.0.1:7801", "127.0.0.1:7800"));
        }
    }

    @Nested
    class RegisterJobs {
        @Test
        void firstRegistrationIsVersionOneWithAPendingEvaluation() {
            ApplyResult result = apply(new RegisterJob(job("checkout"), "e1", at(5)));

            assertThat(result.changed()).isTrue();
            assertThat(result.jobVersion()).isEqualTo(1);
            assertThat(result.evaluationIds()).containsExactly("e1");
            Job stored = view.job(jobId("checkout")).orElseThrow();
            assertThat(stored.version()).isEqualTo(1);
            assertThat(stored.submitTime()).isEqualTo(at(5));
            assertThat(stored.stopped()).isFalse();
            assertThat(evaluation("e1")).isEqualTo(
                    Evaluation.pending("e1", jobId("checkout"), EvaluationTrigger.JOB_REGISTER, at(5)));
            assertThat(view.pendingEvaluations()).extracting(Evaluation::id).containsExactly("e1");
        }

        @Test
        void theSameSpecAgainChangesNothingButTheIndex() {
            registerJob("checkout", "e1");

            ApplyResult result = apply(new RegisterJob(job("checkout"), "e2", at(9)));

            assertThat(result.changed()).isFalse();
            assertThat(result.jobVersion()).isEqualTo(1);
            assertThat(result.evaluationIds()).isEmpty();
            assertThat(result.index()).isEqualTo(2);
            assertThat(view.evaluation("e2")).isEmpty();
            assertThat(view.jobVersions(jobId("checkout"))).hasSize(1);
        }

        @Test
        void aChangedSpecGetsTheNextVersionAndHistoryIsNewestFirst() {
            registerJob("checkout", "e1");

            ApplyResult result = apply(new RegisterJob(job("checkout", JobType.SERVICE, 3), "e2", at(10)));

            assertThat(result.jobVersion()).isEqualTo(2);
            assertThat(view.job(jobId("checkout")).orElseThrow().groups().getFirst().count()).isEqualTo(3);
            assertThat(view.jobVersions(jobId("checkout"))).extracting(Job::version).containsExactly(2L, 1L);
            assertThat(view.jobVersion(jobId("checkout"), 1).orElseThrow().groups().getFirst().count()).isEqualTo(1);
            assertThat(view.evaluationsOfJob(jobId("checkout"))).extracting(Evaluation::id).containsExactly("e2", "e1");
        }

        @Test
        void keepsTheLastTenVersions() {
            for (int count = 1; count <= 12; count++) {
                apply(new RegisterJob(job("checkout", JobType.SERVICE, count), "e" + count, at(count)));
            }

            assertThat(view.jobVersions(jobId("checkout"))).extracting(Job::version)
                    .containsExactly(12L, 11L, 10L, 9L, 8L, 7L, 6L, 5L, 4L, 3L);
            assertThat(view.jobVersion(jobId("checkout"), 2)).isEmpty();
        }

        @Test
        void aStoppedJobRegisteredAgainRunsAsANewVersion() {
            registerJob("checkout", "e1");
            apply(new DeregisterJob(jobId("checkout"), false, "e2", at(2)));

            ApplyResult result = apply(new RegisterJob(job("checkout"), "e3", at(3)));

            assertThat(result.changed()).isTrue();
            assertThat(result.jobVersion()).isEqualTo(2);
            assertThat(view.job(jobId("checkout")).orElseThrow().stopped()).isFalse();
        }

        @Test
        void aReusedEvaluationIdGetsADerivedOneInstead() {
            registerJob("checkout", "e1");

            ApplyResult result = apply(new RegisterJob(job("cart"), "e1", at(2)));

            assertThat(result.evaluationIds()).hasSize(1).doesNotContain("e1");
            assertThat(evaluation("e1").jobId()).isEqualTo(jobId("checkout"));
            assertThat(evaluation(result.evaluationIds().getFirst()).jobId()).isEqualTo(jobId("cart"));
        }
    }

    @Nested
    class DeregisterJobs {
        @Test
        void anUnknownJobIsNotFound() {
            ApplyResult result = apply(new DeregisterJob(jobId("nothing"), false, "e1", at(1)));

            assertThat(result.changed()).isFalse();
            assertThat(result.message()).isEqualTo("job not found");
            assertThat(view.evaluations()).isEmpty();
        }

        @Test
        void stopsTheJobAtTheSameVersion() {
            registerJob("checkout", "e1");

            ApplyResult result = apply(new DeregisterJob(jobId("checkout"), false, "e2", at(7)));

            assertThat(result.changed()).isTrue();
            assertThat(result.jobVersion()).isEqualTo(1);
            assertThat(result.evaluationIds()).containsExactly("e2");
            assertThat(view.job(jobId("checkout")).orElseThrow().stopped()).isTrue();
            assertThat(view.jobVersion(jobId("checkout"), 1).orElseThrow().stopped()).isTrue();
            assertThat(evaluation("e2").trigger()).isEqualTo(EvaluationTrigger.JOB_DEREGISTER);
            assertThat(evaluation("e2").status()).isEqualTo(EvaluationStatus.PENDING);
        }

        @Test
        void purgeForgetsTheJobButKeepsItsInstancesAndVersionCount() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("checkout", "e1");
            place("e1", instance("i1", "checkout", "n1"));

            ApplyResult result = apply(new DeregisterJob(jobId("checkout"), true, "e2", at(7)));

            assertThat(result.changed()).isTrue();
            assertThat(view.job(jobId("checkout"))).isEmpty();
            assertThat(view.jobVersions(jobId("checkout"))).isEmpty();
            assertThat(view.instancesOfJob(jobId("checkout"))).extracting(Instance::id).containsExactly("i1");
            assertThat(evaluation("e2").trigger()).isEqualTo(EvaluationTrigger.JOB_DEREGISTER);

            // The old instance carries version 1; the job registered again must not reuse it.
            assertThat(apply(new RegisterJob(job("checkout"), "e3", at(8))).jobVersion()).isEqualTo(2);
        }
    }

    @Nested
    class UpsertNodes {
        @Test
        void registersANodeAsReady() {
            Node submitted = node("n1").withStatus(NodeStatus.DOWN, at(-100));

            ApplyResult result = apply(new UpsertNode(submitted, "c1", at(3)));

            assertThat(result.changed()).isTrue();
            Node stored = view.node("n1").orElseThrow();
            assertThat(stored.status()).isEqualTo(NodeStatus.READY);
            assertThat(stored.registerTime()).isEqualTo(at(3));
            assertThat(stored.statusTime()).isEqualTo(at(3));
        }

        @Test
        void registeringAgainKeepsTheRegisterTimeAndTakesTheNewAttributes() {
            apply(new UpsertNode(node("n1"), "c1", at(3)));
            Node bigger = new Node("n1", "host-n1", "127.0.0.1:7711", new Resources(8000, 16L << 30, 0),
                    Map.of("zone", "b"), null, null, null, null, null);

            apply(new UpsertNode(bigger, "c2", at(9)));

            Node stored = view.node("n1").orElseThrow();
            assertThat(stored.registerTime()).isEqualTo(at(3));
            assertThat(stored.statusTime()).isEqualTo(at(9));
            assertThat(stored.capacity().cpuMillis()).isEqualTo(8000);
            assertThat(stored.labels()).containsEntry("zone", "b");
        }

        @Test
        void registeringAgainKeepsADrain() {
            apply(new UpsertNode(node("n1"), "c1", at(3)));
            apply(new SetNodeStatus("n1", NodeStatus.DRAINING, "c2", at(4)));

            apply(new UpsertNode(node("n1"), "c3", at(5)));

            assertThat(view.node("n1").orElseThrow().status()).isEqualTo(NodeStatus.DRAINING);
        }

        @Test
        void aNewNodeUnblocksBlockedEvaluationsWithOneNewEvaluationPerJob() {
            registerJob("checkout", "e1");
            block("e1");
            registerJob("cart", "e2");
            block("e2");

            ApplyResult result = apply(new UpsertNode(node("n1"), "c1", at(20)));

            String checkoutRetry = ClusterState.derivedEvaluationId("c1", jobId("checkout"));
            String cartRetry = ClusterState.derivedEvaluationId("c1", jobId("cart"));
            assertThat(result.evaluationIds()).containsExactly(checkoutRetry, cartRetry);
            assertThat(evaluation("e1").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(evaluation("e2").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(evaluation(checkoutRetry).trigger()).isEqualTo(EvaluationTrigger.CAPACITY_CHANGED);
            assertThat(evaluation(checkoutRetry).jobId()).isEqualTo(jobId("checkout"));
            assertThat(view.pendingEvaluations()).extracting(Evaluation::id).containsExactly(checkoutRetry, cartRetry);
        }

        @Test
        void anUnchangedReadyNodeUnblocksNothing() {
            apply(new UpsertNode(node("n1"), "c1", at(1)));
            registerJob("checkout", "e1");
            block("e1");

            ApplyResult result = apply(new UpsertNode(node("n1"), "c2", at(20)));

            assertThat(result.evaluationIds()).isEmpty();
            assertThat(evaluation("e1").status()).isEqualTo(EvaluationStatus.BLOCKED);
        }
    }

    @Nested
    class SetNodeStatuses {
        @Test
        void anUnknownNodeChangesNothing() {
            ApplyResult result = apply(new SetNodeStatus("n9", NodeStatus.DOWN, "c1", at(1)));

            assertThat(result.changed()).isFalse();
            assertThat(result.index()).isEqualTo(1);
        }

        @Test
        void downLosesEveryRunningInstanceAndEvaluatesTheirRunningJobs() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            apply(new UpsertNode(node("n2"), "c2", at(0)));
            registerJob("checkout", "e1");
            place("e1", instance("i1", "checkout", "n1"), instance("i2", "checkout", "n2"));
            registerJob("cart", "e2");
            place("e2", instance("i3", "cart", "n1"));
            registerJob("stopped", "e3");
            place("e3", instance("i4", "stopped", "n1"));
            apply(new DeregisterJob(jobId("stopped"), false, "e4", at(5)));
            registerJob("stopping", "e5");
            place("e5", instance("i5", "stopping", "n1"));
            apply(new ApplyPlan(new Plan("e5", jobId("stopping"), 1, List.of(),
                    List.of(new InstanceStop("i5", "scaled down")), List.of()), false, "p", at(6)));

            ApplyResult result = apply(new SetNodeStatus("n1", NodeStatus.DOWN, "c3", at(30)));

            assertThat(result.changed()).isTrue();
            assertThat(view.node("n1").orElseThrow().status()).isEqualTo(NodeStatus.DOWN);
            assertThat(view.node("n1").orElseThrow().statusTime()).isEqualTo(at(30));
            for (String id : List.of("i1", "i3", "i4", "i5")) {
                Instance lost = instanceNamed(id);
                assertThat(lost.state()).isEqualTo(InstanceState.LOST);
                assertThat(lost.desired()).isEqualTo(DesiredStatus.STOP);
                assertThat(lost.reason()).isEqualTo("node down");
            }
            assertThat(instanceNamed("i2").state()).isEqualTo(InstanceState.PENDING);
            // Not the stopped job, and not the job whose instance was already stopping.
            assertThat(result.evaluationIds()).containsExactly(
                    ClusterState.derivedEvaluationId("c3", jobId("cart")),
                    ClusterState.derivedEvaluationId("c3", jobId("checkout")));
            assertThat(result.evaluationIds()).map(id -> evaluation(id).trigger())
                    .containsOnly(EvaluationTrigger.NODE_UPDATE);
        }

        @Test
        void readyAfterDownUnblocks() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            apply(new SetNodeStatus("n1", NodeStatus.DOWN, "c2", at(1)));
            registerJob("checkout", "e1");
            block("e1");

            ApplyResult result = apply(new SetNodeStatus("n1", NodeStatus.READY, "c3", at(2)));

            assertThat(view.node("n1").orElseThrow().status()).isEqualTo(NodeStatus.READY);
            assertThat(result.evaluationIds()).containsExactly(ClusterState.derivedEvaluationId("c3", jobId("checkout")));
            assertThat(evaluation("e1").status()).isEqualTo(EvaluationStatus.COMPLETE);
        }

        @Test
        void theSameStatusAgainChangesNothing() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));

            ApplyResult result = apply(new SetNodeStatus("n1", NodeStatus.READY, "c2", at(1)));

            assertThat(result.changed()).isFalse();
            assertThat(view.node("n1").orElseThrow().statusTime()).isEqualTo(at(0));
        }
    }

    @Nested
    class ApplyPlans {
        @Test
        void placesStopsAndCompletesTheEvaluation() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("checkout", "e1");
            place("e1", instance("old", "checkout", "n1"));
            apply(new RegisterJob(job("checkout", JobType.SERVICE, 2), "e2", at(10)));
            Plan plan = new Plan("e2", jobId("checkout"), 2,
                    List.of(instance("new", "checkout", "n1"), instance("old", "checkout", "n1"),
                            instance("nowhere", "checkout", "n9")),
                    List.of(new InstanceStop("old", "replaced by new version"), new InstanceStop("ghost", "x")),
                    List.of());

            ApplyResult result = apply(new ApplyPlan(plan, false, "c2", at(11)));

            assertThat(result.changed()).isTrue();
            assertThat(result.jobVersion()).isEqualTo(2);
            assertThat(result.evaluationIds()).isEmpty();
            assertThat(view.instancesOfJob(jobId("checkout"))).extracting(Instance::id).containsExactly("new", "old");
            assertThat(view.instancesOnNode("n1")).extracting(Instance::id).containsExactly("new", "old");
            assertThat(view.instance("nowhere")).isEmpty();
            assertThat(instanceNamed("new").createTime()).isEqualTo(at(11));
            Instance old = instanceNamed("old");
            assertThat(old.desired()).isEqualTo(DesiredStatus.STOP);
            assertThat(old.reason()).isEqualTo("replaced by new version");
            assertThat(old.modifyTime()).isEqualTo(at(11));
            Evaluation evaluation = evaluation("e2");
            assertThat(evaluation.status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(evaluation.modifyTime()).isEqualTo(at(11));
            assertThat(view.pendingEvaluations()).isEmpty();
        }

        @Test
        void preemptionsEvictTheVictimsPlaceThePreemptorAndEvaluateTheVictimsJob() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("scavenger", "e1");
            place("e1", instance("victim", "scavenger", "n1"));
            registerJob("checkout", "e2");
            Instance preemptor = instance("preemptor", "checkout", "n1").withGpuDevices(List.of());
            Plan plan = new Plan("e2", jobId("checkout"), 1, List.of(preemptor), List.of(), List.of(), null,
                    List.of(new InstanceStop("victim", "Preempted by shop_web/checkout.web[0]")), null);

            ApplyResult result = apply(new ApplyPlan(plan, false, "c3", at(20)));

            Instance victim = instanceNamed("victim");
            assertThat(victim.desired()).isEqualTo(DesiredStatus.EVICT);
            assertThat(victim.reason()).isEqualTo("Preempted by shop_web/checkout.web[0]");
            assertThat(victim.holdsResources()).isFalse();
            assertThat(instanceNamed("preemptor").desired()).isEqualTo(DesiredStatus.RUN);
            assertThat(result.message()).contains("preempted 1");
            assertThat(result.evaluationIds()).singleElement().satisfies(id -> {
                Evaluation followUp = evaluation(id);
                assertThat(followUp.jobId()).isEqualTo(jobId("scavenger"));
                assertThat(followUp.trigger()).isEqualTo(EvaluationTrigger.PREEMPTED);
                assertThat(followUp.status()).isEqualTo(EvaluationStatus.PENDING);
            });
            // A snapshot restores the eviction.
            ClusterState restored = ClusterState.fromData(state.toData());
            assertThat(restored.toData()).isEqualTo(state.toData());
            assertThat(restored.view().instance("victim").orElseThrow().desired()).isEqualTo(DesiredStatus.EVICT);
        }

        @Test
        void aPreemptionOfAnInstanceThatAlreadyEndedChangesNothingOfIt() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("scavenger", "e1");
            place("e1", instance("victim", "scavenger", "n1"));
            apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("victim", InstanceState.COMPLETE, "exit 0",
                    Map.of())), "c2", at(5)));
            registerJob("checkout", "e2");
            Plan plan = new Plan("e2", jobId("checkout"), 1, List.of(instance("preemptor", "checkout", "n1")),
                    List.of(), List.of(), null, List.of(new InstanceStop("victim", "Preempted by x")), null);

            ApplyResult result = apply(new ApplyPlan(plan, false, "c3", at(20)));

            assertThat(instanceNamed("victim").desired()).isEqualTo(DesiredStatus.RUN);
            assertThat(result.message()).doesNotContain("preempted");
        }

        @Test
        void aDelayedReplacementQueuesAnEvaluationThatWaits() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("checkout", "e1");
            Plan plan = new Plan("e1", jobId("checkout"), 1, List.of(), List.of(), List.of(), at(30));

            ApplyResult result = apply(new ApplyPlan(plan, false, "c2", at(11)));

            assertThat(evaluation("e1").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(result.evaluationIds()).hasSize(1);
            Evaluation followUp = evaluation(result.evaluationIds().getFirst());
            assertThat(followUp.status()).isEqualTo(EvaluationStatus.PENDING);
            assertThat(followUp.trigger()).isEqualTo(EvaluationTrigger.RESCHEDULE);
            assertThat(followUp.waitUntil()).isEqualTo(at(30));
            assertThat(followUp.isDue(at(29))).isFalse();
            assertThat(followUp.isDue(at(30))).isTrue();
        }

        @Test
        void stopsSkipTerminalInstances() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("checkout", "e1");
            place("e1", instance("i1", "checkout", "n1"));
            apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i1", InstanceState.COMPLETE, "done",
                    Map.of())), "c2", at(1)));
            Instance before = instanceNamed("i1");

            apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(),
                    List.of(new InstanceStop("i1", "job stopped")), List.of()), false, "c3", at(2)));

            assertThat(instanceNamed("i1")).isEqualTo(before);
        }

        @Test
        void failuresBlockTheEvaluationWithASummary() {
            registerJob("checkout", "e1");
            PlacementFailure failure = new PlacementFailure("web", 2, 4,
                    Map.of("insufficient memory", 3, "missing label zone=b", 1));

            apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(), List.of(), List.of(failure)), false,
                    "c1", at(1)));

            Evaluation evaluation = evaluation("e1");
            assertThat(evaluation.status()).isEqualTo(EvaluationStatus.BLOCKED);
            assertThat(evaluation.failures()).containsExactly(failure);
            assertThat(evaluation.statusDescription())
                    .isEqualTo("group web: 2 not placed (3 nodes: insufficient memory; 1 node: missing label zone=b)");
            assertThat(view.pendingEvaluations()).isEmpty();
        }

        @Test
        void retryRestCompletesTheEvaluationAndQueuesAPlanConflict() {
            registerJob("checkout", "e1");

            ApplyResult result = apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(), List.of(),
                    List.of()), true, "c1", at(1)));

            String retry = ClusterState.derivedEvaluationId("c1", jobId("checkout"));
            assertThat(result.evaluationIds()).containsExactly(retry);
            assertThat(evaluation("e1").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(evaluation(retry).trigger()).isEqualTo(EvaluationTrigger.PLAN_CONFLICT);
            assertThat(evaluation(retry).status()).isEqualTo(EvaluationStatus.PENDING);
        }

        @Test
        void supersedesOlderPendingAndBlockedEvaluationsOfTheJobOnly() {
            registerJob("checkout", "e1");
            block("e1");
            apply(new RegisterJob(job("checkout", JobType.SERVICE, 2), "e2", at(2)));
            apply(new RegisterJob(job("checkout", JobType.SERVICE, 3), "e3", at(3)));
            registerJob("cart", "e4");
            apply(new RegisterJob(job("checkout", JobType.SERVICE, 4), "e5", at(5)));

            apply(new ApplyPlan(new Plan("e3", jobId("checkout"), 3, List.of(), List.of(), List.of()), false, "c1",
                    at(6)));

            assertThat(evaluation("e1").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(evaluation("e1").statusDescription()).isEqualTo("superseded by evaluation e3");
            assertThat(evaluation("e2").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(evaluation("e3").status()).isEqualTo(EvaluationStatus.COMPLETE);
            // Newer than the plan's evaluation, or of another job: still to do.
            assertThat(view.pendingEvaluations()).extracting(Evaluation::id).containsExactly("e4", "e5");
        }

        @Test
        void anUnknownEvaluationStillCommitsThePlacements() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));

            ApplyResult result = apply(new ApplyPlan(new Plan("gone", jobId("checkout"), 1,
                    List.of(instance("i1", "checkout", "n1")), List.of(), List.of()), false, "c2", at(1)));

            assertThat(result.changed()).isTrue();
            assertThat(result.message()).contains("evaluation gone not found");
            assertThat(view.instance("i1")).isPresent();
        }
    }

    @Nested
    class UpdateInstanceStates {
        private void setUpRunningInstances() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            apply(new UpsertNode(node("n2"), "c2", at(0)));
            registerJob("checkout", "e1");
            place("e1", instance("i1", "checkout", "n1"), instance("i2", "checkout", "n1"));
            apply(new RegisterJob(job("report", JobType.BATCH, 1), "e2", at(3)));
            place("e2", instance("b1", "report", "n1"));
        }

        private static InstanceStatusUpdate update(String id, InstanceState state) {
            TaskState task = new TaskState(state == InstanceState.RUNNING ? TaskStatus.RUNNING : TaskStatus.DEAD,
                    null, state == InstanceState.FAILED ? 1 : null, null, null, 0, at(1), null);
            return new InstanceStatusUpdate(id, state, state.wireName(), Map.of("main", task));
        }

        @Test
        void setsStateReasonAndTasks() {
            setUpRunningInstances();

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.RUNNING)), "c3",
                    at(40)));

            assertThat(result.changed()).isTrue();
            assertThat(result.evaluationIds()).isEmpty();
            Instance running = instanceNamed("i1");
            assertThat(running.state()).isEqualTo(InstanceState.RUNNING);
            assertThat(running.reason()).isEqualTo("running");
            assertThat(running.tasks()).containsOnlyKeys("main");
            assertThat(running.modifyTime()).isEqualTo(at(40));
        }

        @Test
        void ignoresInstancesOfOtherNodesUnknownOnesAndTerminalOnes() {
            setUpRunningInstances();
            apply(new UpdateInstances("n1", List.of(update("i2", InstanceState.COMPLETE)), "c3", at(5)));
            Instance i1 = instanceNamed("i1");
            Instance i2 = instanceNamed("i2");

            ApplyResult result = apply(new UpdateInstances("n2", List.of(update("i1", InstanceState.RUNNING),
                    update("ghost", InstanceState.RUNNING)), "c4", at(6)));
            ApplyResult again = apply(new UpdateInstances("n1", List.of(update("i2", InstanceState.RUNNING)), "c5",
                    at(7)));

            assertThat(result.changed()).isFalse();
            assertThat(again.changed()).isFalse();
            assertThat(instanceNamed("i1")).isEqualTo(i1);
            assertThat(instanceNamed("i2")).isEqualTo(i2);
        }

        @Test
        void aRepeatedReportChangesNothing() {
            setUpRunningInstances();
            apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.RUNNING)), "c3", at(5)));

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.RUNNING)), "c4",
                    at(6)));

            assertThat(result.changed()).isFalse();
            assertThat(instanceNamed("i1").modifyTime()).isEqualTo(at(5));
        }

        @Test
        void failedInstancesOfAServiceCreateOneEvaluationPerJob() {
            setUpRunningInstances();

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.FAILED),
                    update("i2", InstanceState.FAILED)), "c3", at(50)));

            String evaluationId = ClusterState.derivedEvaluationId("c3", jobId("checkout"));
            assertThat(result.evaluationIds()).containsExactly(evaluationId);
            assertThat(evaluation(evaluationId).trigger()).isEqualTo(EvaluationTrigger.INSTANCE_FAILED);
            assertThat(evaluation(evaluationId).createTime()).isEqualTo(at(50));
        }

        @Test
        void aCompletedServiceInstanceIsReplacedButACompletedBatchOneIsNot() {
            setUpRunningInstances();

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("b1", InstanceState.COMPLETE),
                    update("i1", InstanceState.COMPLETE)), "c3", at(50)));

            assertThat(result.evaluationIds()).containsExactly(ClusterState.derivedEvaluationId("c3",
                    jobId("checkout")));
        }

        @Test
        void aFailedBatchInstanceIsReplaced() {
            setUpRunningInstances();

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("b1", InstanceState.FAILED)), "c3",
                    at(50)));

            assertThat(result.evaluationIds()).containsExactly(ClusterState.derivedEvaluationId("c3",
                    jobId("report")));
        }

        @Test
        void instancesAskedToStopOrOfStoppedJobsAreNotReplaced() {
            setUpRunningInstances();
            apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(),
                    List.of(new InstanceStop("i1", "scaled down")), List.of()), false, "c3", at(4)));
            apply(new DeregisterJob(jobId("report"), false, "e3", at(5)));

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.FAILED),
                    update("b1", InstanceState.FAILED)), "c4", at(6)));

            assertThat(result.changed()).isTrue();
            assertThat(result.evaluationIds()).isEmpty();
        }

        @Test
        void terminalInstancesFreeCapacityForBlockedJobs() {
            setUpRunningInstances();
            registerJob("cart", "e3");
            block("e3");
            registerJob("search", "e4");
            block("e4");
            apply(new DeregisterJob(jobId("search"), false, "e5", at(9)));

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.FAILED)), "c3",
                    at(60)));

            String checkoutEvaluation = ClusterState.derivedEvaluationId("c3", jobId("checkout"));
            String cartEvaluation = ClusterState.derivedEvaluationId("c3", jobId("cart"));
            assertThat(result.evaluationIds()).containsExactly(checkoutEvaluation, cartEvaluation);
            assertThat(evaluation(checkoutEvaluation).trigger()).isEqualTo(EvaluationTrigger.INSTANCE_FAILED);
            assertThat(evaluation(cartEvaluation).trigger()).isEqualTo(EvaluationTrigger.CAPACITY_CHANGED);
            assertThat(evaluation("e3").status()).isEqualTo(EvaluationStatus.COMPLETE);
            // A stopped job's blocked evaluation is done, without a successor.
            assertThat(evaluation("e4").status()).isEqualTo(EvaluationStatus.COMPLETE);
            assertThat(view.evaluationsOfJob(jobId("search"))).extracting(Evaluation::id).containsExactly("e5", "e4");
        }

        @Test
        void aBlockedEvaluationOfTheFailedJobIsFollowedByItsOneNewEvaluation() {
            setUpRunningInstances();
            apply(new RegisterJob(job("checkout", JobType.SERVICE, 5), "e3", at(8)));
            block("e3");

            ApplyResult result = apply(new UpdateInstances("n1", List.of(update("i1", InstanceState.FAILED)), "c3",
                    at(60)));

            String next = ClusterState.derivedEvaluationId("c3", jobId("checkout"));
            assertThat(result.evaluationIds()).containsExactly(next);
            assertThat(evaluation("e3").statusDescription()).isEqualTo("capacity changed; re-evaluated by evaluation "
                    + next);
        }
    }

    @Nested
    class GarbageCollection {
        @Test
        void removesTheListedInstancesAndEvaluations() {
            apply(new UpsertNode(node("n1"), "c1", at(0)));
            registerJob("checkout", "e1");
            place("e1", instance("i1", "checkout", "n1"), instance("i2", "checkout", "n1"));
            registerJob("cart", "e2");

            ApplyResult result = apply(new GarbageCollect(List.of("i1", "ghost"), List.of("e1", "e2", "e9"), at(9)));

            assertThat(result.changed()).isTrue();
            assertThat(view.instances()).extracting(Instance::id).containsExactly("i2");
            assertThat(view.instancesOnNode("n1")).extracting(Instance::id).containsExactly("i2");
            assertThat(view.evaluations()).isEmpty();
            assertThat(view.evaluationsOfJob(jobId("checkout"))).isEmpty();
            assertThat(view.pendingEvaluations()).isEmpty();

            assertThat(apply(new GarbageCollect(List.of("i1"), List.of(), at(10))).changed()).isFalse();
        }
    }

    @Test
    void pendingEvaluationsAreServedInCreationOrderWhateverTheirTimes() {
        apply(new RegisterJob(job("a"), "z-first", at(50)));
        apply(new RegisterJob(job("b"), "a-second", at(10))); // a new leader with a slower clock

        assertThat(view.pendingEvaluations()).extracting(Evaluation::id).containsExactly("z-first", "a-second");
        assertThat(ClusterState.fromData(state.toData()).view().pendingEvaluations()).extracting(Evaluation::id)
                .containsExactly("z-first", "a-second");
    }

    @Test
    void viewsReturnCopiesThatOutliveLaterChanges() {
        registerJob("checkout", "e1");
        var jobs = view.jobs();
        var pending = view.pendingEvaluations();

        registerJob("cart", "e2");

        assertThat(jobs).hasSize(1);
        assertThat(pending).hasSize(1);
    }
}
