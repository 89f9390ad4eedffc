package io.herd.api.wire;

/** Answer to {@code POST /v1/jobs}. {@code changed} is false when the spec equals the current version. */
public record SubmitJobResponse(String jobId, long version, String evaluationId, boolean changed, long index) {}
