package io.herd.state.usage;

/**
 * The open block of one series: samples are appended in time order and encoded at once (see {@link UsageCodec});
 * {@link #toBlock()} gives an immutable copy. The first sample's time is written in full (64 bits), every later
 * time as the delta of deltas, and every value as the delta to the previous one (the first to zero), so a block
 * decodes on its own. Not thread-safe: {@link UsageHistory} guards it.
 */
final class UsageBlockWriter {
    private final BitWriter bits = new BitWriter(64);
    private int count;
    private long firstTime;
    private long lastTime;
    private long lastTimeDelta;
    private long lastCpu;
    private long lastMemory;

    /**
     * Appends one sample; {@code time} must be after the previous sample's.
     *
     * @param time        epoch seconds
     * @param cpu         millicores
     * @param memory      memory in {@link UsageBlock#MEMORY_UNIT_BYTES} units
     */
    void append(long time, long cpu, long memory) {
        if (count == 0) {
            bits.write(time, 64);
            firstTime = time;
        } else {
            if (time <= lastTime) {
                throw new IllegalArgumentException("sample at " + time + " is not after " + lastTime);
            }
            long delta = time - lastTime;
            UsageCodec.write(bits, delta - lastTimeDelta, UsageCodec.TIME_WIDTHS);
            lastTimeDelta = delta;
        }
        UsageCodec.write(bits, cpu - lastCpu, UsageCodec.VALUE_WIDTHS);
        UsageCodec.write(bits, memory - lastMemory, UsageCodec.VALUE_WIDTHS);
        lastTime = time;
        lastCpu = cpu;
        lastMemory = memory;
        count++;
    }

    int count() {
        return count;
    }

    /** Epoch seconds of the last sample; meaningless when empty. */
    long lastTime() {
        return lastTime;
    }

    /** Heap bytes held by the encoded samples, room to grow included. */
    int capacity() {
        return bits.capacity();
    }

    UsageBlock toBlock() {
        return new UsageBlock(firstTime, lastTime, count, bits.toByteArray());
    }
}
