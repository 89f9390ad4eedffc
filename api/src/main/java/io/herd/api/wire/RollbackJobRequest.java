package io.herd.api.wire;

/**
 * Body of {@code POST /v1/jobs/{app}/{job}/rollback}: the kept version whose spec to submit again as a new version;
 * null (or an empty body) means the version before the current one.
 */
public record RollbackJobRequest(Long toVersion) {}
