package io.herd.agent.health;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every probe against real sockets and processes on this machine. */
class ProbesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int startHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server.getAddress().getPort();
    }

    /** A port nothing listens on: bound once, then released. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void httpPassesOn2xxAndFailsOnAnErrorStatusAClosedPortOrATimeout() throws Exception {
        int port = startHttpServer();
        var client = HttpProbe.newClient();

        assertThat(new HttpProbe(client, "127.0.0.1", port, "/healthz").run(TIMEOUT).passed()).isTrue();
        Probe.Result broken = new HttpProbe(client, "127.0.0.1", port, "/broken").run(TIMEOUT);
        assertThat(broken.passed()).isFalse();
        assertThat(broken.message()).contains("HTTP 503");
        assertThat(new HttpProbe(client, "127.0.0.1", port, "/missing").run(TIMEOUT).message()).contains("HTTP 404");
        assertThat(new HttpProbe(client, "127.0.0.1", freePort(), "/").run(TIMEOUT).passed()).isFalse();
        Probe.Result slow = new HttpProbe(client, "127.0.0.1", port, "/slow").run(Duration.ofMillis(300));
        assertThat(slow.passed()).isFalse();
        assertThat(slow.message()).contains("no answer within 300ms");
    }

    @Test
    void tcpPassesWhenSomethingListens() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            assertThat(new TcpProbe("127.0.0.1", listening.getLocalPort()).run(TIMEOUT).passed()).isTrue();
        }
        Probe.Result refused = new TcpProbe("127.0.0.1", freePort()).run(TIMEOUT);
        assertThat(refused.passed()).isFalse();
        assertThat(refused.message()).startsWith("connect to 127.0.0.1:");
    }

    @Test
    void execPassesOnExitZeroWithTheGivenEnvironmentAndKillsACommandPastItsTimeout(@TempDir Path dir)
            throws Exception {
        Path marker = dir.resolve("ready");
        Map<String, String> environment = Map.of("MARKER", marker.toString(), "PATH", "/usr/bin:/bin");
        ExecProbe test = new ExecProbe("/bin/sh", List.of("-c", "test -f \"$MARKER\""), environment, dir);

        assertThat(test.run(TIMEOUT).message()).isEqualTo("/bin/sh exited 1");
        Files.writeString(marker, "");
        assertThat(test.run(TIMEOUT).passed()).isTrue();

        long start = System.nanoTime();
        Probe.Result hung = new ExecProbe("/bin/sleep", List.of("30"), environment, dir).run(Duration.ofMillis(300));
        assertThat(hung.passed()).isFalse();
        assertThat(hung.message()).contains("did not finish within 300ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        assertThat(new ExecProbe(dir.resolve("missing").toString(), List.of(), environment, dir).run(TIMEOUT).message())
                .startsWith("cannot run");
    }
}
