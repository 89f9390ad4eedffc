package io.herd.agent.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** A TCP connection to {@code host:port} that opens within the timeout passes. */
public record TcpProbe(String host, int port) implements Probe {
    @Override
    public Result run(Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return Result.pass("connected to " + host + ":" + port);
        } catch (IOException e) {
            return Result.fail("connect to " + host + ":" + port + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }
}
