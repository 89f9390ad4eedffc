package io.herd.state.usage;

import io.herd.api.Json;
import io.herd.api.wire.UsageResponse;
import io.herd.state.RecordUsage;
import io.herd.state.usage.UsageQuery.Aggregation;
import io.herd.state.usage.UsageQuery.GroupBy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsageHistoryTest {
    private static final long T0 = 1_800_000_000L;

    static UsageSource task(String app, String job, String instance, String task, String node) {
        return new UsageSource(UsageSource.TASK, instance + "/" + task, Map.of("app", app, "job", job,
                "group", "main", "instance", instance, "instance_name", job + ".main[" + instance + "]", "task", task,
                "node", node, "node_name", node + "-name"));
    }

    static UsageSource node(String node) {
        return new UsageSource(UsageSource.NODE, node, Map.of("node", node, "node_name", node + "-name"));
    }

    static RecordUsage at(long second, UsageReading... readings) {
        return new RecordUsage(List.of(readings), Instant.ofEpochSecond(second));
    }

    static UsageReading reading(UsageSource source, long second, long cpu, long memoryMiB) {
        return new UsageReading(source, second, cpu, memoryMiB << 20);
    }

    private static UsageQuery query(GroupBy by, Aggregation aggregation, long from, long to, long step) {
        return new UsageQuery(false, null, null, null, null, from, to, step, aggregation, by);
    }

    @Test
    void instancesAreTheSumOfTheirTasksAndStepsReduceBySamples() {
        UsageHistory history = new UsageHistory(Duration.ofDays(7));
        UsageSource web = task("shop", "api", "i1", "web", "n1");
        UsageSource sidecar = task("shop", "api", "i1", "sidecar", "n1");
        UsageSource other = task("shop", "api", "i2", "web", "n2");
        for (int i = 0; i < 6; i++) {
            long time = T0 + 10L * i;
            history.record(at(time, reading(web, time, 100 * (i + 1), 10 + i), reading(sidecar, time, 50, 5),
                    reading(other, time, 200, 20)));
        }

        UsageResponse byInstance = query(GroupBy.INSTANCE, Aggregation.AVG, T0, T0 + 59, 60).answer(history);
        assertThat(byInstance.series()).hasSize(2);
        UsageResponse.Series first = byInstance.series().getFirst();
        assertThat(first.labels()).containsEntry("instance", "i1").doesNotContainKey("task");
        assertThat(first.members()).isEqualTo(2);
        assertThat(first.points()).hasSize(1);
        // web averages 350m over the minute, the sidecar 50m; memory averages 12.5 MiB + 5 MiB
        assertThat(first.points().getFirst().cpuCores()).isEqualTo(0.4);
        assertThat(first.points().getFirst().memoryBytes()).isEqualTo((long) (17.5 * (1 << 20)));

        UsageResponse maxima = query(GroupBy.JOB, Aggregation.MAX, T0, T0 + 59, 60).answer(history);
        assertThat(maxima.series()).singleElement().satisfies(job -> {
            assertThat(job.labels()).containsEntry("app", "shop").containsEntry("job", "api")
                    .doesNotContainKey("instance");
            assertThat(job.points().getFirst().cpuCores()).isCloseTo(0.85, org.assertj.core.data.Offset.offset(1e-9));
        });

        UsageResponse perTen = query(GroupBy.TASK, Aggregation.LAST, T0, T0 + 59, 10).answer(history);
        UsageResponse.Series webSeries = perTen.series().stream()
                .filter(series -> "web".equals(series.labels().get("task")) && "i1".equals(series.labels().get("instance")))
                .findFirst().orElseThrow();
        assertThat(webSeries.points()).extracting(UsageResponse.Point::cpuCores)
                .containsExactly(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
        assertThat(webSeries.summary().latestCpuCores()).isEqualTo(0.6);
        assertThat(webSeries.summary().maxCpuCores()).isEqualTo(0.6);
        assertThat(webSeries.summary().avgCpuCores()).isCloseTo(0.35, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(webSeries.summary().latestMemoryBytes()).isEqualTo(15L << 20);
        assertThat(webSeries.summary().latestTime()).isEqualTo(Instant.ofEpochSecond(T0 + 50));
    }

    @Test
    void p95IsTheNearestRank() {
        UsageHistory history = new UsageHistory(Duration.ofDays(7));
        UsageSource web = task("shop", "api", "i1", "web", "n1");
        for (int i = 1; i <= 20; i++) {
            history.record(at(T0 + i, reading(web, T0 + i, i * 10L, 1)));
        }
        UsageResponse answer = query(GroupBy.TASK, Aggregation.P95, T0, T0 + 100, 100).answer(history);
        assertThat(answer.series().getFirst().points().getFirst().cpuCores()).isEqualTo(0.19);
    }

    @Test
    void selectionByAppSubtreeJobInstanceAndNode() {
        UsageHistory history = new UsageHistory(Duration.ofDays(7));
        history.record(at(T0, reading(task("trade_checkout", "api", "i1", "web", "n1"), T0, 1, 1),
                reading(task("trade", "batch", "i2", "web", "n2"), T0, 1, 1),
                reading(task("trader", "api", "i3", "web", "n1"), T0, 1, 1),
                reading(node("n1"), T0, 1500, 4096)));

        assertThat(instances(history, new UsageQuery(false, "trade", null, null, null, T0, T0, 10, Aggregation.AVG,
                GroupBy.INSTANCE))).containsExactly("i1", "i2");
        assertThat(instances(history, new UsageQuery(false, null, "trade_checkout/api", null, null, T0, T0, 10,
                Aggregation.AVG, GroupBy.INSTANCE))).containsExactly("i1");
        assertThat(instances(history, new UsageQuery(false, null, null, "api.main[i3]", null, T0, T0, 10,
                Aggregation.AVG, GroupBy.INSTANCE))).containsExactly("i3");
        assertThat(instances(history, new UsageQuery(false, null, null, null, "n1-name", T0, T0, 10,
                Aggregation.AVG, GroupBy.INSTANCE))).containsExactly("i1", "i3");

        UsageResponse nodes = new UsageQuery(true, null, null, null, null, T0, T0, 10, Aggregation.AVG, GroupBy.TASK)
                .answer(history);
        assertThat(nodes.by()).isEqualTo("node");
        assertThat(nodes.series()).singleElement().satisfies(series -> {
            assertThat(series.labels()).containsEntry("node_name", "n1-name");
            assertThat(series.points().getFirst().cpuCores()).isEqualTo(1.5);
            assertThat(series.points().getFirst().memoryBytes()).isEqualTo(4096L << 20);
        });
    }

    private static List<String> instances(UsageHistory history, UsageQuery query) {
        return query.answer(history).series().stream().map(series -> series.labels().get("instance")).toList();
    }

    @Test
    void retentionDropsWholeBlocksOlderThanTheCommandsTimeAndThenTheSeries() {
        UsageHistory history = new UsageHistory(Duration.ofHours(2));
        UsageSource gone = task("shop", "api", "i1", "web", "n1");
        UsageSource kept = task("shop", "api", "i2", "web", "n1");
        int samples = UsageHistory.SAMPLES_PER_BLOCK * 2 + 10; // two sealed blocks and an open one
        for (int i = 0; i < samples; i++) {
            long time = T0 + 10L * i;
            history.record(at(time, reading(gone, time, 1, 1), reading(kept, time, 1, 1)));
        }
        long end = T0 + 10L * (samples - 1);
        assertThat(history.stats().samples()).isEqualTo(2L * samples);

        // an hour later: the first block (hours 0-1) is older than two hours, the second is not
        long later = end + 3600;
        history.record(at(later, reading(kept, later, 1, 1)));
        assertThat(history.stats().samples()).isEqualTo(2L * (samples - UsageHistory.SAMPLES_PER_BLOCK) + 1);

        // long after: the series that stopped reporting disappears; the other keeps its open block, old samples
        // included (blocks go whole): the 10 after its second block, and the two since
        long muchLater = later + 3 * 3600;
        history.record(at(muchLater, reading(kept, muchLater, 1, 1)));
        assertThat(history.sources()).containsOnlyKeys(kept.key());
        assertThat(history.stats().samples()).isEqualTo(12);
    }

    @Test
    void oldOrRepeatedSamplesAreSkipped() {
        UsageHistory history = new UsageHistory(Duration.ofDays(1));
        UsageSource web = task("shop", "api", "i1", "web", "n1");
        assertThat(history.record(at(T0 + 10, reading(web, T0 + 10, 1, 1)))).isEqualTo(1);
        assertThat(history.record(at(T0 + 10, reading(web, T0 + 10, 2, 2), reading(web, T0 + 5, 3, 3)))).isZero();
        assertThat(history.stats().samples()).isEqualTo(1);
    }

    @Test
    void zeroRetentionKeepsNothing() {
        UsageHistory history = new UsageHistory(Duration.ZERO);
        assertThat(history.enabled()).isFalse();
        assertThat(history.record(at(T0, reading(node("n1"), T0, 1, 1)))).isZero();
        assertThat(history.stats().series()).isZero();
    }

    @Test
    void aSnapshotThroughJsonGoesOnExactlyLikeTheOriginal() {
        UsageHistory original = new UsageHistory(Duration.ofDays(7));
        UsageSource web = task("shop", "api", "i1", "web", "n1");
        java.util.Random random = new java.util.Random(7);
        List<RecordUsage> commands = new ArrayList<>();
        for (int i = 0; i < UsageHistory.SAMPLES_PER_BLOCK * 3 / 2; i++) {
            long time = T0 + 10L * i + random.nextInt(2);
            commands.add(at(time, reading(web, time, random.nextInt(2000), 100 + random.nextInt(5)),
                    reading(node("n1"), time, random.nextInt(4000), 3000)));
        }
        commands.subList(0, 400).forEach(original::record);

        UsageData data = Json.read(Json.writeBytes(original.toData()), UsageData.class);
        assertThat(data).isEqualTo(original.toData());
        UsageHistory restored = UsageHistory.fromData(data, Duration.ofDays(7));
        assertThat(restored.toData()).isEqualTo(original.toData());

        commands.subList(400, commands.size()).forEach(command -> {
            original.record(command);
            restored.record(command);
        });
        assertThat(restored.toData()).isEqualTo(original.toData());
    }

    @Test
    void aRangeWithTooManyStepsIsRefused() {
        assertThatThrownBy(() -> query(GroupBy.TASK, Aggregation.AVG, 0, 10L * UsageQuery.MAX_POINTS, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wider step");
    }
}
