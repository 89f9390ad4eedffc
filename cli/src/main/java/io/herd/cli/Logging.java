package io.herd.cli;

import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logging of the long-running commands. Herd logs through SLF4J and Logback ({@code logback.xml}); the gRPC that
 * Ratis shades in logs through {@code java.util.logging}, which is not bridged, so its INFO chatter is silenced
 * here unless {@code HERD_LOG_LEVEL} asks for debugging.
 */
final class Logging {
    static final String LEVEL_ENV = "HERD_LOG_LEVEL";
    private static final Set<String> DEBUG_LEVELS = Set.of("debug", "trace", "all");

    private Logging() {}

    static void configureForDaemons() {
        String level = System.getenv(LEVEL_ENV);
        boolean debugging = level != null && DEBUG_LEVELS.contains(level.toLowerCase(Locale.ROOT));
        Logger.getLogger("").setLevel(debugging ? Level.FINE : Level.WARNING);
    }
}
