package io.herd.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sticky volumes of stateful groups and the per-job garbage collection policy in the job spec. */
class JobSpecStatefulTest {
    private static String spec(String jobExtra, String groupExtra) {
        return """
                job: db
                app: shop_data
                %s
                groups:
                  - name: mysql
                    count: 2
                    %s
                    tasks:
                      - name: main
                        driver: exec
                        config: {command: /bin/true}
                """.formatted(jobExtra, groupExtra);
    }

    private static List<ErrorDetail> problems(String jobExtra, String groupExtra) {
        try {
            JobSpecParser.parse(spec(jobExtra, groupExtra));
        } catch (HerdException e) {
            return e.details();
        }
        throw new AssertionError("the spec was accepted");
    }

    @Test
    void volumesAreParsedWithTheirSizesAndNamedEnvironmentVariables() {
        Job job = JobSpecParser.parse(spec("", "volumes: [{name: data, size: 1Gi}, {name: bin-log, size: 200Mi}]"));

        Group group = job.groups().getFirst();
        assertThat(group.volumes()).containsExactly(new Volume("data", 1L << 30), new Volume("bin-log", 200L << 20));
        assertThat(group.isStateful()).isTrue();
        assertThat(group.volumeBytes()).isEqualTo((1L << 30) + (200L << 20));
        assertThat(group.volumes()).extracting(Volume::environmentVariable)
                .containsExactly("HERD_VOLUME_DATA", "HERD_VOLUME_BIN_LOG");
    }

    @Test
    void aGroupWithoutVolumesIsStatelessAndWritesNoVolumesField() {
        Job job = JobSpecParser.parse(spec("", ""));

        assertThat(job.groups().getFirst().isStateful()).isFalse();
        assertThat(job.gc()).isNull();
        assertThat(Json.write(job)).doesNotContain("volumes").doesNotContain("\"gc\"");
    }

    @Test
    void badVolumesAreAllReportedWithTheirPaths() {
        assertThat(problems("", "volumes: [{name: data}, {name: Data, size: 1Gi}, {name: logs, size: 0}, "
                + "{name: wal, size: lots}, {name: x, size: 1Gi, path: /x}]"))
                .extracting(ErrorDetail::path)
                .containsExactlyInAnyOrder("groups[0].volumes[0].size", "groups[0].volumes[1].name",
                        "groups[0].volumes[2].size", "groups[0].volumes[3].size", "groups[0].volumes[4].path");
        assertThat(problems("", "volumes: [{name: a, size: 1Gi}, {name: a, size: 2Gi}]"))
                .extracting(ErrorDetail::message).containsExactly("\"a\" is used by another volume of this group");
        assertThat(problems("", "volumes: data")).extracting(ErrorDetail::path).containsExactly("groups[0].volumes");
    }

    @Test
    void aGcPolicyTakesACountAndADurationEitherMayBeLeftToTheClusterDefault() {
        Job both = JobSpecParser.parse(spec("gc: {keep_finished: 3, keep_for: 24h}", ""));
        Job countOnly = JobSpecParser.parse(spec("gc: {keep_finished: 0}", ""));

        assertThat(both.gc()).isEqualTo(new GcPolicy(3, Duration.ofHours(24)));
        assertThat(countOnly.gc()).isEqualTo(new GcPolicy(0, null));
        assertThat(countOnly.gc().orElse(new GcPolicy(10, Duration.ofHours(1))))
                .isEqualTo(new GcPolicy(0, Duration.ofHours(1)));
        assertThat(Json.read(Json.write(both), Job.class)).isEqualTo(both);
    }

    @Test
    void badGcPoliciesAreRejectedWithTheirPaths() {
        assertThat(problems("gc: {keep_finished: -1, keep_for: soon, keep: 3}", ""))
                .extracting(ErrorDetail::path)
                .containsExactlyInAnyOrder("gc.keep_finished", "gc.keep_for", "gc.keep");
        assertThat(problems("gc: 3", "")).extracting(ErrorDetail::path).containsExactly("gc");
    }

    @Test
    void aChangedGcPolicyIsAChangedSpec() {
        Job before = JobSpecParser.parse(spec("", ""));
        Job after = JobSpecParser.parse(spec("gc: {keep_finished: 1}", ""));

        assertThat(before.sameSpecAs(after)).isFalse();
        assertThat(after.withVersion(3, null).withStopped(true).gc()).isEqualTo(after.gc());
    }

    @Test
    void aStatefulGroupCannotSurgeOrRunCanariesBesideTheInstancesItReplaces() {
        assertThat(problems("", "volumes: [{name: data, size: 1Gi}]\n    update: {max_surge: 1, canary: 1}"))
                .extracting(ErrorDetail::path)
                .containsExactlyInAnyOrder("groups[0].update.max_surge", "groups[0].update.canary");
        assertThat(JobSpecParser.parse(spec("", "update: {max_surge: 1, canary: 1}")).groups().getFirst()
                .update().maxSurge()).isEqualTo(1);
    }
}
