package io.herd.cli;

import io.herd.client.HerdClient;
import picocli.CommandLine.Option;

/** The options of every command that talks to the servers. */
final class ClientOptions {
    static final String DEFAULT_ADDRESS = "127.0.0.1:7700";

    @Option(
            names = {"-a", "--address"},
            paramLabel = "HOST:PORT[,...]",
            defaultValue = "${env:HERD_ADDR:-" + DEFAULT_ADDRESS + "}",
            description = "Server addresses, comma-separated (default: $HERD_ADDR or " + DEFAULT_ADDRESS + ").")
    String address;

    HerdClient client() {
        return HerdClient.of(address == null || address.isBlank() ? DEFAULT_ADDRESS : address);
    }
}
