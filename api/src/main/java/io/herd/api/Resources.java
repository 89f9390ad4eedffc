package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Amounts of the resources Herd schedules: cpu in millicores, memory and disk in bytes, GPUs in milli-GPUs.
 *
 * <p>GPUs follow Alibaba's openb model: a GPU device is 1000 milli-GPUs. A request below 1000 is a share of ONE
 * device (it never spans two); a request of 1000 or more must be whole GPUs (a multiple of 1000) and takes that
 * many whole free devices. {@code gpuModel}, when set, restricts the devices to that model (e.g. {@code V100});
 * it is part of the request rather than a node constraint because one node may hold devices of several models.
 * Node capacities leave {@code gpuMillis} at 0: a node's GPUs are its {@link Node#gpus() devices}.
 */
public record Resources(long cpuMillis, long memoryBytes, long diskBytes,
        // Left out of JSON when 0, so that specs, diffs and stored state without GPUs read as before.
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) long gpuMillis, String gpuModel) {
    public static final Resources ZERO = new Resources(0, 0, 0);
    /** Milli-GPUs in one GPU device. */
    public static final long GPU_MILLIS_PER_DEVICE = 1000;

    public Resources(long cpuMillis, long memoryBytes, long diskBytes) {
        this(cpuMillis, memoryBytes, diskBytes, 0, null);
    }

    public Resources {
        gpuModel = gpuModel == null || gpuModel.isBlank() ? null : gpuModel;
    }

    public Resources withGpu(long newGpuMillis, String newGpuModel) {
        return new Resources(cpuMillis, memoryBytes, diskBytes, newGpuMillis, newGpuModel);
    }

    /** Sums the amounts; the GPU model is this one's, else the other's (validation keeps a group to one model). */
    public Resources plus(Resources other) {
        return new Resources(cpuMillis + other.cpuMillis, memoryBytes + other.memoryBytes, diskBytes + other.diskBytes,
                gpuMillis + other.gpuMillis, gpuModel != null ? gpuModel : other.gpuModel);
    }

    public Resources minus(Resources other) {
        return new Resources(cpuMillis - other.cpuMillis, memoryBytes - other.memoryBytes, diskBytes - other.diskBytes,
                gpuMillis - other.gpuMillis, gpuModel);
    }

    /** True when every amount of {@code this} is at most the matching amount of {@code capacity}. */
    public boolean fitsIn(Resources capacity) {
        return cpuMillis <= capacity.cpuMillis && memoryBytes <= capacity.memoryBytes && diskBytes <= capacity.diskBytes
                && gpuMillis <= capacity.gpuMillis;
    }

    @JsonIgnore
    public boolean isZero() {
        return cpuMillis == 0 && memoryBytes == 0 && diskBytes == 0 && gpuMillis == 0;
    }

    /** Whether the GPU request is a share of one device (below one whole GPU). */
    @JsonIgnore
    public boolean isGpuShare() {
        return gpuMillis > 0 && gpuMillis < GPU_MILLIS_PER_DEVICE;
    }

    /** Whole GPU devices asked for; 0 for a share or no GPU. */
    @JsonIgnore
    public int wholeGpus() {
        return gpuMillis >= GPU_MILLIS_PER_DEVICE ? (int) (gpuMillis / GPU_MILLIS_PER_DEVICE) : 0;
    }

    /** {@code 0.25}, {@code 2}: GPUs as a user writes them. */
    public static String formatGpu(long gpuMillis) {
        return gpuMillis % GPU_MILLIS_PER_DEVICE == 0 ? Long.toString(gpuMillis / GPU_MILLIS_PER_DEVICE)
                : java.math.BigDecimal.valueOf(gpuMillis, 3).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        String text = "cpu=" + Quantities.formatCpu(cpuMillis) + " memory=" + Quantities.formatSize(memoryBytes)
                + " disk=" + Quantities.formatSize(diskBytes);
        if (gpuMillis > 0) {
            text += " gpu=" + formatGpu(gpuMillis) + (gpuModel == null ? "" : " gpu_model=" + gpuModel);
        }
        return text;
    }
}
