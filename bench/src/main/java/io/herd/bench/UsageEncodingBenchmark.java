package io.herd.bench;

import io.herd.state.RecordUsage;
import io.herd.state.usage.UsageHistory;
import io.herd.state.usage.UsageQuery;
import io.herd.state.usage.UsageReading;
import io.herd.state.usage.UsageSource;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code bench/run usage}: how many bytes the replicated usage history spends per stored sample, on a week of
 * realistic series fed through the real store ({@link UsageHistory}, blocks and all), against the same values in
 * Gorilla's XOR encoding of doubles (what Prometheus's TSDB chunks use) and against a plain 16-byte row.
 *
 * <p>A sample is one value of one series at one time, as Prometheus counts them: a usage reading (time, cpu,
 * memory) is two samples sharing one time. The series are synthetic but shaped like cgroup readings of real
 * workloads (seeded, so every run sees the same data):
 * <ul>
 *   <li>web (40% of tasks): cpu around 300m following a daily cycle (0.5x to 1.5x), with 15% noise that persists
 *       from one reading to the next and an occasional burst; memory a JVM-like sawtooth (grows 0 to 2 MiB per
 *       reading, drops back at a collection every few minutes)</li>
 *   <li>idle sidecars (30%): cpu 0 to 3m, memory steady with a page or two changing now and then</li>
 *   <li>batch (30%): cpu near its 1-core limit (5% noise), memory growing slowly with page-level noise</li>
 *   <li>nodes (one per 10 tasks): cpu the noisy sum of a few cores' load, memory in GiB moving by MiBs</li>
 * </ul>
 * Times are the leader's receive times in whole seconds: every 10 s, one in ten readings a second early or late.
 */
final class UsageEncodingBenchmark {
    private static final long START = Instant.parse("2026-01-05T00:00:00Z").getEpochSecond();
    private static final long PAGE = 4096;

    private UsageEncodingBenchmark() {}

    static Figures run(Options options, PrintStream log) {
        int tasks = options.integer("tasks", 200);
        int days = options.integer("days", 7);
        long seed = options.longValue("seed", 1);
        options.requireAllUsed();
        int nodes = Math.max(1, tasks / 10);
        int readingsPerSeries = days * 8640;

        Random random = new Random(seed);
        List<Generator> generators = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            String kind = i % 10 < 4 ? "web" : i % 10 < 7 ? "idle" : "batch";
            generators.add(new Generator(kind, new UsageSource(UsageSource.TASK, "i" + i + "/main",
                    Map.of("app", "bench", "job", kind, "instance", "i" + i, "task", "main", "node", "n" + i % nodes)),
                    new Random(random.nextLong())));
        }
        for (int i = 0; i < nodes; i++) {
            generators.add(new Generator("node", new UsageSource(UsageSource.NODE, "n" + i, Map.of("node", "n" + i)),
                    new Random(random.nextLong())));
        }

        UsageHistory history = new UsageHistory(Duration.ofDays(days + 1));
        GorillaPeer[] peers = new GorillaPeer[generators.size()];
        for (int i = 0; i < peers.length; i++) {
            peers[i] = new GorillaPeer();
        }
        Map<String, long[]> bytesByKind = new java.util.TreeMap<>();
        long recordNanos = 0;
        long time = START;
        for (int reading = 0; reading < readingsPerSeries; reading++) {
            List<UsageReading> batch = new ArrayList<>(generators.size());
            for (int i = 0; i < generators.size(); i++) {
                Generator generator = generators.get(i);
                long sampleTime = time + generator.jitter();
                generator.next(reading);
                batch.add(new UsageReading(generator.source, sampleTime, generator.cpuMillicores, generator.memoryBytes));
                peers[i].append(sampleTime, generator.cpuMillicores / 1000.0, (double) generator.memoryBytes);
            }
            long begin = System.nanoTime();
            history.record(new RecordUsage(batch, Instant.ofEpochSecond(time)));
            recordNanos += System.nanoTime() - begin;
            time += 10;
        }
        UsageHistory.Stats stats = history.stats();
        long samples = stats.samples() * 2;

        // bytes by kind of series, from the stored blocks
        for (UsageHistory.SeriesRead read : history.read(source -> true, 0, Long.MAX_VALUE)) {
            String kind = read.source().kind().equals(UsageSource.NODE) ? "node" : read.source().label("job");
            long[] totals = bytesByKind.computeIfAbsent(kind, ignored -> new long[2]);
            for (var block : read.blocks()) {
                totals[0] += block.bytes().length;
                totals[1] += block.count() * 2L;
            }
        }
        long peerBytes = 0;
        for (GorillaPeer peer : peers) {
            peerBytes += peer.bytes();
        }

        // a week of one job (40% of the tasks), 1 h steps, p95: the decoding a long query costs
        UsageQuery query = new UsageQuery(false, null, "bench/web", null, null, START, time, 3600,
                UsageQuery.Aggregation.P95, UsageQuery.GroupBy.INSTANCE);
        long queryBegin = System.nanoTime();
        int series = query.answer(history).series().size();
        double queryMillis = (System.nanoTime() - queryBegin) / 1e6;

