package io.herd.api;

/** A plan's request that an instance stop, and why (e.g. {@code job stopped}, {@code replaced by new version}). */
public record InstanceStop(String instanceId, String reason) {}
