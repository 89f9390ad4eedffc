package io.herd.cli;

import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.TaskState;
import io.herd.client.HerdClient;
import io.herd.testkit.TestingCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPUs end to end: a real agent configured with two GPUs of a model ({@code --gpus 2 --gpu-model T4}), a job of
 * three whole-GPU instances of that model. Two get a device each, and their processes see it in
 * {@code HERD_GPU_DEVICES}; the third stays pending, and {@code herd status} says why.
 */
class GpuIT {
    private static final String SPEC = """
            job: train
            app: ml
            groups:
              - name: worker
                count: 3
                tasks:
                  - name: main
                    driver: exec
                    config: {command: /bin/sleep, args: ["100000"]}
                    resources: {cpu: 100m, memory: 32Mi, gpu: 1, gpu_model: t4}
                    kill_timeout: 1s
            """;

    private static TestingCluster cluster;
    private static HerdClient client;

    @BeforeAll
    static void startCluster() {
        cluster = TestingCluster.start(1, Duration.ofSeconds(10));
        cluster.startAgent("gpu-1", List.of("--gpus", "2", "--gpu-model", "T4"), "4", "4Gi");
        client = cluster.client();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void wholeGpusGoToDistinctDevicesTheTasksSeeThemAndTheThirdWaitsWithAReason() throws IOException {
        assertThat(cluster.node("gpu-1").orElseThrow().gpus()).hasSize(2)
                .allSatisfy(device -> assertThat(device.model()).isEqualTo("T4"));

        client.submitJob(SPEC);
        cluster.awaitCondition("2 running instances of ml/train", Duration.ofSeconds(60), () -> running().size() == 2
                && running().stream().allMatch(instance -> task(instance).pid() != null));

        List<Instance> running = running();
        assertThat(running).extracting(Instance::gpuDevices)
                .containsExactlyInAnyOrder(List.of(0), List.of(1));
        for (Instance instance : running) {
            Map<String, String> environment = environmentOf(task(instance).pid());
            assertThat(environment).as("environment of %s", instance.name())
                    .containsEntry("HERD_GPU_DEVICES", String.valueOf(instance.gpuDevices().getFirst()));
        }
        List<Instance> pending = client.jobStatus("ml/train").instances().stream()
                .filter(instance -> instance.isLive() && instance.state() != InstanceState.RUNNING).toList();
        assertThat(pending).as("no third device: nothing else placed").isEmpty();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.run(new String[] {"status", "ml/train", "--address",
                cluster.servers().getFirst().httpAddress()}, new PrintWriter(out), new PrintWriter(err));

        assertThat(exitCode).as(err.toString()).isZero();
        assertThat(out.toString()).contains("2/3 instances running").contains("GPUS")
                .contains("Pending: cannot place 1 instance of group worker (1 node evaluated):")
                .containsPattern("1 node: +insufficient gpu");
    }

    private static List<Instance> running() {
        return client.jobStatus("ml/train").instances().stream()
                .filter(instance -> instance.state() == InstanceState.RUNNING).toList();
    }

    private static TaskState task(Instance instance) {
        return instance.tasks().values().iterator().next();
    }

    /** The process's environment as the kernel holds it: what the agent really passed. */
    private static Map<String, String> environmentOf(long pid) throws IOException {
        String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                StandardCharsets.UTF_8);
        return Arrays.stream(environ.split("\0")).filter(entry -> entry.contains("="))
                .collect(Collectors.toMap(entry -> entry.substring(0, entry.indexOf('=')),
                        entry -> entry.substring(entry.indexOf('=') + 1), (first, second) -> second));
    }
}
