package io.herd.api;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** The one exception type that crosses module boundaries; carries a typed code and every detail. */
public class HerdException extends RuntimeException {
    private final ErrorCode code;
    private final List<ErrorDetail> details;

    public HerdException(ErrorCode code, String message) {
        this(code, message, List.of(), null);
    }

    public HerdException(ErrorCode code, String message, List<ErrorDetail> details) {
        this(code, message, details, null);
    }

    public HerdException(ErrorCode code, String message, List<ErrorDetail> details, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
        this.details = List.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public List<ErrorDetail> details() {
        return details;
    }

    public ErrorResponse toResponse() {
        return new ErrorResponse(new ErrorResponse.Body(code.name(), getMessage(), details));
    }
}
