package io.herd.api;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the units of the job spec, following Kubernetes: cpu as {@code 250m}, {@code 0.5}
 * or {@code 2}; sizes with binary ({@code Ki Mi Gi Ti}) or decimal ({@code K M G T}) suffixes; durations
 * as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1h30m}.
 */
public final class Quantities {
    private static final Pattern CPU = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)(m?)$");
    private static final Pattern SIZE = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)([KMGTP]i?|[kmgtp]|B)?$");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

    private Quantities() {}

    /** Millicores, or empty when the text is not a cpu quantity. */
    public static Optional<Long> parseCpu(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = CPU.matcher(text.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        BigDecimal millis = matcher.group(2).isEmpty() ? number.multiply(BigDecimal.valueOf(1000)) : number;
        try {
            return Optional.of(millis.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** Bytes, or empty when the text is not a size. */
    public static Optional<Long> parseSize(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        String suffix = matcher.group(2) == null ? "" : matcher.group(2);
        long multiplier = switch (suffix) {
            case "", "B" -> 1L;
            case "K", "k" -> 1000L;
            case "M", "m" -> 1000L * 1000;
            case "G", "g" -> 1000L * 1000 * 1000;
            case "T", "t" -> 1000L * 1000 * 1000 * 1000;
            case "P", "p" -> 1000L * 1000 * 1000 * 1000 * 1000;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "Pi" -> 1L << 50;
            default -> -1L;
        };
        if (multiplier < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(number.multiply(BigDecimal.valueOf(multiplier))
                    .setScale(0, java.math.RoundingMode.CEILING).longValueExact());
        } catch (ArithmeticException e) {
            return Optional.empty();
        }
    }

    /** A duration such as {@code 10s} or {@code 1h30m}; ISO-8601 ({@code PT10S}) is accepted too. */
    public static Optional<Duration> parseDuration(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
            try {
                return Optional.of(Duration.parse(trimmed.toUpperCase(Locale.ROOT)));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        if (trimmed.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        Matcher matcher = DURATION_PART.matcher(trimmed);
        int position = 0;
        BigDecimal totalMillis = BigDecimal.ZERO;
        while (position < trimmed.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                return Optional.empty();
            }
            BigDecimal number = new BigDecimal(matcher.group(1));
            long unitMillis = switch (matcher.group(2)) {
                case "ms" -> 1L;
                case "s" -> 1000L;
                case "m" -> 60_000L;
                case "h" -> 3_600_000L;
                case "d" -> 86_400_000L;
                default -> throw new IllegalStateException("unreachable");
            };
            totalMillis = totalMillis.add(number.multiply(BigDecimal.valueOf(unitMillis)));
            position = matcher.end();
        }
        return Optional.of(Duration.ofMillis(totalMillis.longValue()));
    }

    public static String formatCpu(long millicores) {
        if (millicores % 1000 == 0) {
            return Long.toString(millicores / 1000);
        }
        return millicores + "m";
    }

    public static String formatSize(long bytes) {
        String[] suffixes = {"Ti", "Gi", "Mi", "Ki"};
        long[] multipliers = {1L << 40, 1L << 30, 1L << 20, 1L << 10};
        for (int i = 0; i < suffixes.length; i++) {
            if (bytes >= multipliers[i] && bytes % multipliers[i] == 0) {
                return (bytes / multipliers[i]) + suffixes[i];
            }
        }
        for (int i = 0; i < suffixes.length; i++) {
            if (bytes >= multipliers[i]) {
                return String.format(Locale.ROOT, "%.1f%s", (double) bytes / multipliers[i], suffixes[i]);
            }
        }
        return Long.toString(bytes);
    }

    public static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        if (millis < 0) {
            text.append('-');
            millis = -millis;
        }
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        long seconds = millis / 1000 % 60;
        long rest = millis % 1000;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (seconds > 0) {
            text.append(seconds).append('s');
        }
        if (rest > 0) {
            text.append(rest).append("ms");
        }
        return text.toString();
    }
}
