package io.herd.agent.health;

import java.time.Duration;

/** One attempt of a health check against a running instance. Implementations block for at most the timeout. */
public sealed interface Probe permits HttpProbe, TcpProbe, ExecProbe {
    /** The outcome of one attempt; {@code message} says why it failed (or what answered). */
    record Result(boolean passed, String message) {
        static Result pass(String message) {
            return new Result(true, message);
        }

        static Result fail(String message) {
            return new Result(false, message);
        }
    }

    Result run(Duration timeout) throws InterruptedException;
}
