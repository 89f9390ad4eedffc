package io.herd.api.wire;

/**
 * The body of {@code POST /v1/nodes/{id}/drain}: start a drain (or change its deadline) with {@code deadline}, a
 * duration such as {@code 10m} (default 1h), or cancel the drain in progress with {@code cancel: true}.
 */
public record NodeDrainRequest(String deadline, Boolean cancel) {}
