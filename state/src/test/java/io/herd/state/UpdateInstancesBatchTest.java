package io.herd.state;

import io.herd.api.Evaluation;
import io.herd.api.EvaluationTrigger;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Plan;
import io.herd.state.UpdateInstancesBatch.NodeReport;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

/** Many agents' reports in one command: applied as each node's own report, one evaluation per job. */
class UpdateInstancesBatchTest {
    private final ClusterState state = new ClusterState();
    private long index;

    private ApplyResult apply(Command command) {
        ApplyResult result = state.apply(++index, command);
        StateInvariants.check(state);
        return result;
    }

    /** checkout: i1 on n1, i2 on n2; report: r1 on n2. */
    private void setUp() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new UpsertNode(node("n2"), "c2", at(0)));
        apply(new RegisterJob(job("checkout"), "e1", at(1)));
        apply(new ApplyPlan(new Plan("e1", jobId("checkout"), 1, List.of(instance("i1", "checkout", "n1"),
                instance("i2", "checkout", "n2")), List.of(), List.of()), false, "p1", at(2)));
        apply(new RegisterJob(job("report"), "e2", at(3)));
        apply(new ApplyPlan(new Plan("e2", jobId("report"), 1, List.of(instance("r1", "report", "n2")), List.of(),
                List.of()), false, "p2", at(4)));
    }

    private static InstanceStatusUpdate update(String id, InstanceState state) {
        return new InstanceStatusUpdate(id, state, state.wireName(), Map.of());
    }

    @Test
    void appliesEveryNodesReportAndIgnoresWhatANodeDoesNotHold() {
        setUp();

        ApplyResult result = apply(new UpdateInstancesBatch(List.of(
                new NodeReport("n1", List.of(update("i1", InstanceState.RUNNING))),
                // r1 is not on n1: ignored, as in a single report
                new NodeReport("n1", List.of(update("r1", InstanceState.FAILED))),
                new NodeReport("n2", List.of(update("i2", InstanceState.RUNNING), update("r1", InstanceState.RUNNING)))),
                "batch-1", at(10)));

        assertThat(result.changed()).isTrue();
        assertThat(result.message()).startsWith("updated 3 of 4 instances");
        assertThat(state.view().instance("i1").orElseThrow().state()).isEqualTo(InstanceState.RUNNING);
        assertThat(state.view().instance("i2").orElseThrow().state()).isEqualTo(InstanceState.RUNNING);
        assertThat(state.view().instance("r1").orElseThrow().state()).isEqualTo(InstanceState.RUNNING);
        assertThat(state.view().instance("i1").orElseThrow().modifyTime()).isEqualTo(at(10));
    }

    @Test
    void failuresOfOneJobOnSeveralNodesCreateOneEvaluation() {
        setUp();

        ApplyResult result = apply(new UpdateInstancesBatch(List.of(
                new NodeReport("n1", List.of(update("i1", InstanceState.FAILED))),
                new NodeReport("n2", List.of(update("i2", InstanceState.FAILED)))), "batch-1", at(10)));

        assertThat(result.evaluationIds()).containsExactly(ClusterState.derivedEvaluationId("batch-1",
                jobId("checkout")));
        Evaluation evaluation = state.view().evaluation(result.evaluationIds().getFirst()).orElseThrow();
        assertThat(evaluation.trigger()).isEqualTo(EvaluationTrigger.INSTANCE_FAILED);
    }

    @Test
    void aBatchOfOneIsTheSingleReport() {
        setUp();
        ClusterState single = ClusterState.fromData(state.toData());

        apply(new UpdateInstancesBatch(List.of(new NodeReport("n1", List.of(update("i1", InstanceState.FAILED)))),
                "c9", at(10)));
        single.apply(index, new UpdateInstances("n1", List.of(update("i1", InstanceState.FAILED)), "c9", at(10)));

        assertThat(state.toData()).isEqualTo(single.toData());
    }

    @Test
    void survivesTheLogEncoding() {
        UpdateInstancesBatch batch = new UpdateInstancesBatch(List.of(
                new NodeReport("n1", List.of(update("i1", InstanceState.RUNNING)))), "batch-1", at(10));

        assertThat(HerdStateMachine.decodeCommand(HerdStateMachine.encode(batch).getContent())).isEqualTo(batch);
    }
}
