package io.herd.api;

/** A named service an instance offers on one of its ports, with an optional health check. */
public record Service(String name, String port, Check check) {}
