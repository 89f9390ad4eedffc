package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.Event;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Json;
import io.herd.api.StickyVolume;
import io.herd.api.TaskState;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stateful groups and garbage collection end to end, with a real server (collecting every second) and two agents
 * running real processes: a replacement of a stateful index finds its predecessor's data on the same node, a purge
 * deletes the volume's directory, and finished instances and their directories are kept exactly as the policy says.
 */
class StatefulIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(40);
    /** Each run appends its marker to a file in the volume and copies what it found into its task directory. */
    private static final String STATEFUL = """
            job: %s
            app: demo
            groups:
              - name: store
                count: 1
                volumes: [{name: data, size: 64Mi}]
                restart: {attempts: 0}
                tasks:
                  - name: main
                    driver: exec
                    config:
                      command: /bin/sh
                      args: ["-c", "echo %s >> \\"$HERD_VOLUME_DATA/runs\\"; cp volumes/data/runs seen; exec sleep 100000"]
                    resources: {cpu: 100m, memory: 32Mi, disk: 10Mi}
                    kill_timeout: 1s
            """;
    /** A batch job that writes a file into its task directory and ends. */
    private static final String BATCH = """
            job: %s
            app: demo
            type: batch
            gc: %s
            groups:
              - name: run
                tasks:
                  - name: main
                    driver: exec
                    config: {command: /bin/sh, args: ["-c", "echo %s > out"]}
                    resources: {cpu: 100m, memory: 32Mi}
            """;

    private static TestingCluster cluster;
    private static HerdClient client;


    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(4), List.of("--gc-interval", "1s"));
        cluster.startAgent("agent-1", "2", "2Gi", "rack=r1");
        cluster.startAgent("agent-2", "2", "2Gi", "rack=r2");
        client = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aStatefulInstanceReplacedOnTheSameNodeSeesTheDataOfItsPredecessorsUntilThePurge() throws Exception {
        client.submitJob(STATEFUL.formatted("db", "first"));
        Instance first = awaitRunningInstance("demo/db", Optional.empty());
        StickyVolume volume = client.jobStatus("demo/db").volumes().getFirst();
        assertThat(volume.nodeId()).isEqualTo(first.nodeId());
        Path directory = cluster.root().resolve(first.nodeName()).resolve("volumes").resolve(volume.id());
        assertThat(Files.readString(directory.resolve("runs"))).isEqualTo("first\n");

        // The task is killed and not restarted in place (attempts: 0): the instance fails and a new instance of
        // index 0 replaces it, on the node that holds its volume although that is where it failed.
        ProcessHandle.of(task(first).pid()).orElseThrow().destroyForcibly();
        Instance replacement = awaitRunningInstance("demo/db", Optional.of(first.id()));
        assertThat(replacement.index()).isZero();
        assertThat(replacement.nodeId()).isEqualTo(first.nodeId());
        assertThat(Files.readString(taskDir(replacement).resolve("seen"))).isEqualTo("first\nfirst\n");

        // A new version replaces it once more, on the same node, with the same data.
        client.submitJob(STATEFUL.formatted("db", "second"));
        Instance updated = awaitRunningInstance("demo/db", Optional.of(replacement.id()));
        assertThat(updated.jobVersion()).isEqualTo(2);
        assertThat(updated.nodeId()).isEqualTo(first.nodeId());
        cluster.awaitCondition("the new version read the volume", TIMEOUT,
                () -> Files.exists(taskDir(updated).resolve("seen")));
        assertThat(Files.readString(taskDir(updated).resolve("seen"))).isEqualTo("first\nfirst\nsecond\n");
        // Never two processes on one volume: the new instance started only once the one it replaced had ended.
        TaskState ended = task(client.instance(replacement.id()));
        assertThat(ended.finishTime()).isNotNull();
        assertThat(task(client.instance(updated.id())).startTime()).isAfterOrEqualTo(ended.finishTime());

        CliResult status = run("status", "db");
        assertThat(status.out()).contains("Volumes (kept until 'herd down --purge'):")
                .containsPattern("  data +db\\.store\\[0\\] +" + first.nodeName() + " +64Mi");
        JsonNode json = Json.mapper().readTree(run("status", "db", "-o", "json").out());
        assertThat(json.get("volumes").get(0).get("node").asText()).isEqualTo(first.nodeName());
        assertThat(json.get("volumes").get(0).get("size_bytes").asLong()).isEqualTo(64L << 20);

        // Stopping keeps the volume; a purge deletes it once its instance is gone.
        assertThat(run("down", "db").exitCode()).isZero();
        assertThat(client.nodeVolumes(first.nodeId())).hasSize(1);
        assertThat(directory.resolve("runs")).exists();
        CliResult purge = run("down", "db", "--purge");
        assertThat(purge.exitCode()).as(purge.out() + purge.err()).isZero();
        assertThat(client.nodeVolumes(first.nodeId())).isEmpty();
        cluster.awaitCondition("the agent deleted the volume directory", TIMEOUT, () -> !Files.exists(directory));
    }

    @Test
    void anIndexWhoseNodeIsDownWaitsForItWithAReasonAndComesBackThereWithItsData() throws Exception {
        client.submitJob(STATEFUL.formatted("kv", "before"));
        Instance first = awaitRunningInstance("demo/kv", Optional.empty());
        TestingCluster.Member agent = cluster.agent(first.nodeName());

        // The machine dies: the instance is lost, and its index waits for the node rather than start empty
        // elsewhere (the other node has room).
        cluster.kill(agent);
        String reason = "sticky volume on " + first.nodeName() + ": node down";
        cluster.awaitCondition("the index waits for its volume's node", TIMEOUT,
                () -> run("status", "kv").out().contains("1 node: " + reason));
        assertThat(client.jobStatus("demo/kv").instances()).noneMatch(Instance::isLive);

        cluster.restart(agent);
        Instance back = awaitRunningInstance("demo/kv", Optional.of(first.id()));
        assertThat(back.nodeId()).isEqualTo(first.nodeId());
        cluster.awaitCondition("the replacement read the volume", TIMEOUT,
                () -> Files.exists(taskDir(back).resolve("seen")));
        assertThat(Files.readString(taskDir(back).resolve("seen"))).isEqualTo("before\nbefore\n");
        assertThat(run("down", "kv", "--purge").exitCode()).isZero();
    }

    @Test
    void garbageCollectionKeepsExactlyWhatThePolicySays() throws Exception {
        // keep_finished: the two newest runs of the index stay, with their directories; the older ones go.
        List<Instance> runs = new java.util.ArrayList<>();
        for (int run = 1; run <= 4; run++) {
            client.submitJob(BATCH.formatted("nightly", "{keep_finished: 2}", "run" + run));
            runs.add(awaitCompleteVersion("demo/nightly", run));
        }
        cluster.awaitCondition("the two newest runs kept", TIMEOUT, () -> instanceIds("demo/nightly")
                .equals(List.of(runs.get(2).id(), runs.get(3).id()).stream().sorted().toList()));
        cluster.awaitCondition("the directories of the collected runs deleted", TIMEOUT,
                () -> !Files.exists(instanceDir(runs.get(0))) && !Files.exists(instanceDir(runs.get(1))));
        assertThat(Files.readString(instanceDir(runs.get(2)).resolve("tasks/main/out"))).isEqualTo("run3\n");
        assertThat(Files.readString(instanceDir(runs.get(3)).resolve("tasks/main/out"))).isEqualTo("run4\n");
        List<Event> collected = client.events(new HerdClient.EventQuery("demo", "nightly", null, null, null,
                "GarbageCollected", null, null), null);
        assertThat(collected).isNotEmpty()
                .allSatisfy(event -> assertThat(event.message()).matches("removed \\d+ finished instances?"));

        // keep_for: finished runs go once older than that, except the newest, which tells that the index is done
        // (without it the batch job would run again).
        List<Instance> brief = new java.util.ArrayList<>();
        for (int run = 1; run <= 2; run++) {
            client.submitJob(BATCH.formatted("hourly", "{keep_for: 2s}", "run" + run));
            brief.add(awaitCompleteVersion("demo/hourly", run));
        }
        cluster.awaitCondition("only the newest run kept", TIMEOUT,
                () -> instanceIds("demo/hourly").equals(List.of(brief.get(1).id())));
        cluster.awaitCondition("the older run's directory deleted", TIMEOUT,
                () -> !Files.exists(instanceDir(brief.get(0))));
        assertThat(instanceDir(brief.get(1))).exists();
        assertThat(client.jobStatus("demo/hourly").instances()).singleElement()
                .satisfies(instance -> assertThat(instance.state()).isEqualTo(InstanceState.COMPLETE));
    }

    /** The job's running instance, once there is one whose id is not {@code replaced}. */
    private static Instance awaitRunningInstance(String jobId, Optional<String> replaced) {
        Instance[] found = new Instance[1];
        cluster.awaitCondition("a running instance of " + jobId + replaced.map(id -> " replacing " + id).orElse(""),
                TIMEOUT, () -> {
                    Optional<Instance> running = client.jobStatus(jobId).instances().stream()
                            .filter(instance -> instance.isLive() && instance.state() == InstanceState.RUNNING)
                            .filter(instance -> replaced.map(id -> !id.equals(instance.id())).orElse(true))
                            .filter(instance -> task(instance).pid() != null)
                            .findFirst();
                    running.ifPresent(instance -> found[0] = instance);
                    return running.isPresent();
                });
        return found[0];
    }

    private static Instance awaitCompleteVersion(String jobId, long version) {
        Instance[] found = new Instance[1];
        cluster.awaitCondition("version " + version + " of " + jobId + " complete", TIMEOUT, () -> {
            Optional<Instance> complete = client.jobStatus(jobId).instances().stream()
                    .filter(instance -> instance.jobVersion() == version && instance.state() == InstanceState.COMPLETE)
                    .findFirst();
            complete.ifPresent(instance -> found[0] = instance);
            return complete.isPresent();
        });
        return found[0];
    }

    private static List<String> instanceIds(String jobId) {
        return client.jobStatus(jobId).instances().stream().map(Instance::id).sorted().collect(Collectors.toList());
    }

    private static TaskState task(Instance instance) {
        return instance.tasks().get("main");
    }

    private static Path instanceDir(Instance instance) {
        return cluster.root().resolve(instance.nodeName()).resolve("instances").resolve(instance.id());
    }

    private static Path taskDir(Instance instance) {
        return instanceDir(instance).resolve("tasks").resolve("main");
    }

    private static CliResult run(String... args) {
        return CliResult.run(cluster.servers().getFirst().httpAddress(), args);
    }
}
