package io.herd.api.wire;

import java.util.List;

/** Body of {@code POST /v1/jobs/{app}/{job}/restart}: the groups to restart; none (or an empty body) means all. */
public record RestartJobRequest(List<String> groups) {
    public RestartJobRequest {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
