package io.herd.api;

import static java.util.Objects.requireNonNull;

/** One problem with an input, located by a path such as {@code groups[0].tasks[1].resources.memory}. */
public record ErrorDetail(String path, String message) {
    public ErrorDetail {
        requireNonNull(path, "path is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
