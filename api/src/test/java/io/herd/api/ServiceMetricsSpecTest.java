package io.herd.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code services[].metrics}: a port that serves Prometheus metrics. */
class ServiceMetricsSpecTest {
    private static final String SPEC = """
            job: web
            app: demo
            groups:
              - name: main
                services:
                  - {name: api, port: http%s}
                tasks:
                  - name: server
                    driver: exec
                    config: {command: /bin/true}
                    ports: [http]
            """;

    @Test
    void metricsIsFalseUnlessSaid() {
        assertThat(JobSpecParser.parse(SPEC.formatted("")).groups().getFirst().services().getFirst().metrics()).isFalse();
        assertThat(JobSpecParser.parse(SPEC.formatted(", metrics: true")).groups().getFirst().services().getFirst())
                .isEqualTo(new Service("api", "http", null, true));
    }

    @Test
    void metricsMustBeABoolean() {
        assertThatThrownBy(() -> JobSpecParser.parse(SPEC.formatted(", metrics: /metrics")))
                .isInstanceOfSatisfying(HerdException.class, error -> assertThat(error.details())
                        .containsExactly(new ErrorDetail("groups[0].services[0].metrics", "\"/metrics\" is not true or false")));
    }

    @Test
    void theFlagSurvivesTheWire() {
        Job job = JobSpecParser.parse(SPEC.formatted(", metrics: true"));
        assertThat(Json.write(job)).contains("\"metrics\":true");
        assertThat(Json.read(Json.write(job), Job.class)).isEqualTo(job);
    }
}
