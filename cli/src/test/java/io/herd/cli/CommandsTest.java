package io.herd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.herd.api.DesiredStatus;
import io.herd.api.ErrorCode;
import io.herd.api.Evaluation;
import io.herd.api.EvaluationStatus;
import io.herd.api.EvaluationTrigger;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Json;
import io.herd.api.LogTime;
import io.herd.api.PlacementFailure;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.api.wire.JobDiff;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.JobSummary;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static io.herd.cli.FakeHerdApi.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The client commands end to end over HTTP, against a fake API that answers as the servers do. */
class CommandsTest {
    private static final String SPEC = """
            job: hello
            app: demo
            groups:
              - name: web
                count: 2
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /usr/bin/python3, args: ["-m", "http.server", "${HERD_PORT_HTTP}"]}
                    ports: [http]
            """;
    private static final Job HELLO = Jobs.job("hello").app("demo").version(1)
            .group(Jobs.group("web").count(2).task(Jobs.task("server").ports("http"))).build();

    private final FakeHerdApi api = new FakeHerdApi();
    private final ByteArrayOutputStream logOutput = new ByteArrayOutputStream();
    /** What {@code herd up} asks; by default there is no terminal, as in a script. */
    private Prompter prompter = question -> Optional.empty();


    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void statusListsJobs() {
        api.on("GET", "/v1/jobs", request -> json(List.of(
                new JobSummary("demo/hello", "demo", "hello", JobType.SERVICE, 200, 3, false, 3, 3, 0, 0),
                new JobSummary("demo/compute", "demo", "compute", JobType.BATCH, 100, 1, true, 1, 0, 0, 0))));
        CliResult result = run("status");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("""
                ID            TYPE     VERSION  STATUS   INSTANCES
                demo/compute  batch    1        stopped  0/1
                demo/hello    service  3        running  3/3
                """);

        JsonNode json = readJson(run("status", "-o", "json").out());
        assertThat(json.isArray()).isTrue();
        assertThat(json.get(1).get("id").asText()).isEqualTo("demo/hello");
    }

    @Test
    void statusOfAJobByBareName() {
        api.on("GET", "/v1/jobs", request -> json(List.of(
                new JobSummary("demo/hello", "demo", "hello", JobType.SERVICE, 200, 2, false, 3, 1, 1, 1))));
        api.on("GET", "/v1/jobs/demo/hello", request -> json(JobStatusViewTest.helloStatus()));
        CliResult table = run("status", "hello");
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).startsWith("Job:       demo/hello\n")
                .contains("3f2a9c1b  hello.web[0]  node-a-id  running")
                .contains("Pending: cannot place 1 instance of group web (3 nodes evaluated):\n"
                        + "  2 nodes: insufficient memory\n"
                        + "  1 node:  missing label zone=b\n");

