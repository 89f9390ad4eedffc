package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.DesiredStatus;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Json;
import io.herd.api.PlacementFailure;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.wire.JobStatus;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code herd status JOB}: the JSON shape scripts rely on, and the table people read. */
class JobStatusViewTest {
    private static final Instant START = FakeClock.DEFAULT_START;

    static final Job HELLO = Jobs.job("hello").app("demo").version(2)
            .group(Jobs.group("web").count(3).task(Jobs.task("server").ports("http")))
            .build();

    static JobStatus helloStatus() {
        Instance running = Instances.instance(HELLO, "web", 0).id("3f2a9c1b-0000-4000-8000-000000000001")
                .node("node-a-id").port("http", 20513)
                .task("server", new TaskState(TaskStatus.RUNNING, 41237L, null, null, null, 1, START, null))
                .createTime(START.plusSeconds(10)).build();
        Instance failed = Instances.instance(HELLO, "web", 1).id("77aa0000-0000-4000-8000-000000000002")
                .node("node-b-id").state(InstanceState.FAILED).reason("task server exited with code 3")
                .task("server", new TaskState(TaskStatus.DEAD, 41300L, 3, "Error", "exit status 3", 3, START, START))
                .jobVersion(1).createTime(START).build();
        Instance replacement = Instances.instance(HELLO, "web", 1).id("88bb0000-0000-4000-8000-000000000003")
                .node("node-a-id").state(InstanceState.PENDING).task("server", TaskState.pending())
                .createTime(START.plusSeconds(20)).build();
        PlacementFailure failure = new PlacementFailure("web", 1, 3,
                Map.of("insufficient memory", 2, "missing label zone=b", 1));
        Evaluation blocked = new Evaluation("eval-2", HELLO.id(), EvaluationTrigger.JOB_REGISTER,
                EvaluationStatus.BLOCKED, "1 instance not placed", List.of(failure), START, START);
        return new JobStatus(HELLO, List.of(replacement, running, failed), List.of(blocked));
    }

