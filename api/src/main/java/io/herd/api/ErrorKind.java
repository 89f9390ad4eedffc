package io.herd.api;

/** The broad class of an error; the edges map it to an HTTP status or a CLI exit code. */
public enum ErrorKind {
    USER_ERROR(400, 2),
    NOT_FOUND(404, 3),
    CONFLICT(409, 4),
    UNAVAILABLE(503, 5),
    INTERNAL(500, 1);

    private final int httpStatus;
    private final int exitCode;

    ErrorKind(int httpStatus, int exitCode) {
        this.httpStatus = httpStatus;
        this.exitCode = exitCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int exitCode() {
        return exitCode;
    }
}