        JsonNode json = readJson(run("status", "hello", "-o", "json").out());
        assertThat(json.get("instances").get(0).get("tasks").get("server").get("pid").asLong()).isEqualTo(41237);
    }

    @Test
    void errorsFromTheServerKeepTheirCodeAndExitCode() {
        api.on("GET", "/v1/jobs", request -> json(List.of()));
        CliResult missing = run("status", "nope");
        assertThat(missing.exitCode()).isEqualTo(3);
        assertThat(missing.err()).isEqualTo("Error: no job named nope; list jobs with 'herd status'\n");

        api.on("GET", "/v1/jobs/demo/nope", request -> FakeHerdApi.error(ErrorCode.JOB_NOT_FOUND, "job demo/nope does not exist"));
        assertThat(run("status", "demo/nope").err()).isEqualTo("Error: job demo/nope does not exist\n");

        api.on("GET", "/v1/instances/ab", request -> FakeHerdApi.error(ErrorCode.AMBIGUOUS_ID, "ab matches 2 instances"));
        CliResult ambiguous = run("logs", "ab");
        assertThat(ambiguous.exitCode()).isEqualTo(4);
        assertThat(ambiguous.err()).isEqualTo("Error: ab matches 2 instances\n");
    }

    @Test
    void nodesAsTableAndJson() {
        api.on("GET", "/v1/nodes", request -> json(List.of(
                Nodes.node("node-b").id("bbbbbbbb-1111").address("127.0.0.1:7711").label("zone", "b").build(),
                Nodes.node("node-a").id("aaaaaaaa-2222").address("127.0.0.1:7710").cpu("2").memory("4Gi")
                        .label("zone", "a").label("rack", "r1").build()
                        .withEligibility(io.herd.api.NodeEligibility.INELIGIBLE)
                        .withConditions(List.of(
                                new io.herd.api.NodeCondition("DiskPressure", io.herd.api.ConditionStatus.TRUE, "DiskLow",
                                        "95% used", java.time.Instant.EPOCH),
                                new io.herd.api.NodeCondition("KernelOOMKill", io.herd.api.ConditionStatus.TRUE, "OomKill",
                                        "1 kill", java.time.Instant.EPOCH),
                                new io.herd.api.NodeCondition("ClockUnsynchronized", io.herd.api.ConditionStatus.UNKNOWN,
                                        "ClockStateUnknown", "nothing can tell", java.time.Instant.EPOCH))))));
        CliResult table = run("nodes");
        assertThat(table.out()).isEqualTo("""
                ID        NAME    STATUS  ELIGIBLE  CONDITIONS                   ADDRESS         CPU  MEMORY  LABELS
                aaaaaaaa  node-a  ready   no        DiskPressure!,KernelOOMKill  127.0.0.1:7710  2    4Gi     rack=r1,zone=a
                bbbbbbbb  node-b  ready   yes       ok                           127.0.0.1:7711  4    8Gi     zone=b
                """);
        JsonNode json = readJson(run("nodes", "-o", "json").out());
        assertThat(json.get(0).get("id").asText()).isEqualTo("aaaaaaaa-2222");
        assertThat(json.get(0).get("name").asText()).isEqualTo("node-a");
        assertThat(json.get(0).get("status").asText()).isEqualTo("ready");
        assertThat(json.get(0).get("eligibility").asText()).isEqualTo("ineligible");
        assertThat(json.get(0).get("conditions").get(1).get("type").asText()).isEqualTo("DiskPressure");
        assertThat(json.get(0).get("conditions").get(1).get("status").asText()).isEqualTo("true");
    }

    @Test
    void upSubmitsAndPrintsEachTransitionUntilEveryInstanceRuns(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 1, "eval-1", true, 10)));
        AtomicInteger reads = new AtomicInteger();
        Instance pending0 = instance(0).state(InstanceState.PENDING).build();
        Instance pending1 = instance(1).state(InstanceState.PENDING).build();
        List<JobStatus> snapshots = List.of(
                new JobStatus(HELLO, List.of(), List.of(evaluation(EvaluationStatus.PENDING))),
                new JobStatus(HELLO, List.of(pending0, pending1), List.of(evaluation(EvaluationStatus.COMPLETE))),
                new JobStatus(HELLO, List.of(running(0, 41237, 20513), running(1, 41240, 20514)),
                        List.of(evaluation(EvaluationStatus.COMPLETE))));
        api.on("GET", "/v1/jobs/demo/hello", request -> {
            int read = Math.min(reads.getAndIncrement(), snapshots.size() - 1);
            return json(snapshots.get(read), 10 + read);
        });

        CliResult result = run("up", spec.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("""
                Submitted job demo/hello version 1
                  hello.web[0]  pending on node-a
                  hello.web[1]  pending on node-a
                  hello.web[0]  running on node-a (pid 41237, port http=20513)
                  hello.web[1]  running on node-a (pid 41240, port http=20514)
                2/2 instances running after""");
        // The diff comes first (this fake has no diff route, as a server from before diff existed); then the submission.
        assertThat(api.requests()).extracting(FakeHerdApi.Request::path).startsWith("/v1/jobs/diff", "/v1/jobs");
        assertThat(api.requests().get(1).body()).isEqualTo(SPEC);
        assertThat(api.requests().get(2).query()).containsEntry("index", "9");
    }

    @Test
    void upFailsWithThePlacementReasonsAndKeepsTheJob(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 1, "eval-1", true, 10)));
        PlacementFailure failure = new PlacementFailure("web", 2, 3, Map.of("insufficient memory", 3));
        Evaluation blocked = new Evaluation("eval-1", HELLO.id(), EvaluationTrigger.JOB_REGISTER,
                EvaluationStatus.BLOCKED, null, List.of(failure), FakeClock.DEFAULT_START, FakeClock.DEFAULT_START);
        api.on("GET", "/v1/jobs/demo/hello", request -> json(new JobStatus(HELLO, List.of(), List.of(blocked)), 11));

        CliResult result = run("up", spec.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("""
                Error: cannot place 2 instances of group web: 3 nodes: insufficient memory
                The job is kept: its instances are placed as soon as nodes can take them. 'herd down demo/hello' removes it.
                """);
    }

    @Test
    void upFailsWhenAnInstanceFailsAndPointsToItsLogs(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 1, "eval-1", true, 10)));
        AtomicInteger reads = new AtomicInteger();
        Instance failed = instance(1).state(InstanceState.FAILED).reason("task server exited with code 2").build();
        api.on("GET", "/v1/jobs/demo/hello", request -> json(reads.getAndIncrement() == 0
                ? new JobStatus(HELLO, List.of(), List.of(evaluation(EvaluationStatus.PENDING)))
                : new JobStatus(HELLO, List.of(running(0, 1, 2), failed), List.of(evaluation(EvaluationStatus.COMPLETE))), 11));

        CliResult result = run("up", spec.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("  hello.web[1]  failed on node-a: task server exited with code 2");
        assertThat(result.err()).isEqualTo("""
                Error: instance hello.web[1] (instance) failed: task server exited with code 2
                See its output with: herd logs instance
                """);
    }

    @Test
    void upTimesOut(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 1, null, false, 10)));
        api.on("GET", "/v1/jobs/demo/hello", request -> json(
                new JobStatus(HELLO, List.of(running(0, 1, 2)), List.of(evaluation(EvaluationStatus.COMPLETE))), 10));

        CliResult result = run("up", "--timeout", "700ms", spec.toString());
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).startsWith("Job demo/hello unchanged, version 1\n");
        assertThat(result.err()).startsWith("Error: timed out after 0.7s: 1/2 instances running\n");
    }

    @Test
    void upDetached(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 4, "eval-4", true, 10)));
        CliResult result = run("up", "--detach", spec.toString());
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).isEqualTo("Submitted job demo/hello version 4\n");
        assertThat(api.requests()).extracting(FakeHerdApi.Request::path).containsExactly("/v1/jobs/diff", "/v1/jobs");
    }

    @Test
    void downStopsAndWaitsUntilEveryInstanceEnded() {
        api.on("GET", "/v1/jobs", request -> json(List.of(
                new JobSummary("demo/hello", "demo", "hello", JobType.SERVICE, 200, 1, false, 2, 2, 0, 0))));
        AtomicInteger reads = new AtomicInteger();
        Instance stopped0 = instance(0).desired(DesiredStatus.STOP).state(InstanceState.COMPLETE).build();
        Instance stopped1 = instance(1).desired(DesiredStatus.STOP).state(InstanceState.COMPLETE).build();
        api.on("GET", "/v1/jobs/demo/hello", request ->
                json(new JobStatus(HELLO, List.of(running(0, 1, 2), running(1, 3, 4)), List.of()), 10));
        // After the stop, down follows the job's instances (they outlive a purged job).
        api.on("GET", "/v1/instances", request -> {
            assertThat(request.query().get("job")).isEqualTo("demo/hello");
            return reads.getAndIncrement() == 0
                    ? json(List.of(stopped0, instance(1).desired(DesiredStatus.STOP).port("http", 4)
                            .task("server", new TaskState(TaskStatus.RUNNING, 3L, null, null, null, 0, null, null))
                            .build()), 11)
                    : json(List.of(stopped0, stopped1), 12);
        });
        api.on("DELETE", "/v1/jobs/demo/hello", request -> json(new SubmitJobResponse("demo/hello", 1, "eval-2", true, 11)));

        CliResult result = run("down", "hello");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("""
                Stopping job demo/hello (2 instances)
                  hello.web[0]  complete on node-a (exit 0)
                  hello.web[1]  stopping on node-a
                  hello.web[1]  complete on node-a (exit 0)
                Stopped job demo/hello after""");
    }

    @Test
    void logsPrintsTheOnlyTasksOutput() {
        byte[] log = "line 1\nline 2\nline 3\n".getBytes(StandardCharsets.UTF_8);
        api.on("GET", "/v1/instances/3f2a", request -> json(running(0, 1, 2)));
        api.on("GET", "/v1/instances/instance-0/logs/server", request -> FakeHerdApi.logBytes(log, request));

        CliResult all = run("logs", "3f2a");
        assertThat(all.exitCode()).as(all.err()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("line 1\nline 2\nline 3\n");

        logOutput.reset();
        assertThat(run("logs", "3f2a", "--tail", "2", "--stderr").exitCode()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("line 2\nline 3\n");
        assertThat(api.requests()).extracting(FakeHerdApi.Request::query)
                .anySatisfy(query -> assertThat(query).containsEntry("stream", "stderr").containsEntry("offset", "-4096"));
    }

    @Test
    void logsInterleavesStdoutAndStderrByTheirTimesAndPrefixesTimestamps() {
        Instant t0 = Instant.parse("2026-11-24T10:00:00Z");
        Map<String, byte[]> logs = Map.of("stdout", "o1\no2\n".getBytes(StandardCharsets.UTF_8),
                "stderr", "e1\n".getBytes(StandardCharsets.UTF_8));
        Map<String, List<LogTime>> times = Map.of(
                "stdout", List.of(new LogTime(3, t0.plusSeconds(1)), new LogTime(6, t0.plusSeconds(3))),
                "stderr", List.of(new LogTime(3, t0.plusSeconds(2))));
        api.on("GET", "/v1/instances/3f2a", request -> json(running(0, 1, 2)));
        api.on("GET", "/v1/instances/instance-0/logs/server",
                request -> FakeHerdApi.logBytes(logs.get(request.query().get("stream")), request));
        api.on("GET", "/v1/instances/instance-0/logs/server/times",
                request -> json(times.get(request.query().get("stream"))));

        CliResult result = run("logs", "3f2a", "--stream", "all", "--timestamps");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("""
                2026-11-24T10:00:01Z o1
                2026-11-24T10:00:02Z e1
                2026-11-24T10:00:03Z o2
                """);

        logOutput.reset();
        assertThat(run("logs", "3f2a", "--stream", "all", "--tail", "2").exitCode()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("e1\no2\n");

        CliResult contradiction = run("logs", "3f2a", "--stream", "stdout", "--stderr");
        assertThat(contradiction.exitCode()).isEqualTo(2);
        assertThat(contradiction.err()).contains("--stderr and --stream stdout contradict each other");
        assertThat(run("logs", "3f2a", "--stream", "both").err())
                .contains("--stream must be stdout, stderr or all, not both");
    }

    @Test
    void logsSinceStartsWhereTheAgentResolvedTheTime() {
        byte[] log = "old\nnew\n".getBytes(StandardCharsets.UTF_8);
        api.on("GET", "/v1/instances/3f2a", request -> json(running(0, 1, 2)));
        api.on("GET", "/v1/instances/instance-0/logs/server", request -> request.query().containsKey("since")
                ? FakeHerdApi.logBytes(log, new FakeHerdApi.Request(request.method(), request.path(),
                        Map.of("offset", "4"), ""))
                : FakeHerdApi.logBytes(log, request));

        CliResult result = run("logs", "3f2a", "--since", "10m");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("new\n");
        assertThat(api.requests()).extracting(FakeHerdApi.Request::query)
                .anySatisfy(query -> assertThat(query).containsEntry("since", "10m"));
    }

    @Test
    void logsOfAGarbageCollectedInstanceSaySo() {
        api.on("GET", "/v1/instances/3f2a", request -> FakeHerdApi.error(ErrorCode.INSTANCE_NOT_FOUND,
                "no instance with id or id prefix 3f2a; see 'herd status JOB' for instance ids"));
        CliResult result = run("logs", "3f2a");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.err()).startsWith("Error: no instance with id or id prefix 3f2a")
                .contains("If it existed, it was garbage collected");
    }

    @Test
    void logsFollowsUntilTheInstanceEnded() {
        StringBuilder log = new StringBuilder("first\n");
        AtomicInteger instanceReads = new AtomicInteger();
        api.on("GET", "/v1/instances/3f2a", request -> json(running(0, 1, 2)));
        api.on("GET", "/v1/instances/instance-0", request -> {
            int read = instanceReads.incrementAndGet();
            if (read == 2) {
                log.append("second\n"); // written while the instance still runs
            }
            return json(read < 3 ? running(0, 1, 2) : instance(0).state(InstanceState.COMPLETE).build());
        });
        api.on("GET", "/v1/instances/instance-0/logs/server",
                request -> FakeHerdApi.logBytes(log.toString().getBytes(StandardCharsets.UTF_8), request));

        CliResult result = run("logs", "3f2a/server", "-f");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
        assertThat(instanceReads.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void logsFollowsARotatedLogFromItsNewStart() {
        AtomicInteger instanceReads = new AtomicInteger();
        api.on("GET", "/v1/instances/3f2a", request -> json(running(0, 1, 2)));
        api.on("GET", "/v1/instances/instance-0", request -> json(instanceReads.incrementAndGet() < 3
                ? running(0, 1, 2) : instance(0).state(InstanceState.COMPLETE).build()));
        // rotated (copied away and truncated) after the first poll; the new generation is shorter than the offset
        api.on("GET", "/v1/instances/instance-0/logs/server", request -> FakeHerdApi.logBytes(
                (instanceReads.get() < 1 ? "before rotation\n" : "after\n").getBytes(StandardCharsets.UTF_8), request));

        CliResult result = run("logs", "3f2a/server", "-f");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(logOutput.toString(StandardCharsets.UTF_8)).isEqualTo("before rotation\nafter\n");
    }

    @Test
    void logsOfAnInstanceWithSeveralTasksNeedsOne() {
        Job twoTasks = Jobs.job("hello").app("demo")
                .group(Jobs.group("web").task(Jobs.task("server")).task(Jobs.task("sidecar"))).build();
        api.on("GET", "/v1/instances/3f2a", request -> json(Instances.instance(twoTasks, "web", 0).id("instance-0").build()));
        CliResult result = run("logs", "3f2a");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(
                "Error: instance hello.web[0] has 2 tasks (server, sidecar); choose one as 3f2a/TASK\n");
    }

    @Test
    void diffPrintsTheChangesTheInstancesAndThePlan(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        JobDiff diff = JobDiffViewTest.changedDiff();
        api.on("POST", "/v1/jobs/diff", request -> json(diff));

        CliResult result = run("diff", spec.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo(String.join("\n", JobDiffView.lines(diff)) + "\n");
        assertThat(result.out()).contains("  ~ groups[web].count: 2 -> 4\n")
                .endsWith("Plan: 1 to place, 2 to replace, 0 to stop; 2 unplaceable: 2 nodes: insufficient memory\n");
        assertThat(api.requests().getFirst().body()).isEqualTo(SPEC);

        JsonNode json = readJson(run("diff", spec.toString(), "-o", "json").out());
        assertThat(json.get("job_id").asText()).isEqualTo("demo/hello");
        assertThat(json.get("changes").get(0).get("path").asText()).isEqualTo("groups[web].count");
        assertThat(json.get("changes").get(0).get("old").asInt()).isEqualTo(2);
        assertThat(json.get("changes").get(0).get("new").asInt()).isEqualTo(4);
        assertThat(json.get("instances").get(0).get("action").asText()).isEqualTo("replace");
        assertThat(json.get("failures").get(0).get("unplaced").asInt()).isEqualTo(2);
    }

    @Test
    void upShowsTheDiffOfAChangedJobAndAsksOnATerminal(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        JobDiff diff = JobDiffViewTest.changedDiff();
        api.on("POST", "/v1/jobs/diff", request -> json(diff));
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 4, "eval-4", true, 10)));
        List<String> questions = new java.util.concurrent.CopyOnWriteArrayList<>();

        prompter = question -> {
            questions.add(question);
            return Optional.of("n");
        };
        CliResult declined = run("up", "--detach", spec.toString());
        assertThat(declined.exitCode()).isEqualTo(1);
        assertThat(declined.out()).startsWith("Job demo/hello: version 3 -> 4\n").contains("Plan: 1 to place");
        assertThat(declined.err()).isEqualTo("Cancelled: nothing was submitted.\n");
        assertThat(questions).containsExactly("Apply these changes to demo/hello? [y/N] ");
        assertThat(api.requests()).extracting(FakeHerdApi.Request::path).containsExactly("/v1/jobs/diff");

        prompter = question -> Optional.of("yes");
        CliResult accepted = run("up", "--detach", spec.toString());
        assertThat(accepted.exitCode()).as(accepted.err()).isZero();
        assertThat(accepted.out()).startsWith("Job demo/hello: version 3 -> 4\n")
                .endsWith("Plan: 1 to place, 2 to replace, 0 to stop; 2 unplaceable: 2 nodes: insufficient memory\n\n"
                        + "Submitted job demo/hello version 4\n");

        prompter = question -> {
            throw new AssertionError("asked although --yes was given: " + question);
        };
        assertThat(run("up", "--detach", "--yes", spec.toString()).exitCode()).isZero();

        // Not on a terminal (a script, CI): shown, not asked, applied.
        prompter = question -> Optional.empty();
        CliResult script = run("up", "--detach", spec.toString());
        assertThat(script.exitCode()).isZero();
        assertThat(script.out()).contains("Plan: ").endsWith("Submitted job demo/hello version 4\n");
    }

    @Test
    void upOfANewOrUnchangedJobShowsNoDiff(@TempDir Path directory) throws Exception {
        Path spec = Files.writeString(directory.resolve("hello.yaml"), SPEC);
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 1, "eval-1", true, 10)));
        prompter = question -> {
            throw new AssertionError("asked: " + question);
        };
        api.on("POST", "/v1/jobs/diff", request -> json(new JobDiff("demo/hello", 0, 1, false, true, List.of(),
                List.of(), List.of())));
        assertThat(run("up", "--detach", spec.toString()).out()).isEqualTo("Submitted job demo/hello version 1\n");

        api.on("POST", "/v1/jobs/diff", request -> json(new JobDiff("demo/hello", 1, 1, false, false, List.of(),
                List.of(), List.of())));
        api.on("POST", "/v1/jobs", request -> json(new SubmitJobResponse("demo/hello", 1, null, false, 10)));
        assertThat(run("up", "--detach", spec.toString()).out()).isEqualTo("Job demo/hello unchanged, version 1\n");
    }

    @Test
    void historyShowsEachVersionWithWhatChanged() {
        api.on("GET", "/v1/jobs/demo/hello/versions", request -> json(List.of(
                JobDiffViewTest.hello(3, "\"2\"", "128Mi").withVersion(3, FakeClock.DEFAULT_START),
                JobDiffViewTest.hello(3, "\"1\"", "128Mi").withVersion(2, FakeClock.DEFAULT_START),
                JobDiffViewTest.hello(2, "\"1\"", "128Mi").withVersion(1, FakeClock.DEFAULT_START))));

        CliResult result = run("history", "demo/hello");
        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("VERSION +SUBMITTED +STATUS +CHANGES");
        assertThat(lines.get(1)).matches("3 +\\d+d ago +current +groups\\[web\\]\\.tasks\\[server\\]\\.config\\.args changed");
        assertThat(lines.get(2)).matches("2 +\\d+d ago +groups\\[web\\]\\.count 2 -> 3");
        assertThat(lines.get(3)).matches("1 +\\d+d ago +created");

        JsonNode json = readJson(run("history", "demo/hello", "-o", "json").out());
        assertThat(json.get(1).get("version").asLong()).isEqualTo(2);
        assertThat(json.get(1).get("summary").asText()).isEqualTo("groups[web].count 2 -> 3");
        assertThat(json.get(1).get("changes").get(0).get("new").asInt()).isEqualTo(3);
        assertThat(json.get(1).get("job").get("groups").get(0).get("count").asInt()).isEqualTo(3);
    }

    @Test
    void rollbackSubmitsTheOldSpecAndWaitsLikeUp() {
        Job current = JobDiffViewTest.hello(2, "\"2\"", "128Mi").withVersion(3, FakeClock.DEFAULT_START);
        Job previous = JobDiffViewTest.hello(2, "\"1\"", "128Mi").withVersion(2, FakeClock.DEFAULT_START);
        api.on("GET", "/v1/jobs/demo/hello/versions", request -> json(List.of(current, previous)));
        api.on("POST", "/v1/jobs/demo/hello/rollback",
                request -> json(new SubmitJobResponse("demo/hello", 4, "eval-1", true, 10)));
        Job rolledBack = HELLO.withVersion(4, FakeClock.DEFAULT_START);
        api.on("GET", "/v1/jobs/demo/hello", request -> json(new JobStatus(rolledBack,
                List.of(running(0, 41237, 20513, 4), running(1, 41240, 20514, 4)),
                List.of(evaluation(EvaluationStatus.COMPLETE))), 10));

        CliResult result = run("rollback", "demo/hello");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("""
                Rolled back job demo/hello to the spec of version 2: now version 4
                  ~ groups[web].tasks[server].config.args: ["2"] -> ["1"]
                  hello.web[0]  running on node-a (pid 41237, port http=20513)
                  hello.web[1]  running on node-a (pid 41240, port http=20514)
                2/2 instances running after""");
        FakeHerdApi.Request rollback = api.requests().stream()
                .filter(request -> request.path().endsWith("/rollback")).findFirst().orElseThrow();
        assertThat(rollback.body()).isEqualTo("{}");

        assertThat(run("rollback", "demo/hello", "--to", "2", "--detach").exitCode()).isZero();
        assertThat(api.requests().getLast().body()).isEqualTo("{\"to_version\":2}");
    }

    @Test
    void rollbackToTheCurrentSpecChangesNothingAndUnknownVersionsAreNotFound() {
        Job current = JobDiffViewTest.hello(2, "\"1\"", "128Mi").withVersion(3, FakeClock.DEFAULT_START);
        Job previous = JobDiffViewTest.hello(2, "\"1\"", "128Mi").withVersion(2, FakeClock.DEFAULT_START);
        api.on("GET", "/v1/jobs/demo/hello/versions", request -> json(List.of(current, previous)));
        api.on("POST", "/v1/jobs/demo/hello/rollback", request -> request.body().contains("9")
                ? FakeHerdApi.error(ErrorCode.JOB_NOT_FOUND, "job demo/hello has no version 9; the versions kept are 3, 2")
                : json(new SubmitJobResponse("demo/hello", 3, null, false, 10)));

        CliResult same = run("rollback", "demo/hello", "--detach");
        assertThat(same.exitCode()).as(same.err()).isZero();
        assertThat(same.out()).isEqualTo("Job demo/hello version 3 already has the spec of version 2; nothing changed\n");

        CliResult unknown = run("rollback", "demo/hello", "--to", "9");
        assertThat(unknown.exitCode()).isEqualTo(3);
        assertThat(unknown.err()).isEqualTo("Error: job demo/hello has no version 9; the versions kept are 3, 2\n");
    }

    private CliResult run(String... args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K created = CommandLine.defaultFactory().create(type);
                if (created instanceof LogsCommand logs) {
                    logs.sink = logOutput;
                }
                if (created instanceof UpCommand up) {
                    up.prompter = prompter;
                }
                return created;
            }
        };
        return CliResult.run(api.address(), factory, args);
    }

    private static Instances.Builder instance(int index) {
        return Instances.instance(HELLO, "web", index).id(index == 0 ? "instance-0" : "instance").node("node-a");
    }

    private static Instance running(int index, long pid, int port) {
        return running(index, pid, port, 1);
    }

    private static Instance running(int index, long pid, int port, long version) {
        return instance(index).jobVersion(version).port("http", port)
                .task("server", new TaskState(TaskStatus.RUNNING, pid, null, null, null, 0, FakeClock.DEFAULT_START, null))
                .build();
    }

    private static Evaluation evaluation(EvaluationStatus status) {
        return new Evaluation("eval-1", HELLO.id(), EvaluationTrigger.JOB_REGISTER, status, null, List.of(),
                FakeClock.DEFAULT_START, FakeClock.DEFAULT_START);
    }

    private static JsonNode readJson(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
