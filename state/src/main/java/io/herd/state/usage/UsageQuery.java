package io.herd.state.usage;

import io.herd.api.wire.UsageResponse;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * A question to the {@link UsageHistory} and how it is answered: which series (tasks or nodes, narrowed by app
 * subtree, job, instance or node), over which range, in steps of which width, and how samples are combined. Each
 * selected series' samples within a step are reduced by {@code aggregation}; then the series of one group
 * ({@code by}) are summed step by step, because the usage of an instance, a job or an app is the sum of its tasks'.
 * Pure: time comes in as epoch seconds.
 *
 * @param nodes       true for the machines' own series, false for tasks'
 * @param app         an appcode: tasks of that app and every app below it ({@code trade} selects
 *                    {@code trade_checkout}); null for all
 * @param jobId       {@code app/job}; null for all
 * @param instance    an instance id or name ({@code job.group[0]}); null for all
 * @param node        a node id or name: tasks on it, or that node's series; null for all
 * @param fromSecond  start of the range, epoch seconds (inclusive; rounded down to a step)
 * @param toSecond    end of the range, epoch seconds (inclusive)
 * @param stepSeconds width of a point, at least 1
 */
public record UsageQuery(boolean nodes, String app, String jobId, String instance, String node, long fromSecond,
        long toSecond, long stepSeconds, Aggregation aggregation, GroupBy by) {
    /**
     * A query answers at most this many points per series (11 hours at 10 s); a longer range needs a wider step.
     * Bounds a query's memory: two doubles per point and group.
     */
    public static final int MAX_POINTS = 4_000;

    public enum Aggregation {
        AVG, MAX, MIN, P95, LAST;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What series are summed by; {@code by} a label, or each task on its own. */
    public enum GroupBy {
        TASK, INSTANCE, JOB, APP, NODE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public UsageQuery {
        requireNonNull(aggregation, "aggregation is null");
        requireNonNull(by, "by is null");
        if (stepSeconds < 1) {
            throw new IllegalArgumentException("step must be at least 1 s");
        }
        if (toSecond < fromSecond) {
            throw new IllegalArgumentException("the range ends before it starts");
        }
        fromSecond = Math.floorDiv(fromSecond, stepSeconds) * stepSeconds;
        if ((toSecond - fromSecond) / stepSeconds + 1 > MAX_POINTS) {
            throw new IllegalArgumentException("the range has more than " + MAX_POINTS + " steps of "
                    + stepSeconds + " s; ask for a wider step");
        }
    }

    /** Whether a stored series is selected. */
    public boolean selects(UsageSource source) {
        if (nodes) {
            return source.kind().equals(UsageSource.NODE)
                    && (node == null || node.equals(source.id()) || node.equals(source.label("node_name")));
        }
        if (!source.kind().equals(UsageSource.TASK)) {
            return false;
        }
        String sourceApp = source.label("app");
        if (app != null && (sourceApp == null || !(sourceApp.equals(app) || sourceApp.startsWith(app + "_")))) {
            return false;
        }
        if (jobId != null && !jobId.equals(sourceApp + "/" + source.label("job"))) {
            return false;
        }
        if (instance != null && !instance.equals(source.label("instance"))
                && !instance.equals(source.label("instance_name"))) {
            return false;
        }
        return node == null || node.equals(source.label("node")) || node.equals(source.label("node_name"));
    }

    /** Reads the selected series from {@code history} and answers. */
    public UsageResponse answer(UsageHistory history) {
        return answer(history.read(this::selects, fromSecond, toSecond));
    }

    /** Answers from series already read (decoding happens here, outside the history's lock). */
    public UsageResponse answer(List<UsageHistory.SeriesRead> reads) {
        int steps = (int) ((toSecond - fromSecond) / stepSeconds + 1);
        Map<String, Group> groups = new LinkedHashMap<>();
        for (UsageHistory.SeriesRead read : reads) {
            if (!selects(read.source())) {
                continue;
            }
            double[][] reduced = reduce(read.blocks(), steps);
            long newest = (long) reduced[2][0];
            String key = groupKey(read.source());
            Group group = groups.computeIfAbsent(key, ignored -> new Group(steps, read.source().labels()));
            group.add(read.source().labels(), reduced, newest);
        }
        List<UsageResponse.Series> series = new ArrayList<>();
        for (Group group : new TreeMap<>(groups).values()) {
            UsageResponse.Series answered = group.toSeries(fromSecond, stepSeconds);
            if (!answered.points().isEmpty()) {
                series.add(answered);
            }
        }
        return new UsageResponse(Instant.ofEpochSecond(fromSecond), Instant.ofEpochSecond(toSecond), stepSeconds,
                aggregation.wireName(), nodes ? GroupBy.NODE.wireName() : by.wireName(), series);
    }

    private String groupKey(UsageSource source) {
        if (nodes) {
            return source.key();
        }
        return switch (by) {
            case TASK -> source.key();
            case INSTANCE -> "" + source.label("instance");
            case JOB -> source.label("app") + "/" + source.label("job");
            case APP -> "" + source.label("app");
            case NODE -> "" + source.label("node");
        };
    }

    /**
     * One series' samples in the range reduced per step: {@code [0]} cpu millicores and {@code [1]} memory bytes,
     * NaN for a step without samples; {@code [2][0]} the time of the newest sample in the range.
     */
    private double[][] reduce(List<UsageBlock> blocks, int steps) {
        double[] cpu = new double[steps];
        double[] memory = new double[steps];
        Arrays.fill(cpu, Double.NaN);
        Arrays.fill(memory, Double.NaN);
        // samples of one step, gathered then reduced; a series has one sample per 10 s, so a step holds few
        long[] stepCpu = new long[16];
        long[] stepMemory = new long[16];
        int gathered = 0;
        int currentStep = -1;
        long newest = Long.MIN_VALUE;
        for (UsageBlock block : blocks) {
            UsageBlock.Samples samples = block.decode();
            for (int i = 0; i < samples.size(); i++) {
                long time = samples.times()[i];
                if (time < fromSecond || time > toSecond) {
                    continue;
                }
                newest = Math.max(newest, time);
                int step = (int) ((time - fromSecond) / stepSeconds);
                if (step != currentStep) {
                    if (gathered > 0) {
                        cpu[currentStep] = reduce(stepCpu, gathered);
                        memory[currentStep] = reduce(stepMemory, gathered) * UsageBlock.MEMORY_UNIT_BYTES;
                    }
                    currentStep = step;
                    gathered = 0;
                }
                if (gathered == stepCpu.length) {
                    stepCpu = Arrays.copyOf(stepCpu, gathered * 2);
                    stepMemory = Arrays.copyOf(stepMemory, gathered * 2);
                }
                stepCpu[gathered] = samples.cpu()[i];
                stepMemory[gathered] = samples.memory()[i];
                gathered++;
            }
        }
        if (gathered > 0) {
            cpu[currentStep] = reduce(stepCpu, gathered);
            memory[currentStep] = reduce(stepMemory, gathered) * UsageBlock.MEMORY_UNIT_BYTES;
        }
        return new double[][] {cpu, memory, {newest}};
    }

    /** Reduces the first {@code count} values (in time order) by the aggregation. */
    private double reduce(long[] values, int count) {
        return switch (aggregation) {
            case AVG -> {
                double sum = 0;
                for (int i = 0; i < count; i++) {
                    sum += values[i];
                }
                yield sum / count;
            }
            case MAX -> {
                long max = Long.MIN_VALUE;
                for (int i = 0; i < count; i++) {
                    max = Math.max(max, values[i]);
                }
                yield max;
            }
            case MIN -> {
                long min = Long.MAX_VALUE;
                for (int i = 0; i < count; i++) {
                    min = Math.min(min, values[i]);
                }
                yield min;
            }
            case P95 -> {
                long[] sorted = Arrays.copyOf(values, count);
                Arrays.sort(sorted);
                // nearest rank: the smallest value at or above 95% of the samples
                yield sorted[(int) Math.ceil(0.95 * count) - 1];
            }
            case LAST -> values[count - 1];
        };
    }

    /** The sum of a group's series, step by step, and the labels all its members share. */
    private static final class Group {
        final double[] cpu;
        final double[] memory;
        final Map<String, String> labels;
        int members;
        long newest = Long.MIN_VALUE;

        Group(int steps, Map<String, String> firstLabels) {
            cpu = new double[steps];
            memory = new double[steps];
            Arrays.fill(cpu, Double.NaN);
            Arrays.fill(memory, Double.NaN);
            labels = new TreeMap<>(firstLabels);
        }

        void add(Map<String, String> memberLabels, double[][] reduced, long memberNewest) {
            members++;
            newest = Math.max(newest, memberNewest);
            labels.entrySet().removeIf(label -> !label.getValue().equals(memberLabels.get(label.getKey())));
            for (int step = 0; step < cpu.length; step++) {
                if (!Double.isNaN(reduced[0][step])) {
                    cpu[step] = (Double.isNaN(cpu[step]) ? 0 : cpu[step]) + reduced[0][step];
                    memory[step] = (Double.isNaN(memory[step]) ? 0 : memory[step]) + reduced[1][step];
                }
            }
        }

        UsageResponse.Series toSeries(long fromSecond, long stepSeconds) {
            List<UsageResponse.Point> points = new ArrayList<>();
            double cpuSum = 0;
            double memorySum = 0;
            double cpuMax = 0;
            double memoryMax = 0;
            for (int step = 0; step < cpu.length; step++) {
                if (Double.isNaN(cpu[step])) {
                    continue;
                }
                double cores = cpu[step] / 1000.0;
                points.add(new UsageResponse.Point(Instant.ofEpochSecond(fromSecond + step * stepSeconds), cores,
                        Math.round(memory[step])));
                cpuSum += cores;
                memorySum += memory[step];
                cpuMax = Math.max(cpuMax, cores);
                memoryMax = Math.max(memoryMax, memory[step]);
            }
            UsageResponse.Summary summary = null;
            if (!points.isEmpty()) {
                UsageResponse.Point latest = points.getLast();
                summary = new UsageResponse.Summary(Instant.ofEpochSecond(newest), latest.cpuCores(), latest.memoryBytes(),
                        cpuSum / points.size(), cpuMax, Math.round(memorySum / points.size()),
                        Math.round(memoryMax));
            }
            return new UsageResponse.Series(labels, points, summary, members);
        }
    }
}
