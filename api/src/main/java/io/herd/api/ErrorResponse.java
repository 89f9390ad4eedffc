package io.herd.api;

import java.util.List;

/** The JSON body of every API error: {@code {"error":{"code","message","details"}}}. */
public record ErrorResponse(Body error) {
    public record Body(String code, String message, List<ErrorDetail> details) {
        public Body {
            details = details == null ? List.of() : List.copyOf(details);
        }
    }

    public HerdException toException() {
        ErrorCode code;
        try {
            code = ErrorCode.valueOf(error.code());
        } catch (IllegalArgumentException | NullPointerException e) {
            code = ErrorCode.INTERNAL;
        }
        return new HerdException(code, error.message(), error.details());
    }
}
