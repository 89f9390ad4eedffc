package io.herd.cli;

import io.herd.api.Deployment;
import io.herd.api.DeploymentStatus;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.wire.JobStatus;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rolling updates end to end: a real server, two agents, and python3 http.server instances whose health check is
 * an http GET of {@code /healthz}, a file each version may or may not create in its task directory. A client thread
 * polls every instance's {@code /healthz} throughout, the way a load balancer would.
 */
class RollingUpdateIT {
    /** {@code %1$s} job, {@code %2$d} count, {@code %3$s} the file the server creates, {@code %4$s} the update block. */
    private static final String SPEC = """
            job: %1$s
            app: demo
            groups:
              - name: web
                count: %2$d
                update: %4$s
                services:
                  - name: site
                    port: http
                    check: {type: http, path: /healthz, interval: 200ms, timeout: 1s}
                tasks:
                  - name: server
                    driver: exec
                    config:
                      command: /bin/sh
                      args: ["-c", "echo ok > %3$s; exec python3 -m http.server --bind 127.0.0.1 ${HERD_PORT_HTTP}"]
                    resources: {cpu: 50m, memory: 64Mi}
                    ports: [http]
                    kill_timeout: 2s
            """;

    private static TestingCluster cluster;
    private static HerdClient client;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();


    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
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

    private static Path spec(Path directory, String job, int count, String file, String update) throws Exception {
        return Files.writeString(directory.resolve(job + "-" + file + "-" + Math.abs(update.hashCode()) + ".yaml"),
                SPEC.formatted(job, count, file, update));
    }

    private static void awaitDeployment(String jobId, long version, DeploymentStatus status) {
        cluster.awaitCondition("deployment of " + jobId + " version " + version + " " + status.wireName(),
                Duration.ofSeconds(90), () -> {
                    Deployment deployment = client.jobStatus(jobId).deployment();
                    return deployment != null && deployment.jobVersion() == version && deployment.status() == status;
                });
    }

