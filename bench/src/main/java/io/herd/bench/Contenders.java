package io.herd.bench;

import java.util.ArrayList;
import java.util.List;

/** The contenders named by {@code --policies}: {@code herd}, {@code fenzo} and the reference policies. */
final class Contenders {
    static final String ALL = "herd,fenzo,first_fit,random_fit,best_fit,worst_fit,dot_product";

    private Contenders() {}

    /**
     * Reads {@code --workers} (Herd's and the reference policies'), {@code --sampling} (Herd's node sampling) and
     * {@code --fenzo-good-enough} too.
     */
    static List<Contender> parse(String names, Options options) {
        int workers = options.integer("workers", 1);
        boolean sampling = options.flag("sampling", true);
        double goodEnough = options.doubleValue("fenzo-good-enough", 1.01);
        List<Contender> contenders = new ArrayList<>();
        for (String name : names.split(",")) {
            String trimmed = name.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            contenders.add(switch (trimmed) {
                case "herd" -> Contender.simulated(HerdPolicy.withSampling(sampling), workers);
                case "fenzo" -> Contender.fenzo(goodEnough);
                default -> Contender.simulated(ReferencePolicy.all().stream()
                        .filter(policy -> policy.name().equals(trimmed)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown policy " + trimmed + "; known: " + ALL)),
                        workers);
            });
        }
        if (contenders.isEmpty()) {
            throw new IllegalArgumentException("--policies names no policy; known: " + ALL);
        }
        return contenders;
    }
}
