package io.herd.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TaskEnvironmentTest {
    @Test
    void expandsKnownReferencesAndLeavesUnknownOnesAlone() {
        Map<String, String> env = Map.of("HERD_PORT_HTTP", "8080", "NAME", "a$b\\c");
        assertThat(TaskEnvironment.expand("--port=${HERD_PORT_HTTP}", env)).isEqualTo("--port=8080");
        assertThat(TaskEnvironment.expand("${NAME}/${MISSING}/$NAME", env)).isEqualTo("a$b\\c/${MISSING}/$NAME");
        assertThat(TaskEnvironment.expand("plain", env)).isEqualTo("plain");
    }

    @Test
    void portVariableNames() {
        assertThat(TaskEnvironment.portVariable("http")).isEqualTo("HERD_PORT_HTTP");
        assertThat(TaskEnvironment.portVariable("admin-api")).isEqualTo("HERD_PORT_ADMIN_API");
    }

    @Test
    void passesOnlySomeAgentVariablesAndTaskEnvWins() {
        var instance = AgentFixture.instance(Map.of("http", 9000));
        var task = AgentFixture.task("web", "sh", List.of(), Map.of("PATH", "/opt/bin:${PATH}", "URL",
                "http://localhost:${HERD_PORT_HTTP}/"), io.herd.api.Resources.ZERO, java.time.Duration.ofSeconds(1));
        Map<String, String> env = TaskEnvironment.build(Map.of("PATH", "/usr/bin", "SECRET_TOKEN", "x"), instance, task,
                "n1", Path.of("/d/t"), Path.of("/d/a"));
        assertThat(env).doesNotContainKey("SECRET_TOKEN")
                .containsEntry("PATH", "/opt/bin:/usr/bin")
                .containsEntry("URL", "http://localhost:9000/")
                .containsEntry("HERD_TASK_DIR", "/d/t")
                .containsEntry("HERD_ALLOC_DIR", "/d/a")
                .containsEntry("HERD_NODE", "n1");
    }

    @Test
    void exportsTheInstancesGpuDevicesAndNothingWithoutThem() {
        var task = AgentFixture.task("train", "sh", List.of(), Map.of(), io.herd.api.Resources.ZERO,
                java.time.Duration.ofSeconds(1));
        var withGpus = AgentFixture.instance(Map.of()).withGpuDevices(List.of(1, 3));

        Map<String, String> env = TaskEnvironment.build(Map.of(), withGpus, task, "n1", Path.of("/t"), Path.of("/a"));
        Map<String, String> without = TaskEnvironment.build(Map.of(), AgentFixture.instance(Map.of()), task, "n1",
                Path.of("/t"), Path.of("/a"));

        assertThat(env).containsEntry("HERD_GPU_DEVICES", "1,3").containsEntry("NVIDIA_VISIBLE_DEVICES", "1,3")
                .containsEntry("CUDA_VISIBLE_DEVICES", "1,3");
        assertThat(without).doesNotContainKeys("HERD_GPU_DEVICES", "NVIDIA_VISIBLE_DEVICES");
    }
}
