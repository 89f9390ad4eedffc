package io.herd.agent.driver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ShimTest {
    @TempDir
    Path directory;

    private Process run(Path shim, Path exitFile, String... command) throws Exception {
        List<String> arguments = new java.util.ArrayList<>(List.of("/bin/sh", shim.toString(), exitFile.toString(), "", "--"));
        arguments.addAll(List.of(command));
        return new ProcessBuilder(arguments).redirectErrorStream(true)
                .redirectOutput(directory.resolve("out").toFile()).start();
    }

    @Test
    void recordsTheCommandsExitStatusUnderItsOwnPid() throws Exception {
        Path shim = Shim.install(directory.resolve("bin"));
        Path exitFile = directory.resolve("exit");
        Process process = run(shim, exitFile, "/bin/sh", "-c", "exit 42");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(42);
        assertThat(Shim.readExitStatus(exitFile, process.pid())).contains(42);
        assertThat(Shim.readExitStatus(exitFile, process.pid() + 1)).isEmpty();
        assertThat(directory.resolve("exit.tmp")).doesNotExist();
    }

    @Test
    void forwardsTermAndKeepsWaitingUntilTheCommandEnds() throws Exception {
        Path shim = Shim.install(directory.resolve("bin"));
        Path exitFile = directory.resolve("exit");
        Path ready = directory.resolve("ready");
        Process process = run(shim, exitFile, "/bin/sh", "-c",
                "sleep 1000 & child=$!; trap 'kill $child; sleep 0.3; exit 9' TERM; touch " + ready + "; wait");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Files.exists(ready));
        process.destroy(); // SIGTERM to the shim only
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(9);
        assertThat(Shim.readExitStatus(exitFile, process.pid())).contains(9);
    }

    @Test
    void recordsADeathByTheForwardedSignal() throws Exception {
        // the TERM interrupts the shim's wait, so it waits again: the second answer, 143 as well, is the command's
        Path shim = Shim.install(directory.resolve("bin"));
        Path exitFile = directory.resolve("exit");
        Path ready = directory.resolve("ready");
        Process process = run(shim, exitFile, "/bin/sh", "-c", "touch " + ready + "; exec sleep 1000");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Files.exists(ready));
        process.destroy(); // SIGTERM to the shim only
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(Shim.readExitStatus(exitFile, process.pid())).contains(143);
    }

    @Test
    void reinstallingLeavesAnExecutableScript() throws Exception {
        Path first = Shim.install(directory);
        Path second = Shim.install(directory);
        assertThat(second).isEqualTo(first);
        assertThat(Files.isExecutable(second)).isTrue();
        assertThat(Files.readString(second)).isEqualTo(Shim.SCRIPT);
    }
}