    /** How many of the job's running instances answer 200 on /healthz right now. */
    private static int healthyEndpoints(String jobId) {
        JobStatus status = client.jobStatus(jobId);
        int healthy = 0;
        for (Instance instance : status.instances()) {
            Integer port = instance.ports().get("http");
            if (instance.state() != InstanceState.RUNNING || port == null) {
                continue;
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    healthy++;
                }
            } catch (java.io.IOException e) {
                // not serving
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return healthy;
            }
        }
        return healthy;
    }

    @Test
    void aFailingVersionIsAutoRevertedWhileEnoughInstancesServeThroughout(@TempDir Path directory) throws Exception {
        String update = "{max_parallel: 1, min_healthy_time: 1s, healthy_deadline: 20s, progress_deadline: 1m, auto_revert: true}";
        Path good = spec(directory, "site", 5, "healthz", update);
        Path bad = spec(directory, "site", 5, "not-healthz", update);

        CliResult up = run("up", good.toString());
        assertThat(up.exitCode()).as(up.out() + up.err()).isZero();
        awaitDeployment("demo/site", 1, DeploymentStatus.SUCCESSFUL);
        assertThat(client.jobStatus("demo/site").instances()).filteredOn(Instance::isLive).hasSize(5)
                .allMatch(instance -> Boolean.TRUE.equals(instance.healthy()));

        List<Integer> polls = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean polling = new AtomicBoolean(true);
        Thread poller = Thread.ofVirtual().start(() -> {
            while (polling.get()) {
                polls.add(healthyEndpoints("demo/site"));
            }
        });
        CliResult rolled;
        try {
            rolled = run("up", bad.toString());
            awaitDeployment("demo/site", 3, DeploymentStatus.SUCCESSFUL);
        } finally {
            polling.set(false);
            poller.join();
        }

        assertThat(rolled.exitCode()).as(rolled.out() + rolled.err()).isEqualTo(1);
        assertThat(rolled.err()).contains("deployment of version 2 of job demo/site failed")
                .contains("not healthy within 20s").contains("auto-reverted to version 3");
        JobStatus reverted = client.jobStatus("demo/site");
        assertThat(reverted.version()).isEqualTo(3);
        assertThat(reverted.instances()).filteredOn(Instance::isLive).hasSize(5)
                .allMatch(instance -> Boolean.TRUE.equals(instance.healthy()))
                .allMatch(instance -> instance.jobVersion() != 2);
        assertThat(polls).as("polls of /healthz").hasSizeGreaterThan(20);
        assertThat(polls).as("healthy endpoints at every poll (count 5, max_parallel 1)").allMatch(count -> count >= 4);

        CliResult status = run("status", "site", "-o", "json");
        assertThat(status.out()).contains("\"version\" : 3").contains("\"healthy\" : true");
    }

    @Test
    void canariesWaitForAPromotion(@TempDir Path directory) throws Exception {
        String update = "{max_parallel: 1, canary: 1, min_healthy_time: 1s, healthy_deadline: 20s}";
        Path v1 = spec(directory, "canary", 3, "healthz", update);
        Path v2 = spec(directory, "canary", 3, "healthz other", update);
        assertThat(run("up", v1.toString()).exitCode()).isZero();
        awaitDeployment("demo/canary", 1, DeploymentStatus.SUCCESSFUL);

        CliResult paused = run("up", v2.toString());
        assertThat(paused.exitCode()).as(paused.out() + paused.err()).isZero();
        assertThat(paused.out()).contains("Deployment of version 2 paused").contains("herd promote demo/canary");
        List<Instance> live = client.jobStatus("demo/canary").instances().stream().filter(Instance::isLive).toList();
        assertThat(live).hasSize(4);
        assertThat(live).filteredOn(instance -> instance.jobVersion() == 2).singleElement()
                .satisfies(canary -> assertThat(canary.healthy()).isTrue());

        CliResult promoted = run("promote", "canary");
        assertThat(promoted.exitCode()).as(promoted.out() + promoted.err()).isZero();
        awaitDeployment("demo/canary", 2, DeploymentStatus.SUCCESSFUL);
        cluster.awaitCondition("only version 2 left", Duration.ofSeconds(30), () -> client.jobStatus("demo/canary")
                .instances().stream().filter(Instance::isLive).allMatch(instance -> instance.jobVersion() == 2));
        assertThat(client.jobStatus("demo/canary").instances()).filteredOn(Instance::isLive).hasSize(3);

        CliResult scaled = run("scale", "canary", "web", "4");
        assertThat(scaled.exitCode()).as(scaled.out() + scaled.err()).isZero();
        List<Instance> afterScale = client.jobStatus("demo/canary").instances().stream().filter(Instance::isLive).toList();
        assertThat(afterScale).hasSize(4);
        assertThat(afterScale).filteredOn(instance -> instance.jobVersion() == 2).as("kept in place").hasSize(3);

        CliResult restarted = run("restart", "canary");
        assertThat(restarted.exitCode()).as(restarted.out() + restarted.err()).isZero();
        List<Instance> afterRestart = client.jobStatus("demo/canary").instances().stream().filter(Instance::isLive).toList();
        assertThat(afterRestart).hasSize(4).noneMatch(instance -> afterScale.stream()
                .anyMatch(before -> before.id().equals(instance.id())));
    }

    /**
     * The figure for docs/benchmarks.md: 10 instances, max_parallel 2, min_healthy_time 1s, from {@code herd up}
     * of a changed spec to its exit (the deployment successful). Three rounds; the median is printed.
     */
    @Test
    void tenInstanceRollingUpdateEndToEnd(@TempDir Path directory) throws Exception {
        String update = "{max_parallel: 2, min_healthy_time: 1s, healthy_deadline: 30s}";
        assertThat(run("up", spec(directory, "ten", 10, "healthz", update).toString()).exitCode()).isZero();
        awaitDeployment("demo/ten", 1, DeploymentStatus.SUCCESSFUL);
        List<Long> millis = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            Path changed = spec(directory, "ten", 10, "healthz round" + round, update);
            long start = System.nanoTime();
            CliResult result = run("up", changed.toString());
            millis.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
            assertThat(client.jobStatus("demo/ten").deployment().status()).isEqualTo(DeploymentStatus.SUCCESSFUL);
        }
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.println("BENCHMARK rolling update of 10 instances (max_parallel 2, min_healthy_time 1s): "
                + millis + " ms, median " + sorted.get(1) + " ms");
    }

    private static CliResult run(String... args) {
        return CliResult.run(cluster.servers().getFirst().httpAddress(), args);
    }
}
