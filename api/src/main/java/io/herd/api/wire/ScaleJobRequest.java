package io.herd.api.wire;

/** Body of {@code POST /v1/jobs/{app}/{job}/scale}: the group and its new count. */
public record ScaleJobRequest(String group, Integer count) {}
