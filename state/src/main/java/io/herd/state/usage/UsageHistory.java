package io.herd.state.usage;

import io.herd.state.RecordUsage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * The replicated cpu and memory history of every task and node: per series, sealed blocks of
 * {@value #SAMPLES_PER_BLOCK} encoded samples (an hour at the agents' 10 s) and one open block being appended to.
 * It is part of the replicated state: {@link #record} runs inside apply (for {@link RecordUsage}, in log order, on
 * every server) and {@link #toData()} goes into snapshots, so a server that dies loses none of it.
 *
 * <h2>Retention and memory</h2>
 * Each {@link #record} drops the sealed blocks whose last sample is older than the retention counted back from the
 * command's time (never the clock), and series with nothing left; a block is dropped whole, so a series keeps up to
 * one block more than the retention. Memory is about bytes per sample (measured in docs/benchmarks.md: about 3 bytes
 * for a cpu and memory pair of a busy task, well under for idle ones) x series x 60,480 samples a week, plus some
 * 300 bytes per series: 1,000 tasks for 7 days take about 180 MiB, and a snapshot holds the same as base64.
 *
 * <p>Thread-safe, with its own lock: apply appends under the write lock; queries copy block references under the
 * read lock ({@link #read}) and decode outside it, so a query over a week of thousands of series does not hold up
 * the state store's apply.
 */
public final class UsageHistory {
    /** Samples per sealed block: an hour at the agents' 10 s interval. */
    public static final int SAMPLES_PER_BLOCK = 360;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    private final Duration retention;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by {@link #lock}; by {@link UsageSource#key()}. */
    private final TreeMap<String, Series> series = new TreeMap<>();

    private static final class Series {
        UsageSource source;
        final List<UsageBlock> sealed = new ArrayList<>();
        UsageBlockWriter open = new UsageBlockWriter();

        Series(UsageSource source) {
            this.source = source;
        }

        long lastTime() {
            return open.count() > 0 ? open.lastTime() : sealed.getLast().lastTime();
        }

        boolean isEmpty() {
            return sealed.isEmpty() && open.count() == 0;
        }
    }

    /** The series a query reads: its source and its blocks overlapping the range, oldest first. */
    public record SeriesRead(UsageSource source, List<UsageBlock> blocks) {}

    /** @param retention how long samples are kept; zero keeps none (the history is off) */
    public UsageHistory(Duration retention) {
        requireNonNull(retention, "retention is null");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("usage retention must not be negative, got " + retention);
        }
        this.retention = retention;
    }

    public Duration retention() {
        return retention;
    }

    /** False when the retention is zero: nothing is recorded. */
    public boolean enabled() {
        return !retention.isZero();
    }

    /**
     * Appends the command's readings and drops what expired by its time. A reading not after its series' last
     * sample (a report the leader proposed twice, a clock that went back) is skipped. Deterministic: depends on the
     * command and the history only. Returns how many samples were stored.
     */
    public int record(RecordUsage command) {
        if (!enabled()) {
            return 0;
        }
        lock.writeLock().lock();
        try {
            int stored = 0;
            for (UsageReading reading : command.readings()) {
                Series target = series.computeIfAbsent(reading.source().key(), key -> new Series(reading.source()));
                if (!target.isEmpty() && reading.time() <= target.lastTime()) {
                    continue;
                }
                if (!target.source.equals(reading.source())) {
                    target.source = reading.source(); // e.g. a node renamed: newest labels win
                }
                target.open.append(reading.time(), reading.cpuMillicores(),
                        Math.round((double) reading.memoryBytes() / UsageBlock.MEMORY_UNIT_BYTES));
                if (target.open.count() >= SAMPLES_PER_BLOCK) {
                    target.sealed.add(target.open.toBlock());
                    target.open = new UsageBlockWriter();
                }
                stored++;
            }
            prune(command.time());
            return stored;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Under the write lock. */
    private void prune(Instant now) {
        long cutoff = now.getEpochSecond() - retention.toSeconds();
        for (Iterator<Series> iterator = series.values().iterator(); iterator.hasNext(); ) {
            Series candidate = iterator.next();
            while (!candidate.sealed.isEmpty() && candidate.sealed.getFirst().lastTime() < cutoff) {
                candidate.sealed.removeFirst();
            }
            if (candidate.sealed.isEmpty() && (candidate.open.count() == 0 || candidate.open.lastTime() < cutoff)) {
                iterator.remove();
            }
        }
    }

    /**
     * The series {@code filter} accepts, with their blocks that overlap {@code [fromSecond, toSecond]}. The blocks
     * are immutable (the open one copied), so callers decode them without any lock.
     */
    public List<SeriesRead> read(Predicate<UsageSource> filter, long fromSecond, long toSecond) {
        lock.readLock().lock();
        try {
            List<SeriesRead> reads = new ArrayList<>();
            for (Series candidate : series.values()) {
                if (!filter.test(candidate.source)) {
                    continue;
                }
                List<UsageBlock> blocks = new ArrayList<>();
                for (UsageBlock block : candidate.sealed) {
                    if (block.lastTime() >= fromSecond && block.firstTime() <= toSecond) {
                        blocks.add(block);
                    }
                }
                if (candidate.open.count() > 0) {
                    UsageBlock open = candidate.open.toBlock();
                    if (open.lastTime() >= fromSecond && open.firstTime() <= toSecond) {
                        blocks.add(open);
                    }
                }
                if (!blocks.isEmpty()) {
                    reads.add(new SeriesRead(candidate.source, blocks));
                }
            }
            return reads;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** What the history holds: series, samples and encoded bytes (for metrics and benchmarks). */
    public record Stats(int series, long samples, long encodedBytes) {}

    public Stats stats() {
        lock.readLock().lock();
        try {
            long samples = 0;
            long bytes = 0;
            for (Series candidate : series.values()) {
                for (UsageBlock block : candidate.sealed) {
                    samples += block.count();
                    bytes += block.bytes().length;
                }
                samples += candidate.open.count();
                bytes += candidate.open.count() == 0 ? 0 : candidate.open.toBlock().bytes().length;
            }
            return new Stats(series.size(), samples, bytes);
        } finally {
            lock.readLock().unlock();
        }
    }

    public UsageData toData() {
        lock.readLock().lock();
        try {
            List<UsageData.SeriesData> data = new ArrayList<>();
            for (Series candidate : series.values()) {
                List<UsageData.BlockData> blocks = new ArrayList<>();
                for (UsageBlock block : candidate.sealed) {
                    blocks.add(blockData(block, false));
                }
                if (candidate.open.count() > 0) {
                    blocks.add(blockData(candidate.open.toBlock(), true));
                }
                data.add(new UsageData.SeriesData(candidate.source, blocks));
            }
            return new UsageData(data);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Rebuilds a history from {@link #toData()}. The open block is appended again sample by sample, so that the
     * restored history encodes what follows exactly as the one that wrote the snapshot does.
     */
    public static UsageHistory fromData(UsageData data, Duration retention) {
        UsageHistory history = new UsageHistory(retention);
        if (!history.enabled()) {
            return history;
        }
        for (UsageData.SeriesData seriesData : data.series()) {
            Series restored = new Series(seriesData.source());
            for (UsageData.BlockData blockData : seriesData.blocks()) {
                UsageBlock block = new UsageBlock(blockData.firstTime(), blockData.lastTime(), blockData.count(),
                        Base64.getDecoder().decode(blockData.data()));
                if (blockData.open()) {
                    UsageBlock.Samples samples = block.decode();
                    for (int i = 0; i < samples.size(); i++) {
                        restored.open.append(samples.times()[i], samples.cpu()[i], samples.memory()[i]);
                    }
                } else {
                    restored.sealed.add(block);
                }
            }
            if (!restored.isEmpty()) {
                history.series.put(restored.source.key(), restored);
            }
        }
        return history;
    }

    private static UsageData.BlockData blockData(UsageBlock block, boolean open) {
        return new UsageData.BlockData(block.firstTime(), block.lastTime(), block.count(), block.encodedBase64(), open);
    }

    /** Series by key, for tests. */
    Map<String, UsageSource> sources() {
        lock.readLock().lock();
        try {
            Map<String, UsageSource> sources = new TreeMap<>();
            series.forEach((key, value) -> sources.put(key, value.source));
            return sources;
        } finally {
            lock.readLock().unlock();
        }
    }
}
