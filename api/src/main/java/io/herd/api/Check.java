package io.herd.api;

import java.time.Duration;

/** A health check of a service: {@code http} (GET {@code path} on the service's port) or {@code tcp}. */
public record Check(String type, String path, Duration interval, Duration timeout) {}
