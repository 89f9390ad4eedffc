package io.herd.api.wire;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/usage}: one series per group ({@code by}), each the sum of its member series'
 * values per step, where each member's samples within a step are reduced by {@code aggregation}.
 *
 * @param from        the start of the range (inclusive)
 * @param to          the end of the range (inclusive)
 * @param stepSeconds the width of each point's bucket
 * @param aggregation how the samples of one series within a step are reduced: avg, max, min, p95 or last
 * @param by          what series are grouped (summed) by: task, instance, job, app or node
 */
public record UsageResponse(Instant from, Instant to, long stepSeconds, String aggregation, String by,
        List<Series> series) {
    public UsageResponse {
        series = series == null ? List.of() : List.copyOf(series);
    }

    /**
     * @param labels  what identifies the group: {@code app}, {@code job}, {@code group}, {@code instance},
     *                {@code instance_name}, {@code task}, {@code node}, {@code node_name}, as far as they are
     *                common to its members
     * @param points  one per step that has samples, oldest first
     * @param summary over the points
     * @param members how many stored series were summed into this one
     */
    public record Series(Map<String, String> labels, List<Point> points, Summary summary, int members) {
        public Series {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            points = points == null ? List.of() : List.copyOf(points);
        }
    }

    /** @param time the start of the step */
    public record Point(Instant time, double cpuCores, long memoryBytes) {}

    /**
     * The newest point, and the average and maximum of the points.
     *
     * @param latestTime the time of the newest sample (in the newest point's step)
     */
    public record Summary(Instant latestTime, double latestCpuCores, long latestMemoryBytes, double avgCpuCores,
            double maxCpuCores, long avgMemoryBytes, long maxMemoryBytes) {}
}
