package io.herd.state;

import io.herd.state.usage.UsageReading;

import java.time.Instant;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * The usage samples agents reported since the last such command, gathered by the leader (one command every few
 * seconds however many agents report) and appended to the replicated {@link io.herd.state.usage.UsageHistory}.
 * Each reading carries its series' labels and its time, both chosen by the leader when the agent's report arrived,
 * so apply needs nothing else; apply also drops history older than the retention, counted back from {@code time}.
 */
public record RecordUsage(List<UsageReading> readings, Instant time) implements Command {
    public RecordUsage {
        requireNonNull(time, "time is null");
        readings = readings == null ? List.of() : List.copyOf(readings);
    }
}
