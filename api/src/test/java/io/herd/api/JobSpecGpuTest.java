package io.herd.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSpecGpuTest {
    private static String spec(String resources) {
        return """
                job: train
                app: ml_platform
                groups:
                  - name: worker
                    tasks:
                      - name: main
                        driver: exec
                        config: {command: /bin/true}
                        resources: %s
                """.formatted(resources);
    }

    private static Resources resourcesOf(String resources) {
        return JobSpecParser.parse(spec(resources)).groups().getFirst().tasks().getFirst().resources();
    }

    @Test
    void wholeGpusAndAModel() {
        Resources resources = resourcesOf("{cpu: 2, memory: 4Gi, gpu: 2, gpu_model: V100}");

        assertThat(resources.gpuMillis()).isEqualTo(2000);
        assertThat(resources.wholeGpus()).isEqualTo(2);
        assertThat(resources.gpuModel()).isEqualTo("V100");
        assertThat(resources.isGpuShare()).isFalse();
    }

    @Test
    void aShareOfOneGpuAsAFractionOrMilliGpus() {
        assertThat(resourcesOf("{gpu: 0.25}").gpuMillis()).isEqualTo(250);
        assertThat(resourcesOf("{gpu: 460m}").gpuMillis()).isEqualTo(460);
        assertThat(resourcesOf("{gpu: 0.25}").isGpuShare()).isTrue();
        assertThat(resourcesOf("{cpu: 1}").gpuMillis()).isZero();
    }

    @Test
    void aFractionAboveOneGpuAZeroAndAModelWithoutGpusAreRejectedTogether() {
        assertThatThrownBy(() -> JobSpecParser.parse(spec("{gpu: 1.5}")))
                .isInstanceOf(HerdException.class)
                .satisfies(error -> assertThat(((HerdException) error).details()).extracting(ErrorDetail::path)
                        .contains("groups[0].tasks[0].resources.gpu"));
        assertThatThrownBy(() -> JobSpecParser.parse(spec("{gpu: 0}"))).hasMessageContaining("gpu");
        assertThatThrownBy(() -> JobSpecParser.parse(spec("{gpu_model: V100}")))
                .satisfies(error -> assertThat(((HerdException) error).details()).extracting(ErrorDetail::message)
                        .contains("needs a gpu amount in the same resources"));
        assertThatThrownBy(() -> JobSpecParser.parse(spec("{gpu: lots}")))
                .satisfies(error -> assertThat(((HerdException) error).details()).extracting(ErrorDetail::path)
                        .contains("groups[0].tasks[0].resources.gpu"));
    }

    @Test
    void theTasksOfAGroupShareOneGpuRequest() {
        String twoTasks = """
                job: train
                app: ml_platform
                groups:
                  - name: worker
                    tasks:
                      - {name: a, driver: exec, config: {command: /bin/true}, resources: {gpu: 1, gpu_model: T4}}
                      - {name: b, driver: exec, config: {command: /bin/true}, resources: {gpu: 0.5, gpu_model: V100}}
                """;

        assertThatThrownBy(() -> JobSpecParser.parse(twoTasks))
                .satisfies(error -> assertThat(((HerdException) error).details()).extracting(ErrorDetail::message)
                        .anySatisfy(message -> assertThat(message).contains("1.5 GPUs together"))
                        .anySatisfy(message -> assertThat(message).contains("different GPU models")));
    }

    @Test
    void priorityBands() {
        assertThat(PriorityBand.of(0)).isEqualTo(PriorityBand.BEST_EFFORT);
        assertThat(PriorityBand.of(100)).isEqualTo(PriorityBand.BATCH);
        assertThat(PriorityBand.of(299)).isEqualTo(PriorityBand.PRODUCTION);
        assertThat(PriorityBand.of(300)).isEqualTo(PriorityBand.SYSTEM);
        assertThat(PriorityBand.mayPreempt(200, 199)).isTrue();
        assertThat(PriorityBand.mayPreempt(299, 200)).isFalse();
        assertThat(PriorityBand.mayPreempt(150, 100)).isFalse();
        assertThat(PriorityBand.mayPreempt(300, 299)).isTrue();
        assertThat(PriorityBand.mayPreempt(99, 0)).isFalse();
    }

    @Test
    void resourcesRoundTripThroughJsonAndOldJsonWithoutGpusStillReads() throws Exception {
        Resources resources = new Resources(1000, 1L << 30, 0, 250, "T4");
        String json = Json.mapper().writeValueAsString(resources);

        assertThat(Json.mapper().readValue(json, Resources.class)).isEqualTo(resources);
        assertThat(Json.mapper().readValue("{\"cpu_millis\":5,\"memory_bytes\":6,\"disk_bytes\":7}", Resources.class))
                .isEqualTo(new Resources(5, 6, 7));
        assertThat(resources.toString()).contains("gpu=0.25 gpu_model=T4");
        assertThat(Json.mapper().writeValueAsString(new Resources(5, 6, 7))).doesNotContain("gpu");
    }
}
