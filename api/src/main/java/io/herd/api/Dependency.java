package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A job this job waits for before it places anything: {@code app/job} must be {@code healthy} (a service: every
 * instance running and ready) or {@code complete} (a batch job: every instance completed successfully).
 */
public record Dependency(String job, Condition condition) {
    public Dependency {
        requireNonNull(job, "job is null");
        condition = condition == null ? Condition.HEALTHY : condition;
    }

    public enum Condition {
        HEALTHY, COMPLETE;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Condition fromWireName(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    /** {@code app/db to be healthy}. */
    public String describe() {
        return job + " to be " + (condition == Condition.HEALTHY ? "healthy" : "complete");
    }
}
