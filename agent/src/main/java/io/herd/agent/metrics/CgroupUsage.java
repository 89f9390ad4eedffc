package io.herd.agent.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a task's cgroup says about its use of the machine, read at scrape time from the cgroup's directories.
 * Works on cgroup v1 (one directory per controller: {@code cpuacct.usage}, {@code memory.usage_in_bytes}, ...)
 * and v2 (one directory: {@code cpu.stat} usage, {@code memory.current}, {@code io.stat}, ...) alike: each value
 * is looked up by its file name in whichever directory has it; a value no directory has is absent.
 *
 * @param cpuSeconds        cpu time used (v1 {@code cpuacct.usage}, v2 {@code cpu.stat usage_usec})
 * @param cpuPeriods        cfs enforcement periods elapsed ({@code cpu.stat nr_periods})
 * @param throttledPeriods  periods in which the task was throttled ({@code cpu.stat nr_throttled})
 * @param throttledSeconds  time spent throttled (v1 {@code throttled_time}, v2 {@code throttled_usec})
 * @param memoryBytes       memory used, page cache included (v1 {@code memory.usage_in_bytes}, v2 {@code memory.current})
 * @param workingSetBytes   memory used minus inactive page cache: what the OOM killer looks at (cAdvisor's rule)
 * @param memoryLimitBytes  the memory limit; absent when unlimited
 * @param oomKills          processes killed by the OOM killer in the cgroup
 * @param readBytes         bytes read from block devices (v2 {@code io.stat}; v1 only with a blkio hierarchy)
 * @param writtenBytes      bytes written to block devices
 */
public record CgroupUsage(
        OptionalDouble cpuSeconds,
        OptionalDouble cpuPeriods,
        OptionalDouble throttledPeriods,
        OptionalDouble throttledSeconds,
        OptionalDouble memoryBytes,
        OptionalDouble workingSetBytes,
        OptionalDouble memoryLimitBytes,
        OptionalDouble oomKills,
        OptionalDouble readBytes,
        OptionalDouble writtenBytes) {
    /** Limits at or above this are "no limit" (v1 writes a page-aligned {@code Long.MAX_VALUE}). */
    private static final double UNLIMITED = Math.pow(2, 62);

    public static CgroupUsage read(List<Path> directories) {
        CgroupFiles files = new CgroupFiles(directories);
        Map<String, Long> cpuStat = files.keyed("cpu.stat");
        Map<String, Long> memoryStat = files.keyed("memory.stat");

        OptionalDouble cpuSeconds = files.number("cpuacct.usage").map(nanos -> OptionalDouble.of(nanos / 1e9))
                .orElseGet(() -> seconds(cpuStat.get("usage_usec"), 1e6));
        OptionalDouble throttledSeconds = cpuStat.containsKey("throttled_time")
                ? seconds(cpuStat.get("throttled_time"), 1e9) : seconds(cpuStat.get("throttled_usec"), 1e6);

        Optional<Long> memory = files.number("memory.usage_in_bytes").or(() -> files.number("memory.current"));
        OptionalDouble workingSet = OptionalDouble.empty();
        if (memory.isPresent()) {
            Long inactive = memoryStat.containsKey("total_inactive_file") ? memoryStat.get("total_inactive_file")
                    : memoryStat.get("inactive_file");
            workingSet = OptionalDouble.of(Math.max(0, memory.get() - (inactive == null ? 0 : inactive)));
        }
        OptionalDouble limit = files.number("memory.limit_in_bytes").or(() -> files.number("memory.max"))
                .filter(value -> value < UNLIMITED).map(value -> OptionalDouble.of(value)).orElse(OptionalDouble.empty());

        Map<String, Long> oomControl = files.keyed("memory.oom_control");
        Map<String, Long> memoryEvents = files.keyed("memory.events");
        Long oomKills = oomControl.containsKey("oom_kill") ? oomControl.get("oom_kill") : memoryEvents.get("oom_kill");
        if (oomKills == null && (files.has("memory.oom_control") || files.has("memory.events"))) {
            oomKills = 0L; // older kernels do not count kills until the first one
        }

        OptionalDouble readBytes = OptionalDouble.empty();
        OptionalDouble writtenBytes = OptionalDouble.empty();
        Optional<List<String>> ioStat = files.lines("io.stat");
        if (ioStat.isPresent()) {
            long read = 0;
            long written = 0;
            for (String line : ioStat.get()) {
                for (String field : line.trim().split("\\s+")) {
                    if (field.startsWith("rbytes=")) {
                        read += parse(field.substring(7));
                    } else if (field.startsWith("wbytes=")) {
                        written += parse(field.substring(7));
                    }
                }
            }
            readBytes = OptionalDouble.of(read);
            writtenBytes = OptionalDouble.of(written);
        } else {
            Optional<List<String>> blkio = files.lines("blkio.throttle.io_service_bytes");
            if (blkio.isPresent()) {
                long read = 0;
                long written = 0;
                for (String line : blkio.get()) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 3 && parts[1].equals("Read")) {
                        read += parse(parts[2]);
                    } else if (parts.length == 3 && parts[1].equals("Write")) {
                        written += parse(parts[2]);
                    }
                }
                readBytes = OptionalDouble.of(read);
                writtenBytes = OptionalDouble.of(written);
            }
        }
        return new CgroupUsage(cpuSeconds, value(cpuStat.get("nr_periods")), value(cpuStat.get("nr_throttled")),
                throttledSeconds, memory.map(value -> OptionalDouble.of(value)).orElse(OptionalDouble.empty()),
                workingSet, limit, value(oomKills), readBytes, writtenBytes);
    }

    private static OptionalDouble seconds(Long value, double perSecond) {
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value / perSecond);
    }

    private static OptionalDouble value(Long value) {
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    private static long parse(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Finds a cgroup file by name among the directories of one cgroup. */
    private record CgroupFiles(List<Path> directories) {
        Optional<Path> find(String name) {
            return directories.stream().map(directory -> directory.resolve(name))
                    .filter(java.nio.file.Files::isRegularFile).findFirst();
        }

        boolean has(String name) {
            return find(name).isPresent();
        }

        Optional<List<String>> lines(String name) {
            return find(name).flatMap(file -> {
                try {
                    return Optional.of(java.nio.file.Files.readAllLines(file));
                } catch (IOException e) {
                    return Optional.empty();
                }
            });
        }

        Optional<Long> number(String name) {
            return lines(name).filter(lines -> !lines.isEmpty()).flatMap(lines -> {
                try {
                    return Optional.of(Long.parseLong(lines.getFirst().trim()));
                } catch (NumberFormatException e) {
                    return Optional.empty(); // "max" in v2: no limit
                }
            });
        }

        /** A flat keyed file ({@code key value} per line) such as {@code cpu.stat} or {@code memory.stat}. */
        Map<String, Long> keyed(String name) {
            Map<String, Long> values = new HashMap<>();
            lines(name).ifPresent(lines -> {
                for (String line : lines) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 2) {
                        try {
                            values.put(parts[0], Long.parseLong(parts[1]));
                        } catch (NumberFormatException ignored) {
                            // not a number: not a counter we read
                        }
                    }
                }
            });
            return values;
        }
    }
}
