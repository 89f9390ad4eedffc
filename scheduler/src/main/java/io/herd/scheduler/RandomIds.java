package io.herd.scheduler;

import java.util.UUID;
import java.util.random.RandomGenerator;

/** Random (version 4) UUIDs drawn from a given generator, so that a seeded run always names things the same. */
final class RandomIds {
    private RandomIds() {}

    static String uuid(RandomGenerator random) {
        long mostSignificant = random.nextLong();
        long leastSignificant = random.nextLong();
        mostSignificant = (mostSignificant & ~0xF000L) | 0x4000L;
        leastSignificant = (leastSignificant & ~(0x3L << 62)) | (0x2L << 62);
        return new UUID(mostSignificant, leastSignificant).toString();
    }
}
