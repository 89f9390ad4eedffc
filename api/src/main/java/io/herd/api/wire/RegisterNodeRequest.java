package io.herd.api.wire;

import io.herd.api.Node;

/** Sent by an agent at start and whenever a server forgot it. */
public record RegisterNodeRequest(Node node) {}
