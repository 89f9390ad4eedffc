package io.herd.agent.health;

import io.herd.api.Check;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class HealthMonitorTest {
    private static Check tcpCheck(int successThreshold, int failureThreshold, String onFailure) {
        return new Check(Check.TCP, null, null, List.of(), Duration.ofMillis(50), Duration.ofMillis(500),
                Duration.ZERO, successThreshold, failureThreshold, onFailure);
    }

    /** Records what the monitor says. */
    private static final class Recorder implements HealthMonitor.Listener {
        final List<Boolean> health = new CopyOnWriteArrayList<>();
        final List<String> restarts = new CopyOnWriteArrayList<>();

        @Override
        public void healthChanged(boolean healthy, String message) {
            health.add(healthy);
        }

        @Override
        public void restartRequested(String service, String message) {
            restarts.add(service);
        }
    }

    @Test
    void countThresholdsInARowAndFollowARealListener() throws IOException {
        ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = listening.getLocalPort();
        Recorder recorder = new Recorder();
        try (HealthMonitor monitor = new HealthMonitor("i1", List.of(new HealthMonitor.NamedCheck("web",
                tcpCheck(2, 3, Check.NONE), new TcpProbe("127.0.0.1", port))), () -> 1, recorder)) {
            monitor.start();
            await().atMost(Duration.ofSeconds(10)).until(monitor::healthy);
            assertThat(recorder.health).containsExactly(true);

            listening.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !monitor.healthy());
            assertThat(recorder.health).containsExactly(true, false);
            assertThat(recorder.restarts).as("readiness only: no restart").isEmpty();
        }
    }

    @Test
    void aLivenessCheckAsksForOneRestartPerRunOfTheTasks() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AtomicLong generation = new AtomicLong(1);
        Recorder recorder = new Recorder();
        try (HealthMonitor monitor = new HealthMonitor("i1", List.of(new HealthMonitor.NamedCheck("web",
                tcpCheck(1, 2, Check.RESTART), new TcpProbe("127.0.0.1", closedPort))), generation::get, recorder)) {
            monitor.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.restarts.size() == 1);
            // The same run keeps failing, but it was already asked to restart: no second request until it restarts.
            long failuresSeen = recorder.restarts.size();
            generation.set(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.restarts.size() == failuresSeen + 1);
            assertThat(recorder.health).doesNotContain(true);
        }
    }

    @Test
    void aReadinessCheckRetriesQuicklyUntilItFirstPassesThenKeepsItsInterval(@TempDir Path dir) throws Exception {
        // Each attempt appends a line; it passes once the task "listens" (the file ready exists).
        ExecProbe probe = new ExecProbe("/bin/sh", List.of("-c", "echo attempt >> attempts; test -f ready"),
                Map.of("PATH", "/usr/bin:/bin"), dir);
        Check slow = new Check(Check.EXEC, null, "/bin/sh", List.of(), Duration.ofMinutes(10), Duration.ofSeconds(5),
                Duration.ZERO, 1, 1, Check.NONE);
        Recorder recorder = new Recorder();
        try (HealthMonitor monitor = new HealthMonitor("i1", List.of(new HealthMonitor.NamedCheck("web", slow, probe)),
                () -> 1, recorder)) {
            monitor.start();
            Path attempts = dir.resolve("attempts");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(attempts));
            Files.createFile(dir.resolve("ready"));
            // With a 10-minute interval only the startup retries can see the task ready within seconds.
            await().atMost(Duration.ofSeconds(10)).until(monitor::healthy);
            long attemptsWhenHealthy = Files.readAllLines(attempts).size();
            assertThat(attemptsWhenHealthy).isGreaterThanOrEqualTo(2);
            // Once it passed, the check keeps its own interval: no more attempts for minutes.
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
                    .until(() -> Files.readAllLines(attempts).size() == attemptsWhenHealthy);
        }
    }

    @Test
    void checksWaitWhileTheTasksDoNotRun() throws Exception {
        AtomicLong generation = new AtomicLong(-1);
        Recorder recorder = new Recorder();
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                HealthMonitor monitor = new HealthMonitor("i1", List.of(new HealthMonitor.NamedCheck("web",
                        tcpCheck(1, 1, Check.NONE), new TcpProbe("127.0.0.1", listening.getLocalPort()))),
                        generation::get, recorder)) {
            monitor.start();
            generation.set(1);
            await().atMost(Duration.ofSeconds(10)).until(monitor::healthy);
            generation.set(-1);
            generation.set(2);
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.health.size() >= 3);
            assertThat(recorder.health).startsWith(true, false, true);
        }
    }

    @Test
    void checkStateTurnsOnlyAtItsThresholds() {
        CheckState state = new CheckState(2, 3);
        assertThat(state.record(true)).isEqualTo(CheckState.Verdict.NONE);
        assertThat(state.record(true)).isEqualTo(CheckState.Verdict.HEALTHY);
        assertThat(state.record(false)).isEqualTo(CheckState.Verdict.NONE);
        assertThat(state.record(true)).isEqualTo(CheckState.Verdict.NONE);
        assertThat(state.healthy()).isTrue();
        assertThat(state.record(false)).isEqualTo(CheckState.Verdict.NONE);
        assertThat(state.record(false)).isEqualTo(CheckState.Verdict.NONE);
        assertThat(state.record(false)).isEqualTo(CheckState.Verdict.UNHEALTHY);
        assertThat(state.healthy()).isFalse();
        assertThat(state.record(false)).as("reported once per streak").isEqualTo(CheckState.Verdict.NONE);
    }
}
