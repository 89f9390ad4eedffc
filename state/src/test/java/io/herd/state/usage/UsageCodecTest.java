package io.herd.state.usage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageCodecTest {
    record Sample(long time, long cpu, long memory) {}

    @Provide
    Arbitrary<List<Sample>> series() {
        // increasing times with any gaps, values anywhere from steady to wild, including the extremes
        Arbitrary<Long> gap = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(9, 11)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 1L << 40)));
        Arbitrary<Long> value = Arbitraries.oneOf(Arbitraries.longs().between(0, 100),
                Arbitraries.longs().between(0, Long.MAX_VALUE / 4), Arbitraries.of(0L, Long.MAX_VALUE / 4));
        return Combinators.combine(gap, value, value).as(List::of).list().ofMinSize(1).ofMaxSize(500).map(rows -> {
            long time = 1_700_000_000L;
            List<Sample> samples = new java.util.ArrayList<>();
            for (List<Long> row : rows) {
                time += row.get(0);
                samples.add(new Sample(time, row.get(1), row.get(2)));
            }
            return samples;
        });
    }

    @Property(tries = 500)
    void everySampleDecodesAsWritten(@ForAll("series") List<Sample> samples) {
        UsageBlockWriter writer = new UsageBlockWriter();
        samples.forEach(sample -> writer.append(sample.time(), sample.cpu(), sample.memory()));
        UsageBlock block = writer.toBlock();

        UsageBlock.Samples decoded = block.decode();
        assertThat(block.count()).isEqualTo(samples.size());
        assertThat(block.firstTime()).isEqualTo(samples.getFirst().time());
        assertThat(block.lastTime()).isEqualTo(samples.getLast().time());
        for (int i = 0; i < samples.size(); i++) {
            assertThat(new Sample(decoded.times()[i], decoded.cpu()[i], decoded.memory()[i])).isEqualTo(samples.get(i));
        }
    }

    @Property(tries = 200)
    void zigzagAndEveryWidthRoundTrip(@ForAll long value, @ForAll @IntRange(min = 0, max = 1) int table) {
        int[] widths = table == 0 ? UsageCodec.TIME_WIDTHS : UsageCodec.VALUE_WIDTHS;
        BitWriter out = new BitWriter(1);
        out.write(1, 1); // misaligned on purpose
        UsageCodec.write(out, value, widths);
        UsageCodec.write(out, -value, widths);
        BitReader in = new BitReader(out.toByteArray());
        assertThat(in.read(1)).isEqualTo(1);
        assertThat(UsageCodec.read(in, widths)).isEqualTo(value);
        assertThat(UsageCodec.read(in, widths)).isEqualTo(-value);
    }

    @Test
    void aSteadySeriesAtTenSecondsCostsThreeBitsASample() {
        UsageBlockWriter writer = new UsageBlockWriter();
        for (int i = 0; i < 360; i++) {
            writer.append(1_700_000_000L + 10L * i, 250, 1000);
        }
        // 64 bits of first time, the first values in full, then 1 bit each for time, cpu and memory
        assertThat(writer.toBlock().bytes().length).isLessThan(64 / 8 + 8 + 360 * 3 / 8 + 2);
    }

    @Test
    void samplesMustGoForward() {
        UsageBlockWriter writer = new UsageBlockWriter();
        writer.append(100, 1, 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.append(100, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
