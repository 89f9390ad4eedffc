package io.herd.state.usage;

import java.util.Base64;

import static java.util.Objects.requireNonNull;

/**
 * An immutable run of encoded samples of one series (see {@link UsageBlockWriter} for the format). Blocks are
 * shared between the store and readers without copying: queries copy references under the store's lock and
 * decode outside it.
 *
 * @param firstTime epoch seconds of the first sample
 * @param lastTime  epoch seconds of the last sample
 * @param count     samples in the block
 * @param bytes     the encoded samples; never modified
 */
public record UsageBlock(long firstTime, long lastTime, int count, byte[] bytes) {
    /**
     * Memory is stored in 4 KiB units: the page size, in which the kernel accounts a cgroup's memory, so task
     * memory is stored exactly; node memory is rounded to the nearest 4 KiB.
     */
    public static final long MEMORY_UNIT_BYTES = 4096;

    public UsageBlock {
        requireNonNull(bytes, "bytes is null");
        if (count < 1) {
            throw new IllegalArgumentException("a block holds at least one sample");
        }
    }

    /** Decodes every sample. */
    public Samples decode() {
        long[] times = new long[count];
        long[] cpu = new long[count];
        long[] memory = new long[count];
        BitReader in = new BitReader(bytes);
        long time = in.read(64);
        long timeDelta = 0;
        long lastCpu = 0;
        long lastMemory = 0;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                timeDelta += UsageCodec.read(in, UsageCodec.TIME_WIDTHS);
                time += timeDelta;
            }
            lastCpu += UsageCodec.read(in, UsageCodec.VALUE_WIDTHS);
            lastMemory += UsageCodec.read(in, UsageCodec.VALUE_WIDTHS);
            times[i] = time;
            cpu[i] = lastCpu;
            memory[i] = lastMemory;
        }
        return new Samples(times, cpu, memory);
    }

    /** The block as it goes into a snapshot. */
    public String encodedBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Decoded samples, in time order.
     *
     * @param times  epoch seconds
     * @param cpu    millicores
     * @param memory {@link #MEMORY_UNIT_BYTES} units
     */
    public record Samples(long[] times, long[] cpu, long[] memory) {
        public int size() {
            return times.length;
        }

        public long memoryBytes(int i) {
            return memory[i] * MEMORY_UNIT_BYTES;
        }
    }
}