        double herdPerSample = (double) stats.encodedBytes() / samples;
        double gorillaPerSample = (double) peerBytes / samples;
        Figures byKind = new Figures();
        bytesByKind.forEach((kind, totals) -> byKind.put(kind, (double) totals[0] / totals[1]));
        Figures figures = new Figures()
                .put("series", stats.series())
                .put("samples", samples)
                .put("herd_bytes", stats.encodedBytes())
                .put("herd_bytes_per_sample", herdPerSample)
                .put("herd_bytes_per_sample_by_kind", byKind)
                .put("gorilla_xor_bytes_per_sample", gorillaPerSample)
                .put("plain_bytes_per_sample", 8.0)
                .put("ratio_to_gorilla", herdPerSample / gorillaPerSample)
                .put("record_ns_per_reading", (double) recordNanos / stats.samples())
                .put("week_query_series", series)
                .put("week_query_ms", queryMillis)
                .put("snapshot_base64_bytes", history.toData().series().stream()
                        .flatMap(data -> data.blocks().stream()).mapToLong(block -> block.data().length()).sum());
        log.printf("usage: %d series, %d samples, %.3f bytes/sample (Gorilla XOR %.3f, plain 8)%n", stats.series(),
                samples, herdPerSample, gorillaPerSample);
        return figures;
    }

    /** One synthetic series; see the class comment for the shapes. */
    private static final class Generator {
        final String kind;
        final UsageSource source;
        final Random random;
        long cpuMillicores;
        long memoryBytes;
        double noise;
        long heapPages;
        final long basePages;

        Generator(String kind, UsageSource source, Random random) {
            this.kind = kind;
            this.source = source;
            this.random = random;
            basePages = switch (kind) {
                case "web" -> (200L << 20) / PAGE + random.nextInt(10_000);
                case "idle" -> (20L << 20) / PAGE + random.nextInt(1_000);
                case "batch" -> (500L << 20) / PAGE + random.nextInt(10_000);
                default -> (6L << 30) / PAGE + random.nextInt(100_000);
            };
        }

        /** Seconds early or late of the leader's receive time. */
        long jitter() {
            int roll = random.nextInt(20);
            return roll == 0 ? -1 : roll == 1 ? 1 : 0;
        }

        void next(int reading) {
            double daily = 1 + 0.5 * Math.sin(2 * Math.PI * reading / 8640.0);
            noise = 0.7 * noise + 0.3 * random.nextGaussian();
            switch (kind) {
                case "web" -> {
                    double burst = random.nextInt(200) == 0 ? 3 : 1;
                    cpuMillicores = Math.max(0, Math.round(300 * daily * burst * (1 + 0.15 * noise * 2)));
                    heapPages = random.nextInt(30) == 0 ? 0 : heapPages + random.nextInt(512);
                    memoryBytes = (basePages + heapPages) * PAGE;
                }
                case "idle" -> {
                    cpuMillicores = random.nextInt(4);
                    if (random.nextInt(50) == 0) {
                        heapPages = Math.max(0, heapPages + random.nextInt(5) - 2);
                    }
                    memoryBytes = (basePages + heapPages) * PAGE;
                }
                case "batch" -> {
                    cpuMillicores = Math.max(0, Math.min(1000, Math.round(970 + 50 * noise)));
                    heapPages += random.nextInt(8);
                    memoryBytes = (basePages + heapPages + random.nextInt(64)) * PAGE;
                }
                default -> {
                    cpuMillicores = Math.max(0, Math.round(2500 * daily + 400 * noise + 100 * random.nextGaussian()));
                    heapPages = Math.max(0, heapPages + Math.round(random.nextGaussian() * 256));
                    // /proc/meminfo is in KiB
                    memoryBytes = (basePages + heapPages) * PAGE + random.nextInt(4) * 1024L;
                }
            }
        }
    }

    /**
     * The peer: Gorilla's encoding as in the paper (Pelkonen et al., VLDB 2015) and Prometheus's XOR chunks, one
     * stream per value (cpu as cores, memory as bytes, both doubles) with delta-of-delta times, so two samples
     * cost two timestamps; blocks of 120 samples as Prometheus cuts its chunks. Only the size is kept.
     */
    static final class GorillaPeer {
        private static final int CHUNK = 120;
        private final Stream cpu = new Stream();
        private final Stream memory = new Stream();

        void append(long time, double cpuCores, double memoryBytes) {
            cpu.append(time, cpuCores);
            memory.append(time, memoryBytes);
        }

        long bytes() {
            return cpu.bytes() + memory.bytes();
        }

        private static final class Stream {
            long bits;
            int count;
            long lastTime;
            long lastDelta;
            long lastValue;
            int leading = -1;
            int trailing;

            void append(long time, double value) {
                long valueBits = Double.doubleToLongBits(value);
                if (count % CHUNK == 0) {
                    bits += 16 + 64 + 64; // chunk header, first time, first value
                    lastDelta = 0;
                    leading = -1;
                } else {
                    long delta = time - lastTime;
                    long deltaOfDelta = delta - lastDelta;
                    bits += deltaOfDelta == 0 ? 1 : Math.abs(deltaOfDelta) <= 63 ? 2 + 7
                            : Math.abs(deltaOfDelta) <= 255 ? 3 + 9 : Math.abs(deltaOfDelta) <= 2047 ? 4 + 12 : 4 + 32;
                    lastDelta = delta;
                    long xor = valueBits ^ lastValue;
                    if (xor == 0) {
                        bits += 1;
                    } else {
                        int newLeading = Math.min(31, Long.numberOfLeadingZeros(xor));
                        int newTrailing = Long.numberOfTrailingZeros(xor);
                        if (leading >= 0 && newLeading >= leading && newTrailing >= trailing) {
                            bits += 2 + (64 - leading - trailing);
                        } else {
                            bits += 2 + 5 + 6 + (64 - newLeading - newTrailing);
                            leading = newLeading;
                            trailing = newTrailing;
                        }
                    }
                }
                lastTime = time;
                lastValue = valueBits;
                count++;
            }

            long bytes() {
                return (bits + 7) / 8;
            }
        }
    }
}
