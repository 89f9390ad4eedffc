package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;

import java.util.List;

/** Turns an exception from starting a component into one readable line. */
final class Failures {
    private Failures() {}

    /** The message of the deepest cause that has one ({@code Address already in use}, not a wrapper's). */
    static String rootMessage(Throwable throwable) {
        String message = null;
        for (Throwable cause = throwable; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                message = cause.getMessage();
            } else if (message == null) {
                message = cause.getClass().getSimpleName();
            }
        }
        return message;
    }

    /** Wraps a start-up failure; a {@link HerdException} keeps its own code and details. */
    static HerdException cannotStart(String what, RuntimeException failure) {
        if (failure instanceof HerdException herd) {
            return new HerdException(herd.code(), "cannot start " + what + ": " + herd.getMessage(), herd.details(),
                    herd);
        }
        return new HerdException(ErrorCode.INTERNAL, "cannot start " + what + ": " + rootMessage(failure),
                List.of(), failure);
    }
}
