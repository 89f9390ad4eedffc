package io.herd.state.usage;

import java.util.List;

/**
 * The usage history part of a snapshot: every series with its blocks as base64, oldest first; the last block of a
 * series is its open one ({@code open} true) when it has samples not yet sealed into a full block.
 */
public record UsageData(List<SeriesData> series) {
    public UsageData {
        series = series == null ? List.of() : List.copyOf(series);
    }

    public static UsageData empty() {
        return new UsageData(List.of());
    }

    public record SeriesData(UsageSource source, List<BlockData> blocks) {
        public SeriesData {
            blocks = blocks == null ? List.of() : List.copyOf(blocks);
        }
    }

    /** @param data the encoded samples (see {@link UsageBlockWriter}) as base64 */
    public record BlockData(long firstTime, long lastTime, int count, String data, boolean open) {}
}
