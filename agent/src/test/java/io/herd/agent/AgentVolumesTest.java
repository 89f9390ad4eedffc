package io.herd.agent;

import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.JobType;
import io.herd.api.StickyVolume;
import io.herd.api.Volume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.herd.agent.AgentFixture.batch;
import static io.herd.agent.AgentFixture.instance;
import static io.herd.agent.AgentFixture.noRestarts;
import static io.herd.agent.AgentFixture.shell;
import static org.assertj.core.api.Assertions.assertThat;

/** Sticky volume directories with real runners and processes: created for a stateful instance, kept, swept. */
class AgentVolumesTest {
    private static final String VOLUME_ID = "test_app.job.web.0.data.1a2b3c4d";

    @TempDir
    Path dataDir;
    private AgentFixture fixture;
    private final List<StickyVolume> listed = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fixture = new AgentFixture(dataDir);
        listed.add(new StickyVolume(VOLUME_ID, "test_app", "job", "web", 0, "data", 1L << 20, "node-1", "node-a",
                null));
    }

    @AfterEach
    void tearDown() throws Exception {
        fixture.close();
    }

    private static InstanceSpec stateful(String script) {
        InstanceSpec plain = batch(noRestarts(), shell("main", script));
        Group group = plain.group().withVolumes(List.of(new Volume("data", 1L << 20)));
        return new InstanceSpec(JobType.BATCH, group, Map.of("data", VOLUME_ID));
    }

    private InstanceRunner runToEnd(Instance instance, String script) throws Exception {
        InstanceRunner runner = fixture.start(instance, stateful(script));
        runner.terminated().get(30, TimeUnit.SECONDS);
        assertThat(runner.state()).isEqualTo(InstanceState.COMPLETE);
        return runner;
    }

    @Test
    void aLaterInstanceOfTheIndexFindsWhatTheFirstWroteAtTheSamePaths() throws Exception {
        Instance first = instance();
        runToEnd(first, "echo \"$HERD_VOLUME_DATA\" > where; echo kept > \"$HERD_VOLUME_DATA/file\"; "
                + "echo via-link >> volumes/data/file");

        Instance second = instance();
        runToEnd(second, "cat \"$HERD_VOLUME_DATA/file\" > seen");

        Path volume = fixture.store.volumeDir(VOLUME_ID);
        assertThat(Files.readString(fixture.store.taskDir(first.id(), "main").resolve("where")).strip())
                .isEqualTo(volume.toString());
        assertThat(Files.readString(fixture.store.taskDir(second.id(), "main").resolve("seen")))
                .isEqualTo("kept\nvia-link\n");
        // The volume lives outside both instances' directories: deleting one keeps it.
        fixture.store.delete(first.id());
        assertThat(volume.resolve("file")).exists();
    }

    @Test
    void aSweepDeletesOnlyVolumesNoLongerListedAndNoLongerInUse() throws Exception {
        InstanceRunner done = runToEnd(instance(), "echo x > \"$HERD_VOLUME_DATA/file\"");
        Path orphan = Files.createDirectories(fixture.store.volumeDir("other_app.db.mysql.0.data.deadbeef"));
        AgentVolumes volumes = new AgentVolumes(fixture.store, () -> List.copyOf(listed));

        assertThat(volumes.sweep(List.of(done))).containsExactly("other_app.db.mysql.0.data.deadbeef");
        assertThat(orphan).doesNotExist();
        assertThat(fixture.store.volumeDir(VOLUME_ID)).exists();

        // The job is purged: the servers no longer list the volume, but a running instance still uses it.
        listed.clear();
        InstanceRunner running = fixture.start(instance(), stateful("exec sleep 1000"));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> running.state() == InstanceState.RUNNING);
        assertThat(volumes.sweep(List.of(done, running))).isEmpty();

        running.stop("purged");
        running.terminated().get(30, TimeUnit.SECONDS);
        assertThat(volumes.sweep(List.of(done, running))).containsExactly(VOLUME_ID);
        assertThat(fixture.store.volumeDir(VOLUME_ID)).doesNotExist();
        assertThat(volumes.sweep(List.of())).isEmpty();
    }
}
