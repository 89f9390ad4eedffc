package io.herd.cli;

import picocli.CommandLine.Option;

/** {@code -o table|json}: tables for people, JSON (the API's own shapes) for scripts. */
final class OutputFormat {
    enum Format { TABLE, JSON }

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "Output format: table or json (default: table).")
    Format format = Format.TABLE;

    boolean json() {
        return format == Format.JSON;
    }
}
