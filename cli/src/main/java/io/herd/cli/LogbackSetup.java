package io.herd.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

import java.net.URL;
import java.security.CodeSource;
import java.util.Map;

/**
 * Sets Logback up as Herd's {@code logback.xml} says, in code: reading the XML loads Logback's configuration
 * framework and an XML parser, some 400 classes (about 3 MiB of metadata in every process, which matters in an agent
 * that should stay under 96 MiB). It steps aside, so that Logback reads its files as usual, whenever a
 * {@code logback.xml} other than Herd's own comes first on the class path (the benchmarks bring one), a
 * {@code logback-test.xml} exists, or {@code -Dlogback.configurationFile} names one. Keep it and
 * {@code logback.xml} saying the same; {@code LogbackSetupTest} compares them.
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";
    /** Libraries that are chatty at INFO: their warnings still show. */
    static final Map<String, Level> LIBRARY_LEVELS = Map.of(
            "org.apache.ratis", Level.WARN,
            "org.eclipse.jetty", Level.WARN,
            "io.javalin", Level.WARN,
            "io.grpc", Level.WARN,
            "org.apache.ratis.thirdparty", Level.WARN,
            "io.netty", Level.WARN,
            // The server's Raft client logs every retried request as an ERROR while a leader is being elected.
            "org.apache.ratis.client.impl.OrderedAsync", Level.OFF);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (!herdsOwnXmlApplies()) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    static void apply(LoggerContext context) {
        context.getStatusManager().add(new NopStatusListener());

        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("io.herd").setLevel(Level.toLevel(herdLevel()));
        LIBRARY_LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }

    /** HERD_LOG_LEVEL as a system property or in the environment, as Logback's substitution looks it up. */
    private static String herdLevel() {
        String level = System.getProperty(Logging.LEVEL_ENV);
        if (level == null) {
            level = System.getenv(Logging.LEVEL_ENV);
        }
        return level == null ? "INFO" : level;
    }

    /** Whether Logback would configure itself from the {@code logback.xml} beside this class. */
    static boolean herdsOwnXmlApplies() {
        ClassLoader loader = LogbackSetup.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null) {
            return false;
        }
        URL xml = loader.getResource("logback.xml");
        CodeSource source = LogbackSetup.class.getProtectionDomain().getCodeSource();
        return xml != null && source != null && source.getLocation() != null
                && xml.toString().contains(source.getLocation().getPath());
    }
}
