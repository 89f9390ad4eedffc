package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** Amounts of the resources Herd schedules: cpu in millicores, memory and disk in bytes. */
public record Resources(long cpuMillis, long memoryBytes, long diskBytes) {
    public static final Resources ZERO = new Resources(0, 0, 0);

    public Resources plus(Resources other) {
        return new Resources(cpuMillis + other.cpuMillis, memoryBytes + other.memoryBytes, diskBytes + other.diskBytes);
    }

    public Resources minus(Resources other) {
        return new Resources(cpuMillis - other.cpuMillis, memoryBytes - other.memoryBytes, diskBytes - other.diskBytes);
    }

    /** True when every amount of {@code this} is at most the matching amount of {@code capacity}. */
    public boolean fitsIn(Resources capacity) {
        return cpuMillis <= capacity.cpuMillis && memoryBytes <= capacity.memoryBytes && diskBytes <= capacity.diskBytes;
    }

    @JsonIgnore
    public boolean isZero() {
        return cpuMillis == 0 && memoryBytes == 0 && diskBytes == 0;
    }

    @Override
    public String toString() {
        return "cpu=" + Quantities.formatCpu(cpuMillis) + " memory=" + Quantities.formatSize(memoryBytes)
                + " disk=" + Quantities.formatSize(diskBytes);
    }
}
