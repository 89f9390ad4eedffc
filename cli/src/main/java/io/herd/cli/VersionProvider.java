package io.herd.cli;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;

/** The version of this build, read from the jar's Maven metadata ({@code dev} when run from classes). */
final class VersionProvider implements IVersionProvider {
    private static final String POM_PROPERTIES = "/META-INF/maven/io.herd/herd-cli/pom.properties";

    static String herdVersion() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version", "dev");
            }
        } catch (IOException ignored) {
            // fall through: a missing version is not worth failing for
        }
        return "dev";
    }

    static String[] lines() {
        return new String[] {
                "herd " + herdVersion(),
                "java " + Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")",
                "os " + System.getProperty("os.name", "?").toLowerCase(Locale.ROOT) + " "
                        + System.getProperty("os.arch", "?"),
        };
    }

    @Override
    public String[] getVersion() {
        return lines();
    }
}
