package io.herd.api;

/** Every error Herd reports, typed once and mapped at the edges (HTTP status, CLI exit code). */
public enum ErrorCode {
    INVALID_JOB_SPEC(ErrorKind.USER_ERROR),
    INVALID_ARGUMENT(ErrorKind.USER_ERROR),
    UNSUPPORTED_MEDIA_TYPE(ErrorKind.USER_ERROR),
    JOB_NOT_FOUND(ErrorKind.NOT_FOUND),
    INSTANCE_NOT_FOUND(ErrorKind.NOT_FOUND),
    NODE_NOT_FOUND(ErrorKind.NOT_FOUND),
    TASK_NOT_FOUND(ErrorKind.NOT_FOUND),
    LOG_NOT_FOUND(ErrorKind.NOT_FOUND),
    ROUTE_NOT_FOUND(ErrorKind.NOT_FOUND),
    SUBSCRIPTION_NOT_FOUND(ErrorKind.NOT_FOUND),
    AMBIGUOUS_ID(ErrorKind.CONFLICT),
    CONFLICT(ErrorKind.CONFLICT),
    NO_LEADER(ErrorKind.UNAVAILABLE),
    UNAVAILABLE(ErrorKind.UNAVAILABLE),
    TIMEOUT(ErrorKind.UNAVAILABLE),
    INTERNAL(ErrorKind.INTERNAL);

    private final ErrorKind kind;

    ErrorCode(ErrorKind kind) {
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}
