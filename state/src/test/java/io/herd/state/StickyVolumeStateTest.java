package io.herd.state;

import io.herd.api.DesiredStatus;
import io.herd.api.Event;
import io.herd.api.EventFilter;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.Plan;
import io.herd.api.StickyVolume;
import io.herd.api.Volume;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.APP;
import static io.herd.state.StateFixtures.SMALL;
import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

/** Sticky volumes of stateful groups in the replicated state, and the events of garbage collection. */
class StickyVolumeStateTest {
    private static final long GIB = 1L << 30;

    private final ClusterState state = new ClusterState();
    private final StateView view = state.view();
    private long index;

    private ApplyResult apply(Command command) {
        ApplyResult result = state.apply(++index, command);
        StateInvariants.check(state);
        return result;
    }

    private static Job statefulJob(String name, long volumeBytes) {
        Job plain = StateFixtures.job(name);
        Group group = plain.groups().getFirst().withVolumes(List.of(new Volume("data", volumeBytes)));
        return new Job(name, APP, plain.type(), plain.priority(), List.of(), List.of(group), 0, null, false);
    }

    private static Instance placement(String id, String jobName, int index, String nodeId, long version) {
        return new Instance(id, APP, jobName, "web", index, version, nodeId, "host-" + nodeId, SMALL, Map.of(),
                InstanceState.PENDING, DesiredStatus.RUN, null, Map.of(), null, null, null);
    }

    private void place(String evaluationId, long version, Instance... placements) {
        apply(new ApplyPlan(new Plan(evaluationId, jobId("db"), version, List.of(placements), List.of(), List.of()),
                false, "plan-" + index, at(index)));
    }

    @Test
    void theFirstInstanceOfAnIndexCreatesItsVolumeOnItsNodeAndReplacementsKeepIt() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new UpsertNode(node("n2"), "c2", at(0)));
        apply(new RegisterJob(statefulJob("db", GIB), "e1", at(1)));
        place("e1", 1, placement("i0", "db", 0, "n1", 1), placement("i1", "db", 1, "n2", 1));

        assertThat(view.volumesOfJob(jobId("db"))).extracting(StickyVolume::slot, StickyVolume::name,
                StickyVolume::nodeId, StickyVolume::sizeBytes).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("db.web[0]", "data", "n1", GIB),
                        org.assertj.core.groups.Tuple.tuple("db.web[1]", "data", "n2", GIB));
        StickyVolume first = view.volumesOnNode("n1").getFirst();
        assertThat(first.id()).startsWith(APP + ".db.web.0.data.");
        assertThat(first.createTime()).isEqualTo(at(3));

        // The instance fails; its replacement on the same node finds the volume as it was.
        apply(new UpdateInstances("n1", List.of(new InstanceStatusUpdate("i0", InstanceState.FAILED, "exit 1",
                Map.of())), "u1", at(3)));
        String evaluation = view.pendingEvaluations().getFirst().id();
        apply(new ApplyPlan(new Plan(evaluation, jobId("db"), 1, List.of(placement("i0b", "db", 0, "n1", 1)),
                List.of(), List.of()), false, "plan-r", at(4)));

        assertThat(view.volumesOnNode("n1")).containsExactly(first);
    }

    @Test
    void aBiggerVolumeInANewVersionIsRecordedWhenItsIndexIsPlacedAgain() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(statefulJob("db", GIB), "e1", at(1)));
        place("e1", 1, placement("i0", "db", 0, "n1", 1));
        String id = view.volumes().getFirst().id();

        apply(new RegisterJob(statefulJob("db", 2 * GIB), "e2", at(3)));
        place("e2", 2, placement("i0b", "db", 0, "n1", 2));

        assertThat(view.volumes()).singleElement().satisfies(volume -> {
            assertThat(volume.sizeBytes()).isEqualTo(2 * GIB);
            assertThat(volume.id()).isEqualTo(id);
            assertThat(volume.createTime()).isEqualTo(at(2));
        });
    }

    @Test
    void volumesOutliveAStopAndGoWithAPurge() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(statefulJob("db", GIB), "e1", at(1)));
        place("e1", 1, placement("i0", "db", 0, "n1", 1));
        long before = view.nodeAssignmentsIndex("n1");

        apply(new DeregisterJob(jobId("db"), false, "e2", at(3)));
        assertThat(view.volumesOfJob(jobId("db"))).hasSize(1);

        apply(new DeregisterJob(jobId("db"), true, "e3", at(4)));
        assertThat(view.volumes()).isEmpty();
        // The agent holding the volume is woken to delete its directory.
        assertThat(view.nodeAssignmentsIndex("n1")).isGreaterThan(before);
    }

    @Test
    void aJobRegisteredAgainAfterAPurgeGetsNewVolumeDirectories() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(statefulJob("db", GIB), "e1", at(1)));
        place("e1", 1, placement("i0", "db", 0, "n1", 1));
        String oldId = view.volumes().getFirst().id();
        apply(new DeregisterJob(jobId("db"), true, "e2", at(3)));

        apply(new RegisterJob(statefulJob("db", GIB), "e3", at(4)));
        place("e3", 2, placement("i9", "db", 0, "n1", 2));

        assertThat(view.volumes()).singleElement().extracting(StickyVolume::id).isNotEqualTo(oldId);
    }

    @Test
    void aCollectionThatRemovedInstancesIsAnEventOnTheirJob() {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(statefulJob("db", GIB), "e1", at(1)));
        place("e1", 1, placement("i0", "db", 0, "n1", 1), placement("i1", "db", 1, "n1", 1),
                placement("i2", "db", 2, "n1", 1));

        apply(new GarbageCollect(List.of("i0", "i1", "ghost"), List.of("e1"), at(9)));
        apply(new GarbageCollect(List.of(), List.of(), at(10)));

        List<Event> collected = view.events(new EventFilter(null, null, null, null, null, "GarbageCollected", null,
                null), 10);
        assertThat(collected).singleElement().satisfies(event -> {
            assertThat(event.message()).isEqualTo("removed 2 finished instances");
            assertThat(event.object()).isEqualTo(Event.JOB + "/" + APP + "/db");
        });
    }

    @Test
    void volumesSurviveASnapshotAndASnapshotWrittenBeforeThemStillReads() throws Exception {
        apply(new UpsertNode(node("n1"), "c1", at(0)));
        apply(new RegisterJob(statefulJob("db", GIB), "e1", at(1)));
        place("e1", 1, placement("i0", "db", 0, "n1", 1));
        StateData data = state.toData();

        StateData read = io.herd.api.Json.read(io.herd.api.Json.write(data), StateData.class);
        assertThat(read).isEqualTo(data);
        assertThat(ClusterState.fromData(read).view().volumesOnNode("n1")).isEqualTo(view.volumesOnNode("n1"));

        com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.herd.api.Json.mapper().readTree(io.herd.api.Json.write(data));
        old.remove("volumes");
        ((com.fasterxml.jackson.databind.node.ObjectNode) old.get("jobs").get(0).get("groups").get(0)).remove("volumes");
        StateData before = io.herd.api.Json.read(old.toString(), StateData.class);
        assertThat(before.volumes()).isEmpty();
        assertThat(before.jobs().getFirst().groups().getFirst().volumes()).isEmpty();
        assertThat(before.jobs().getFirst().gc()).isNull();
    }
}
