package io.herd.api;

import static java.util.Objects.requireNonNull;

/**
 * One GPU device of a node, as the agent found it ({@code nvidia-smi} or its {@code --gpus}/{@code --gpu-model}
 * flags). {@code index} is the device's index on the node, the number tasks see in {@code NVIDIA_VISIBLE_DEVICES};
 * each device has {@link Resources#GPU_MILLIS_PER_DEVICE} milli-GPUs to hand out.
 *
 * @param memoryBytes the device's memory, 0 when unknown
 */
public record GpuDevice(int index, String model, long memoryBytes) {
    public GpuDevice {
        requireNonNull(model, "model is null");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, got " + index);
        }
    }
}