    @Test
    void jsonCarriesWhatScriptsNeed() throws Exception {
        JsonNode root = Json.mapper().readTree(Json.writePretty(JobStatusView.of(helloStatus())));

        assertThat(root.get("id").asText()).isEqualTo("demo/hello");
        assertThat(root.get("app").asText()).isEqualTo("demo");
        assertThat(root.get("name").asText()).isEqualTo("hello");
        assertThat(root.get("type").asText()).isEqualTo("service");
        assertThat(root.get("priority").asInt()).isEqualTo(200);
        assertThat(root.get("version").asLong()).isEqualTo(2);
        assertThat(root.get("stopped").asBoolean()).isFalse();

        JsonNode instances = root.get("instances");
        assertThat(instances).hasSize(3);
        JsonNode first = instances.get(0);
        assertThat(first.get("id").asText()).isEqualTo("3f2a9c1b-0000-4000-8000-000000000001");
        assertThat(first.get("name").asText()).isEqualTo("hello.web[0]");
        assertThat(first.get("group").asText()).isEqualTo("web");
        assertThat(first.get("index").asInt()).isZero();
        assertThat(first.get("node").asText()).isEqualTo("node-a-id");
        assertThat(first.get("node_id").asText()).isEqualTo("node-a-id");
        assertThat(first.get("state").asText()).isEqualTo("running");
        assertThat(first.get("desired").asText()).isEqualTo("run");
        assertThat(first.get("version").asLong()).isEqualTo(2);
        assertThat(first.get("ports").get("http").asInt()).isEqualTo(20513);
        JsonNode task = first.get("tasks").get("server");
        assertThat(task.get("state").asText()).isEqualTo("running");
        assertThat(task.get("pid").asLong()).isEqualTo(41237);
        assertThat(task.get("restarts").asInt()).isEqualTo(1);

        // Index 1: the newer replacement first, then the instance it replaced.
        assertThat(instances.get(1).get("id").asText()).startsWith("88bb");
        assertThat(instances.get(1).get("state").asText()).isEqualTo("pending");
        JsonNode failed = instances.get(2);
        assertThat(failed.get("state").asText()).isEqualTo("failed");
        assertThat(failed.get("reason").asText()).isEqualTo("task server exited with code 3");
        assertThat(failed.get("version").asLong()).isEqualTo(1);
        JsonNode deadTask = failed.get("tasks").get("server");
        assertThat(deadTask.get("state").asText()).isEqualTo("dead");
        assertThat(deadTask.has("pid")).as("no pid once the process is gone").isFalse();
        assertThat(deadTask.get("exit_code").asInt()).isEqualTo(3);
        assertThat(deadTask.get("reason").asText()).isEqualTo("Error");

        JsonNode failures = root.get("placement_failures");
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).get("group").asText()).isEqualTo("web");
        assertThat(failures.get(0).get("unplaced").asInt()).isEqualTo(1);
        assertThat(failures.get(0).get("nodes_evaluated").asInt()).isEqualTo(3);
        assertThat(failures.get(0).get("reasons").get("insufficient memory").asInt()).isEqualTo(2);
        assertThat(failures.get(0).get("summary").asText())
                .isEqualTo("2 nodes: insufficient memory; 1 node: missing label zone=b");
        assertThat(failures.get(0).get("rejections").get(0).get("reason").asText()).isEqualTo("insufficient memory");
        assertThat(failures.get(0).get("rejections").get(0).get("nodes").asInt()).isEqualTo(2);
        assertThat(failures.get(0).get("rejections").get(1).get("reason").asText()).isEqualTo("missing label zone=b");
        assertThat(failures.get(0).get("evaluation_id").asText()).isEqualTo("eval-2");
    }

    @Test
    void tableShowsHeaderInstancesAndWhyAnyArePending() {
        List<String> lines = JobStatusView.of(helloStatus()).lines(START.plus(Duration.ofMinutes(5)));
        assertThat(lines).containsExactly(
                "Job:       demo/hello",
                "Type:      service",
                "Priority:  200",
                "Version:   2",
                "Status:    running, 1/3 instances running",
                "",
                "ID        NAME          NODE       STATE    DESIRED  VERSION  HEALTHY  PORTS       AGE  REASON",
                "3f2a9c1b  hello.web[0]  node-a-id  running  run      2        -        http=20513  4m",
                "88bb0000  hello.web[1]  node-a-id  pending  run      2        -                    4m",
                "77aa0000  hello.web[1]  node-b-id  failed   run      1        -                    5m   task server exited with code 3",
                "",
                "Pending: cannot place 1 instance of group web (3 nodes evaluated):",
                "  2 nodes: insufficient memory",
                "  1 node:  missing label zone=b");
    }

    @Test
    void aStoppedJobWithoutInstances() {
        Job stopped = Jobs.job("batch").type(JobType.BATCH).stopped(true)
                .group(Jobs.group("main").task(Jobs.task("work"))).build();
        JobStatusView view = JobStatusView.of(new JobStatus(stopped, List.of(), List.of()));
        assertThat(view.lines(START)).contains("Status:    stopped, 0/0 instances running", "No instances.")
                .noneMatch(line -> line.startsWith("Pending"));
        assertThat(view.placementFailures()).isEmpty();
        assertThat(view.instances()).isEmpty();
    }

    @Test
    void saysWhenAFailedInstanceIsReplaced() {
        Instance failed = Instances.instance(HELLO, "web", 0).state(InstanceState.FAILED).build();
        Evaluation waiting = new Evaluation("eval-3", HELLO.id(), EvaluationTrigger.RESCHEDULE, EvaluationStatus.PENDING,
                null, List.of(), START, START, START.plusSeconds(20));

        JobStatusView view = JobStatusView.of(new JobStatus(HELLO, List.of(failed), List.of(waiting)));

        assertThat(view.nextReschedule()).isEqualTo(START.plusSeconds(20));
        assertThat(view.lines(START.plusSeconds(8))).last().asString()
                .isEqualTo("Next attempt: failed instances are replaced at " + START.plusSeconds(20) + " (in 12.0s)");
    }

    @Test
    void pendingReasonsComeFromTheNewestFinishedEvaluationAndOnlyForGroupsStillShort() {
        Job job = Jobs.job("hello").app("demo")
                .group(Jobs.group("web").count(3).distinctHosts())
                .group(Jobs.group("cache").count(1)).build();
        PlacementFailure web = new PlacementFailure("web", 1, 6, Map.of(
                "constraint node.kernel version >= 5.4 not met", 4,
                "distinct_hosts: already runs an instance of web", 2));
        // The cache instance found a node after this evaluation: it is no longer pending.
        PlacementFailure cache = new PlacementFailure("cache", 1, 6, Map.of("insufficient memory", 6));
        Evaluation blocked = new Evaluation("eval-2", job.id(), EvaluationTrigger.JOB_REGISTER,
                EvaluationStatus.BLOCKED, "2 instances not placed", List.of(web, cache), START, START);
        Evaluation queued = new Evaluation("eval-3", job.id(), EvaluationTrigger.NODE_UPDATE, EvaluationStatus.PENDING,
                null, List.of(), START, START);
        List<Instance> instances = List.of(
                Instances.instance(job, "web", 0).node("n1").state(InstanceState.RUNNING).build(),
                Instances.instance(job, "web", 1).node("n2").state(InstanceState.RUNNING).build(),
                Instances.instance(job, "cache", 0).node("n1").state(InstanceState.RUNNING).build());

        JobStatusView view = JobStatusView.of(new JobStatus(job, instances, List.of(queued, blocked)));

        assertThat(view.placementFailures()).singleElement().satisfies(failure -> {
            assertThat(failure.group()).isEqualTo("web");
            assertThat(failure.evaluationId()).isEqualTo("eval-2");
        });
        assertThat(view.lines(START)).endsWith(
                "Pending: cannot place 1 instance of group web (6 nodes evaluated):",
                "  4 nodes: constraint node.kernel version >= 5.4 not met",
                "  2 nodes: distinct_hosts: already runs an instance of web");
    }

    @Test
    void stoppingInstancesAreNotCountedAsRunning() {
        Instance stopping = Instances.instance(HELLO, "web", 0).desired(DesiredStatus.STOP).build();
        assertThat(JobStatusView.of(new JobStatus(HELLO, List.of(stopping), List.of())).runningInstances()).isZero();
    }

    @Test
    void aStatefulJobShowsItsVolumesWhereTheyAreAndWhyAnIndexWaitsForItsNode() throws Exception {
        Job job = Jobs.job("db").app("demo").gc(3, Duration.ofDays(1))
                .group(Jobs.group("mysql").count(2).volume("data", "1Gi")).build();
        Instance running = Instances.instance(job, "mysql", 0).id("aa000000-0000-4000-8000-000000000001")
                .node("node-a-id").state(InstanceState.RUNNING).createTime(START).build();
        Instance lost = Instances.instance(job, "mysql", 1).id("bb000000-0000-4000-8000-000000000002")
                .node("node-b-id").state(InstanceState.LOST).desired(DesiredStatus.STOP).reason("node down")
                .createTime(START).build();
        List<io.herd.api.StickyVolume> volumes = List.of(
                new io.herd.api.StickyVolume("demo.db.mysql.0.data.1a2b3c4d", "demo", "db", "mysql", 0, "data",
                        1L << 30, "node-a-id", "node-a", START),
                new io.herd.api.StickyVolume("demo.db.mysql.1.data.5e6f7a8b", "demo", "db", "mysql", 1, "data",
                        1L << 30, "node-b-id", "node-b", START));
        PlacementFailure waiting = new PlacementFailure("mysql", 1, 2, Map.of("sticky volume on node-b: node down", 1));
        Evaluation blocked = new Evaluation("eval-9", job.id(), EvaluationTrigger.NODE_UPDATE,
                EvaluationStatus.BLOCKED, "1 instance not placed", List.of(waiting), START, START);

        JobStatusView view = JobStatusView.of(new JobStatus(job, List.of(running, lost), List.of(blocked), null, 0,
                null, List.of(), null, volumes));

        assertThat(view.lines(START.plus(Duration.ofHours(2)))).contains(
                "GC:        keep 3 finished instances per index, for at most 24h",
                "Pending: cannot place 1 instance of group mysql (2 nodes evaluated):",
                "  1 node: sticky volume on node-b: node down",
                "Volumes (kept until 'herd down --purge'):",
                "  VOLUME  INSTANCE     NODE    SIZE  AGE",
                "  data    db.mysql[0]  node-a  1Gi   2h",
                "  data    db.mysql[1]  node-b  1Gi   2h");
        JsonNode root = Json.mapper().readTree(Json.writePretty(view));
        JsonNode volume = root.get("volumes").get(1);
        assertThat(volume.get("name").asText()).isEqualTo("data");
        assertThat(volume.get("instance").asText()).isEqualTo("db.mysql[1]");
        assertThat(volume.get("index").asInt()).isEqualTo(1);
        assertThat(volume.get("node").asText()).isEqualTo("node-b");
        assertThat(volume.get("node_id").asText()).isEqualTo("node-b-id");
        assertThat(volume.get("size_bytes").asLong()).isEqualTo(1L << 30);
        assertThat(root.get("gc").get("keep_finished").asInt()).isEqualTo(3);
    }
}
