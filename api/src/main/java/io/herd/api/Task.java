package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * One process inside an instance. {@code config} is driver-specific; for {@code exec} it has {@code command}
 * (a string) and {@code args} (a list of strings).
 */
public record Task(
        String name,
        String driver,
        Map<String, Object> config,
        Map<String, String> env,
        Resources resources,
        List<String> ports,
        Duration killTimeout) {
    public static final Duration DEFAULT_KILL_TIMEOUT = Duration.ofSeconds(5);

    public Task {
        requireNonNull(name, "name is null");
        requireNonNull(driver, "driver is null");
        config = config == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
        env = env == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(env));
        resources = resources == null ? Resources.ZERO : resources;
        ports = ports == null ? List.of() : List.copyOf(ports);
        killTimeout = killTimeout == null ? DEFAULT_KILL_TIMEOUT : killTimeout;
    }

    @JsonIgnore
    public Optional<String> command() {
        return config.get("command") instanceof String command ? Optional.of(command) : Optional.empty();
    }

    @JsonIgnore
    public List<String> args() {
        if (config.get("args") instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
