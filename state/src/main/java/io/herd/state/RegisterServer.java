package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/** A control-plane server announces its addresses, so that every replica can name its peers. */
public record RegisterServer(String serverId, String raftAddress, String httpAddress, Instant time) implements Command {
    public RegisterServer {
        requireNonNull(serverId, "serverId is null");
        requireNonNull(time, "time is null");
    }
}
