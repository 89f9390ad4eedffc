package io.herd.state.usage;

/** Reads what {@link BitWriter} wrote. Not thread-safe. */
final class BitReader {
    private final byte[] bytes;
    private long position;

    BitReader(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Reads {@code bits} bits (1 to 64) as an unsigned number. */
    long read(int bits) {
        if (position + bits > bytes.length * 8L) {
            throw new IllegalStateException("usage block truncated: wanted " + bits + " bits at bit " + position
                    + " of " + bytes.length * 8L);
        }
        long value = 0;
        for (int remaining = bits; remaining > 0; ) {
            int byteIndex = (int) (position >>> 3);
            int availableInByte = 8 - (int) (position & 7);
            int take = Math.min(availableInByte, remaining);
            int chunk = ((bytes[byteIndex] & 0xFF) >>> (availableInByte - take)) & ((1 << take) - 1);
            value = (value << take) | chunk;
            position += take;
            remaining -= take;
        }
        return value;
    }

    boolean readBit() {
        return read(1) == 1;
    }
}
