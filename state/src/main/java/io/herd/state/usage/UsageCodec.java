package io.herd.state.usage;

/**
 * The bit-level encoding of usage samples, in the spirit of Facebook's Gorilla: each number is the difference to
 * what was expected (for times the delta of deltas, for values the delta to the previous value), zigzag-mapped
 * to an unsigned number and written in the narrowest of a few fixed widths, announced by a unary prefix
 * ({@code 0}, {@code 10}, {@code 110}, ...). Regular 10 s samples cost one bit of time each; a steady value one
 * bit; noisy cpu and memory a byte or two.
 *
 * <p>The widths are part of the stored format (snapshots hold encoded blocks): never change them, add a new
 * format instead.
 */
final class UsageCodec {
    /** Widths for the delta of deltas of times in seconds: jitter of a second or two is the common case. */
    static final int[] TIME_WIDTHS = {0, 4, 8, 16, 64};
    /** Widths for value deltas (millicores, 4 KiB pages). */
    static final int[] VALUE_WIDTHS = {0, 6, 10, 16, 24, 64};

    private UsageCodec() {}

    static long zigzag(long value) {
        return (value << 1) ^ (value >> 63);
    }

    static long unzigzag(long value) {
        return (value >>> 1) ^ -(value & 1);
    }

    /** Writes {@code value} in the narrowest width of {@code widths} that holds its zigzag form. */
    static void write(BitWriter out, long value, int[] widths) {
        long unsigned = zigzag(value);
        int last = widths.length - 1;
        for (int bucket = 0; bucket <= last; bucket++) {
            int width = widths[bucket];
            if (width == 64 || unsigned >>> width == 0) {
                if (bucket > 0) {
                    out.write((1L << bucket) - 1, bucket); // bucket ones
                }
                if (bucket < last) {
                    out.writeBit(false);
                }
                if (width > 0) {
                    out.write(unsigned, width);
                }
                return;
            }
        }
        throw new IllegalStateException("the last width must be 64");
    }

    static long read(BitReader in, int[] widths) {
        int last = widths.length - 1;
        int bucket = 0;
        while (bucket < last && in.readBit()) {
            bucket++;
        }
        int width = widths[bucket];
        return width == 0 ? 0 : unzigzag(in.read(width));
    }
}
