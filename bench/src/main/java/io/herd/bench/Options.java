package io.herd.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The flags of one benchmark run, {@code --name value} or {@code --name=value}. Every flag must be read by the
 * benchmark ({@link #requireAllUsed}), so that a typo fails loudly instead of silently running the default.
 */
final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> used = new LinkedHashMap<>();

    private Options() {}

    static Options parse(String[] args, int from) {
        Options options = new Options();
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new IllegalArgumentException("expected a flag such as --nodes 1000, got " + arg);
            }
            String name = arg.substring(2);
            String value;
            int equals = name.indexOf('=');
            if (equals >= 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            options.values.put(name, value);
        }
        return options;
    }

    Optional<String> string(String name) {
        String value = values.get(name);
        if (value != null) {
            used.put(name, value);
        }
        return Optional.ofNullable(value);
    }

    String string(String name, String defaultValue) {
        return string(name).orElse(defaultValue);
    }

    Optional<Integer> integer(String name) {
        return string(name).map(value -> parse(name, value, Integer::parseInt));
    }

    int integer(String name, int defaultValue) {
        return integer(name).orElse(defaultValue);
    }

    long longValue(String name, long defaultValue) {
        return string(name).map(value -> parse(name, value, Long::parseLong)).orElse(defaultValue);
    }

    double doubleValue(String name, double defaultValue) {
        return string(name).map(value -> parse(name, value, Double::parseDouble)).orElse(defaultValue);
    }

    boolean flag(String name, boolean defaultValue) {
        return string(name).map(value -> switch (value) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("--" + name + " takes true or false, got " + value);
        }).orElse(defaultValue);
    }

    void requireAllUsed() {
        for (String name : values.keySet()) {
            if (!used.containsKey(name)) {
                throw new IllegalArgumentException("unknown flag --" + name);
            }
        }
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T parse(String name, String value, Parser<T> parser) {
        try {
            return parser.parse(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " takes a number, got " + value);
        }
    }
}
