package io.herd.state;

import io.herd.api.Evaluation;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.EvaluationStatus;
import io.herd.api.Instance;
import io.herd.api.Job;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What must hold after every command: the read indexes agree with the data, and a snapshot restores it all. */
final class StateInvariants {
    private StateInvariants() {}

    static void check(ClusterState state) {
        StateView view = state.view();
        for (Instance instance : view.instances()) {
            assertThat(view.instancesOfJob(instance.jobId())).contains(instance);
            assertThat(view.instancesOnNode(instance.nodeId())).contains(instance);
        }
        Set<String> jobIdsOfInstances = view.instances().stream().map(Instance::jobId).collect(Collectors.toSet());
        assertThat(jobIdsOfInstances.stream().mapToInt(jobId -> view.instancesOfJob(jobId).size()).sum())
                .isEqualTo(view.instances().size());

        for (Evaluation evaluation : view.evaluations()) {
            assertThat(view.evaluationsOfJob(evaluation.jobId())).contains(evaluation);
        }
        assertThat(view.pendingEvaluations()).containsExactlyInAnyOrderElementsOf(view.evaluations().stream()
                .filter(evaluation -> evaluation.status() == EvaluationStatus.PENDING).toList());

        for (Job job : view.jobs()) {
            assertThat(view.jobVersions(job.id())).first().isEqualTo(job);
            assertThat(view.jobVersions(job.id())).hasSizeLessThanOrEqualTo(ClusterState.JOB_HISTORY_LIMIT)
                    .isSortedAccordingTo((newer, older) -> Long.compare(older.version(), newer.version()));
        }

        // Events: within the limit, in the order of their latest change, each folded count at least one.
        List<Event> events = view.events(EventFilter.ALL, Integer.MAX_VALUE);
        assertThat(events).hasSizeLessThanOrEqualTo(state.eventPolicy().limit()).hasSize(view.eventCount());
        assertThat(events).extracting(Event::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(events).allSatisfy(event -> {
            assertThat(event.count()).isPositive();
            assertThat(event.id()).isLessThanOrEqualTo(event.sequence());
            assertThat(event.sequence()).isLessThanOrEqualTo(view.lastEventSequence());
        });

        // Sticky volumes: each belongs to a current job (a purge deletes them), at most one per key and node.
        for (io.herd.api.StickyVolume volume : view.volumes()) {
            assertThat(view.job(volume.jobId())).isPresent();
            assertThat(view.volumesOnNode(volume.nodeId())).contains(volume);
            assertThat(view.volumesOfJob(volume.jobId())).contains(volume);
        }
        assertThat(view.volumes()).extracting(io.herd.api.StickyVolume::key).doesNotHaveDuplicates();
        assertThat(view.jobs().stream().mapToInt(job -> view.volumesOfJob(job.id()).size()).sum())
                .isEqualTo(view.volumes().size());

        StateData data = state.toData();
        assertThat(ClusterState.fromData(data).toData()).isEqualTo(data);
    }
}
