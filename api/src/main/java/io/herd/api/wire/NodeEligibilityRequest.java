package io.herd.api.wire;

/** The body of {@code POST /v1/nodes/{id}/eligibility}: whether new instances may be placed on the node. */
public record NodeEligibilityRequest(Boolean eligible) {}
