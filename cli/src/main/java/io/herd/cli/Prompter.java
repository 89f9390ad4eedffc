package io.herd.cli;

import java.io.Console;
import java.util.Optional;

/** Asks the person at the terminal a question; nobody is asked when standard input is not a terminal. */
interface Prompter {
    /**
     * The answer (empty text at end of input), or empty when there is no terminal to ask on, as when a script
     * or a test runs the command.
     */
    Optional<String> ask(String question);

    /** The process's terminal, when standard input and output are one. */
    static Prompter system() {
        return question -> {
            Console console = System.console();
            if (console == null || !console.isTerminal()) {
                return Optional.empty();
            }
            String answer = console.readLine("%s", question);
            return Optional.of(answer == null ? "" : answer);
        };
    }

    /** Whether an answer means yes: {@code y} or {@code yes}, in any case. */
    static boolean isYes(String answer) {
        String trimmed = answer.strip();
        return trimmed.equalsIgnoreCase("y") || trimmed.equalsIgnoreCase("yes");
    }
}
