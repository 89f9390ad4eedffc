package io.herd.api;

/**
 * A named service an instance offers on one of its ports, with an optional health check. {@code metrics} says
 * the port serves Prometheus metrics on {@code /metrics}: the servers then list it for Prometheus
 * ({@code GET /v1/discovery/prometheus}) while the instance runs.
 */
public record Service(String name, String port, Check check, boolean metrics) {
    /** A service that serves no metrics. */
    public Service(String name, String port, Check check) {
        this(name, port, check, false);
    }
}
