package io.herd.state;

import static java.util.Objects.requireNonNull;

/** A control-plane server as it registered itself: its Raft peer address and its HTTP API address. */
public record ServerRecord(String id, String raftAddress, String httpAddress) {
    public ServerRecord {
        requireNonNull(id, "id is null");
    }
}
