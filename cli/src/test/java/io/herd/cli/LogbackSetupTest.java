package io.herd.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The setup in code says what logback.xml says. */
class LogbackSetupTest {
    @Test
    void codeAndXmlGiveTheSameLevelsAndOutput() throws Exception {
        LoggerContext fromXml = new LoggerContext();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(fromXml);
        joran.doConfigure(LogbackSetup.class.getClassLoader().getResource("logback.xml"));
        LoggerContext fromCode = new LoggerContext();
        LogbackSetup.apply(fromCode);

        List<String> names = new ArrayList<>(LogbackSetup.LIBRARY_LEVELS.keySet());
        names.addAll(List.of(Logger.ROOT_LOGGER_NAME, "io.herd", "io.herd.agent.HerdAgent", "com.fasterxml.jackson",
                "org.apache.ratis.server.RaftServer", "org.eclipse.jetty.server.Server"));
        for (String name : names) {
            assertThat(fromCode.getLogger(name).getEffectiveLevel()).as(name)
                    .isEqualTo(fromXml.getLogger(name).getEffectiveLevel());
        }
        assertThat(pattern(fromCode)).isEqualTo(pattern(fromXml)).isEqualTo(LogbackSetup.PATTERN);
        assertThat(target(fromCode)).isEqualTo(target(fromXml)).isEqualTo("System.err");
    }

    @Test
    void itAppliesWhereHerdsOwnXmlWould() {
        // in this module the only logback.xml is Herd's own, beside the class
        assertThat(LogbackSetup.herdsOwnXmlApplies()).isTrue();
    }

    private static ConsoleAppender<ILoggingEvent> appender(LoggerContext context) {
        return (ConsoleAppender<ILoggingEvent>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    }

    private static String pattern(LoggerContext context) {
        return ((PatternLayoutEncoder) appender(context).getEncoder()).getPattern();
    }

    private static String target(LoggerContext context) {
        return appender(context).getTarget();
    }
}
