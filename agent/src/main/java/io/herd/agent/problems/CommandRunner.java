package io.herd.agent.problems;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a probe command with a time limit; tests give canned answers instead. */
public interface CommandRunner {
    /**
     * @param hung true when the command did not finish within the limit (it was killed; exit code -1)
     */
    record Result(int exitCode, String output, boolean hung) {}

    /** Empty when the command cannot be started (not installed). */
    Optional<Result> run(List<String> command);

    /** Runs real processes, stdout and stderr together, killed after {@code timeout}. */
    static CommandRunner system(Duration timeout) {
        return command -> {
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                return Optional.empty();
            }
            try {
                // Read on another thread: a chatty command must not block on a full pipe while we wait for it.
                var output = new java.util.concurrent.CompletableFuture<String>();
                Thread.ofVirtual().start(() -> {
                    try {
                        output.complete(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        output.complete("");
                    }
                });
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return Optional.of(new Result(-1, "", true));
                }
                return Optional.of(new Result(process.exitValue(), output.get(1, TimeUnit.SECONDS), false));
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                return Optional.of(new Result(-1, "", true));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return Optional.of(new Result(process.exitValue(), "", false));
            }
        };
    }
}
