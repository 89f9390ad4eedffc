package io.herd.api;

import static java.util.Objects.requireNonNull;

/**
 * A sticky local volume of a stateful group: each instance index of the group gets its own directory of this
 * name on the node it first runs on, which outlives the instance. A replacement of that index is placed on the
 * same node and finds the data there; the volume is deleted only when the job is purged. {@code sizeBytes} is
 * reserved on the node's disk for as long as the volume exists (not enforced as a quota on the directory).
 */
public record Volume(String name, long sizeBytes) {
    public Volume {
        requireNonNull(name, "name is null");
    }

    /** The environment variable holding the volume's path: {@code HERD_VOLUME_DATA} for a volume named data. */
    public String environmentVariable() {
        return "HERD_VOLUME_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }
}
