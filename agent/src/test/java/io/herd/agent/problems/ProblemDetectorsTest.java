package io.herd.agent.problems;

import io.herd.api.ConditionStatus;
import io.herd.api.NodeCondition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Each detector on fake {@code /proc}-style files written in a temporary directory, or on canned probe answers. */
class ProblemDetectorsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path proc;

    private void write(String relative, String content) throws IOException {
        Path file = proc.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Canned answers by the command's first word; a missing entry is a command that is not installed. */
    private static CommandRunner answers(Map<String, CommandRunner.Result> byCommand) {
        return command -> Optional.ofNullable(byCommand.get(Path.of(command.getFirst()).getFileName().toString()));
    }

    @Test
    void memoryPressureFromMemAvailable() throws IOException {
        write("meminfo", "MemTotal:       1000000 kB\nMemFree:          10000 kB\nMemAvailable:     40000 kB\n");
        ProblemDetector.Verdict verdict = new MemoryPressureDetector(proc, 95).check(T0);
        assertThat(verdict.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(verdict.reason()).isEqualTo("MemoryLow");
        assertThat(verdict.message()).startsWith("96% of memory in use");

        write("meminfo", "MemTotal:       1000000 kB\nMemAvailable:    500000 kB\n");
        assertThat(new MemoryPressureDetector(proc, 95).check(T0).status()).isEqualTo(ConditionStatus.FALSE);

        Files.delete(proc.resolve("meminfo"));
        assertThat(new MemoryPressureDetector(proc, 95).check(T0).status()).isEqualTo(ConditionStatus.UNKNOWN);
    }

    @Test
    void pidPressureAgainstTheSmallerOfPidMaxAndThreadsMax() throws IOException {
        write("sys/kernel/pid_max", "32768\n");
        write("sys/kernel/threads-max", "1000\n");
        write("loadavg", "0.50 0.40 0.30 3/950 12345\n");
        ProblemDetector.Verdict verdict = new PidPressureDetector(proc, 90).check(T0);
        assertThat(verdict.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(verdict.message()).startsWith("950 of 1000 pids in use (95%)");

        write("loadavg", "0.50 0.40 0.30 3/299 12345\n");
        assertThat(new PidPressureDetector(proc, 90).check(T0).status()).isEqualTo(ConditionStatus.FALSE);
        write("loadavg", "garbage\n");
        assertThat(new PidPressureDetector(proc, 90).check(T0).status()).isEqualTo(ConditionStatus.UNKNOWN);
    }

    @Test
    void fileDescriptorPressureFromFileNr() throws IOException {
        write("sys/fs/file-nr", "9500\t100\t10000\n");
        ProblemDetector.Verdict verdict = new FileDescriptorPressureDetector(proc, 90).check(T0);
        assertThat(verdict.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(verdict.message()).startsWith("9400 of 10000 file descriptors in use (94%)");

        write("sys/fs/file-nr", "1617\t0\t2466183\n");
        assertThat(new FileDescriptorPressureDetector(proc, 90).check(T0).status()).isEqualTo(ConditionStatus.FALSE);
        write("sys/fs/file-nr", "1617\n");
        assertThat(new FileDescriptorPressureDetector(proc, 90).check(T0).status()).isEqualTo(ConditionStatus.UNKNOWN);
    }

    @Test
    void kernelOomKillsCountFromTheFirstReadingAndClearAfterTheWindow() throws IOException {
        write("vmstat", "nr_free_pages 1000\noom_kill 97\npgfault 5\n");
        KernelOomKillDetector detector = new KernelOomKillDetector(proc, Duration.ofMinutes(10));
        assertThat(detector.check(T0).status()).as("kills before the agent started").isEqualTo(ConditionStatus.FALSE);

        write("vmstat", "nr_free_pages 1000\noom_kill 99\npgfault 5\n");
        ProblemDetector.Verdict killed = detector.check(T0.plusSeconds(10));
        assertThat(killed.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(killed.message()).startsWith("the kernel killed 2 processes");
        assertThat(detector.check(T0.plusSeconds(300)).status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(detector.check(T0.plusSeconds(611)).status()).isEqualTo(ConditionStatus.FALSE);

        write("vmstat", "nr_free_pages 1000\n");
        assertThat(detector.check(T0.plusSeconds(700)).status()).isEqualTo(ConditionStatus.UNKNOWN);
    }

    @Test
    void diskAndInodePressureOnTheDataDirectorysFilesystem() {
        FilesystemProbe nearlyFull = (directory, inodes) -> Optional.of(new FilesystemProbe.Usage(1000, 50, 100, 5));
        ProblemDetector.Verdict disk = FilesystemPressureDetector.disk(proc, nearlyFull, 90).check(T0);
        assertThat(disk.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(disk.reason()).isEqualTo("DiskLow");
        assertThat(FilesystemPressureDetector.inodes(proc, nearlyFull, 90).check(T0).status())
                .isEqualTo(ConditionStatus.TRUE);

        FilesystemProbe roomy = (directory, inodes) -> Optional.of(new FilesystemProbe.Usage(1000, 500, 0, 0));
        assertThat(FilesystemPressureDetector.disk(proc, roomy, 90).check(T0).status()).isEqualTo(ConditionStatus.FALSE);
        assertThat(FilesystemPressureDetector.inodes(proc, roomy, 90).check(T0).reason()).isEqualTo("InodesNotCounted");
        assertThat(FilesystemPressureDetector.disk(proc, (directory, inodes) -> Optional.empty(), 90).check(T0).status())
                .isEqualTo(ConditionStatus.UNKNOWN);
    }

    @Test
    void theRealProcIsReadWhole() {
        // /proc/sys files report a size that is not their content's; a short read once made pid_max "3".
        assertThat(ProcFiles.number(Path.of("/proc/sys/kernel/pid_max")).orElseThrow()).isGreaterThan(300);
        assertThat(new FileDescriptorPressureDetector(Path.of("/proc"), 90).check(T0).status())
                .isNotEqualTo(ConditionStatus.UNKNOWN);
        ProblemDetector.Verdict pids = new PidPressureDetector(Path.of("/proc"), 90).check(T0);
        assertThat(pids.status()).as(pids.message()).isNotEqualTo(ConditionStatus.UNKNOWN);
        assertThat(pids.message()).doesNotContain(" of 1 ");
    }

    @Test
    void theRealFilesystemProbeReadsThisMachine() {
        Optional<FilesystemProbe.Usage> usage = FilesystemProbe.system(CommandRunner.system(Duration.ofSeconds(10)))
                .usage(proc, true);
        assertThat(usage).hasValueSatisfying(found -> {
            assertThat(found.totalBytes()).isPositive();
            assertThat(found.availableBytes()).isBetween(0L, found.totalBytes());
        });
    }

    @Test
    void clockAsTheFirstToolThatAnswersSays() throws IOException {
        Path flag = proc.resolve("timesync/synchronized");
        CommandRunner.Result yes = new CommandRunner.Result(0, "yes\n", false);
        CommandRunner.Result no = new CommandRunner.Result(0, "no\n", false);
        assertThat(new ClockSyncDetector(flag, answers(Map.of("timedatectl", no))).check(T0).status())
                .isEqualTo(ConditionStatus.TRUE);
        assertThat(new ClockSyncDetector(flag, answers(Map.of("timedatectl", yes))).check(T0).status())
                .isEqualTo(ConditionStatus.FALSE);

        // No systemd (timedatectl fails): chrony decides.
        Map<String, CommandRunner.Result> chrony = new HashMap<>();
        chrony.put("timedatectl", new CommandRunner.Result(1, "System has not been booted with systemd", false));
        chrony.put("chronyc", new CommandRunner.Result(0, "Reference ID    : 00000000 ()\nLeap status     : Not synchronised\n", false));
        ProblemDetector.Verdict unsynchronized = new ClockSyncDetector(flag, answers(chrony)).check(T0);
        assertThat(unsynchronized.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(unsynchronized.reason()).isEqualTo("ChronyNotSynchronized");

        // ntpstat's exit code; then nothing that can tell, or a tool that hangs: unknown, not a guess.
        assertThat(new ClockSyncDetector(flag, answers(Map.of("ntpstat", new CommandRunner.Result(1, "", false))))
                .check(T0).status()).isEqualTo(ConditionStatus.TRUE);
        ProblemDetector.Verdict unknown = new ClockSyncDetector(flag, answers(Map.of("timedatectl",
                new CommandRunner.Result(-1, "", true)))).check(T0);
        assertThat(unknown.status()).isEqualTo(ConditionStatus.UNKNOWN);
        assertThat(unknown.message()).contains("nothing on this node can tell");

        write("timesync/synchronized", "");
        assertThat(new ClockSyncDetector(flag, answers(Map.of("timedatectl", no))).check(T0).status())
                .isEqualTo(ConditionStatus.FALSE);
    }

    @Test
    void aMissingFailingOrHangingDriverIsUnavailableAndMissingTiniIsDegraded() {
        CommandRunner fine = answers(Map.of("setsid", new CommandRunner.Result(0, "setsid 2.38", false),
                "tini", new CommandRunner.Result(0, "tini 0.19", false)));
        Map<String, List<String>> probes = Map.of("exec", List.of("/usr/bin/setsid", "--version"));
        assertThat(DriverDetector.unavailable(Set.of("exec"), Set.of("exec"), probes, fine).check(T0).status())
                .isEqualTo(ConditionStatus.FALSE);

        ProblemDetector.Verdict missing = DriverDetector.unavailable(Set.of("exec"), Set.of(), Map.of(), fine).check(T0);
        assertThat(missing.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(missing.reason()).isEqualTo("DriverMissing");

        CommandRunner hanging = answers(Map.of("setsid", new CommandRunner.Result(-1, "", true)));
        ProblemDetector.Verdict hung = DriverDetector.unavailable(Set.of("exec"), Set.of("exec"), probes, hanging)
                .check(T0);
        assertThat(hung.reason()).isEqualTo("DriverHung");
        assertThat(hung.message()).contains("hangs");
        CommandRunner failing = answers(Map.of("setsid", new CommandRunner.Result(127, "", false)));
        assertThat(DriverDetector.unavailable(Set.of("exec"), Set.of("exec"), probes, failing).check(T0).reason())
                .isEqualTo("DriverFailing");

        ProblemDetector.Verdict noTini = DriverDetector.degraded(Optional.empty(), fine).check(T0);
        assertThat(noTini.status()).isEqualTo(ConditionStatus.TRUE);
        assertThat(noTini.reason()).isEqualTo("TiniMissing");
        assertThat(DriverDetector.degraded(Optional.of(Path.of("/usr/bin/tini")), fine).check(T0).status())
                .isEqualTo(ConditionStatus.FALSE);
    }

    @Test
    void theRealCommandRunnerReportsMissingFailingAndHangingCommands() {
        CommandRunner runner = CommandRunner.system(Duration.ofMillis(500));
        assertThat(runner.run(List.of("/nonexistent/herd-probe"))).isEmpty();
        assertThat(runner.run(List.of("/bin/sh", "-c", "echo hi; exit 3"))).hasValueSatisfying(result -> {
            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.output()).isEqualTo("hi\n");
            assertThat(result.hung()).isFalse();
        });
        assertThat(runner.run(List.of("/bin/sleep", "30"))).hasValueSatisfying(result ->
                assertThat(result.hung()).isTrue());
    }

    @Test
    void conditionsAreSentOnlyWhenAStatusOrReasonChanged() throws IOException {
        write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 500 kB\n");
        io.herd.testkit.FakeClock clock = new io.herd.testkit.FakeClock();
        NodeProblemDetection detection = new NodeProblemDetection(List.of(new MemoryPressureDetector(proc, 95)),
                clock, Duration.ofSeconds(10));
        detection.checkNow();
        List<NodeCondition> first = detection.unsent().orElseThrow();
        assertThat(first).singleElement().satisfies(condition -> {
            assertThat(condition.type()).isEqualTo(NodeCondition.MEMORY_PRESSURE);
            assertThat(condition.status()).isEqualTo(ConditionStatus.FALSE);
            assertThat(condition.since()).isEqualTo(clock.instant());
        });
        detection.acknowledged(first);

        // Another usage figure, the same verdict: nothing to send.
        write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 400 kB\n");
        clock.advance(Duration.ofSeconds(10));
        detection.checkNow();
        assertThat(detection.unsent()).isEmpty();

        write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 10 kB\n");
        clock.advance(Duration.ofSeconds(10));
        detection.checkNow();
        assertThat(detection.unsent()).hasValueSatisfying(conditions -> assertThat(conditions).singleElement()
                .satisfies(condition -> {
                    assertThat(condition.isTrue()).isTrue();
                    assertThat(condition.since()).isEqualTo(clock.instant());
                }));
        detection.acknowledged(detection.unsent().orElseThrow());
        assertThat(detection.unsent()).isEmpty();
        detection.resend();
        assertThat(detection.unsent()).isPresent();
    }

    @Test
    void detectorsThatStartAProcessRunAtMostOnceAMinute() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        CommandRunner counting = command -> {
            runs.incrementAndGet();
            return Optional.empty();
        };
        io.herd.testkit.FakeClock clock = new io.herd.testkit.FakeClock();
        NodeProblemDetection detection = new NodeProblemDetection(List.of(new ClockSyncDetector(proc.resolve("x"),
                counting)), clock, Duration.ofSeconds(10));
        detection.checkNow();
        int perCheck = runs.get();
        assertThat(perCheck).as("timedatectl, chronyc, ntpstat").isEqualTo(3);
        clock.advance(Duration.ofSeconds(10));
        detection.checkNow();
        assertThat(runs.get()).isEqualTo(perCheck);
        clock.advance(Duration.ofSeconds(50));
        detection.checkNow();
        assertThat(runs.get()).isEqualTo(2 * perCheck);
        assertThat(detection.conditions()).singleElement().satisfies(condition ->
                assertThat(condition.status()).isEqualTo(ConditionStatus.UNKNOWN));
    }
}
