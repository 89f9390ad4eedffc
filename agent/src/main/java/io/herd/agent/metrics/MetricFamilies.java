package io.herd.agent.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the samples of metrics computed at scrape time (from /proc and cgroups) into families, so a
 * collector can add one sample at a time and still write each family once with its HELP and TYPE.
 */
final class MetricFamilies {
    private record Family(boolean counter, String help, List<Object> points) {}

    private final Map<String, Family> families = new LinkedHashMap<>();

    /** Declares a gauge family; it is written (with HELP and TYPE) even when it gets no sample. */
    MetricFamilies gauge(String name, String help) {
        families.computeIfAbsent(name, key -> new Family(false, help, new ArrayList<>()));
        return this;
    }

    /** Declares a counter family; {@code name} without {@code _total}, which the text format appends. */
    MetricFamilies counter(String name, String help) {
        families.computeIfAbsent(name, key -> new Family(true, help, new ArrayList<>()));
        return this;
    }

    /** Adds a sample to a declared family; {@code labels} alternate name and value. */
    void add(String name, double value, String... labels) {
        Family family = families.get(name);
        if (family == null) {
            throw new IllegalArgumentException("metric family " + name + " was not declared");
        }
        Labels labelSet = Labels.of(labels);
        family.points().add(family.counter()
                ? CounterSnapshot.CounterDataPointSnapshot.builder().labels(labelSet).value(value).build()
                : GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labelSet).value(value).build());
    }

    MetricSnapshots build() {
        List<MetricSnapshot> snapshots = new ArrayList<>();
        families.forEach((name, family) -> {
            if (family.counter()) {
                CounterSnapshot.Builder builder = CounterSnapshot.builder().name(name).help(family.help());
                family.points().forEach(point -> builder.dataPoint((CounterSnapshot.CounterDataPointSnapshot) point));
                snapshots.add(builder.build());
            } else {
                GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help(family.help());
                family.points().forEach(point -> builder.dataPoint((GaugeSnapshot.GaugeDataPointSnapshot) point));
                snapshots.add(builder.build());
            }
        });
        return new MetricSnapshots(snapshots);
    }
}
