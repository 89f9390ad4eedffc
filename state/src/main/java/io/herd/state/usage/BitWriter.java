package io.herd.state.usage;

import java.util.Arrays;

/** Appends bits, most significant first, to a growing byte array. Not thread-safe. */
final class BitWriter {
    private byte[] bytes;
    private long bitLength;

    BitWriter(int initialBytes) {
        bytes = new byte[Math.max(1, initialBytes)];
    }

    /** Writes the low {@code bits} bits of {@code value} (1 to 64), most significant first. */
    void write(long value, int bits) {
        if (bits < 1 || bits > 64) {
            throw new IllegalArgumentException("bits must be 1..64, got " + bits);
        }
        ensureCapacity(bitLength + bits);
        for (int remaining = bits; remaining > 0; ) {
            int byteIndex = (int) (bitLength >>> 3);
            int freeInByte = 8 - (int) (bitLength & 7);
            int take = Math.min(freeInByte, remaining);
            int chunk = (int) ((value >>> (remaining - take)) & ((1L << take) - 1));
            bytes[byteIndex] |= (byte) (chunk << (freeInByte - take));
            bitLength += take;
            remaining -= take;
        }
    }

    void writeBit(boolean bit) {
        write(bit ? 1 : 0, 1);
    }

    long bitLength() {
        return bitLength;
    }

    /** A copy of the written bytes; the last byte's unused low bits are zero. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, (int) ((bitLength + 7) >>> 3));
    }

    /** Bytes held, including room not yet written: what this writer costs in memory. */
    int capacity() {
        return bytes.length;
    }

    private void ensureCapacity(long bits) {
        long needed = (bits + 7) >>> 3;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.max(needed, bytes.length * 3L / 2 + 1));
        }
    }
}
