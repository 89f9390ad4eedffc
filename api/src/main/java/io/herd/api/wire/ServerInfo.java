package io.herd.api.wire;

/** One control-plane replica. */
public record ServerInfo(String id, String raftAddress, String httpAddress, boolean leader) {}
