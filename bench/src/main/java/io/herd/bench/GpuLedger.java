package io.herd.bench;

import io.herd.api.GpuDevice;
import io.herd.api.Instance;
import io.herd.api.Node;
import io.herd.api.Resources;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The milli-GPUs taken on each GPU device of one node, for the contenders that are not Herd (the reference
 * policies and Fenzo): Herd's scheduler keeps its own. Every contender gets the same device rule, so that the
 * figures compare how nodes are chosen: a share goes on the device of the right model it fills best (the fullest
 * that still fits, ties to the lowest index), whole GPUs take the lowest entirely free devices of the model.
 */
final class GpuLedger {
    private final Node node;
    private final long[] used;

    GpuLedger(Node node) {
        this.node = node;
        this.used = new long[node.gpus().size()];
    }

    /** The ledger of a node from the instances on it that hold resources. */
    static GpuLedger of(Node node, Collection<Instance> instances) {
        GpuLedger ledger = new GpuLedger(node);
        for (Instance instance : instances) {
            if (instance.holdsResources()) {
                ledger.take(instance.resources(), instance.gpuDevices());
            }
        }
        return ledger;
    }

    /** Whether the node has enough devices of the model for the request, whatever runs on it. */
    static boolean couldEverFit(Node node, Resources request) {
        if (request.gpuMillis() <= 0) {
            return true;
        }
        long matching = node.gpus().stream().filter(device -> matches(device, request)).count();
        return matching > 0 && matching >= request.wholeGpus();
    }

    /** The device indices for the request, or null when it does not fit now; empty for no GPU. */
    List<Integer> choose(Resources request) {
        if (request.gpuMillis() <= 0) {
            return List.of();
        }
        List<GpuDevice> gpus = node.gpus();
        if (request.isGpuShare()) {
            int best = -1;
            for (int position = 0; position < gpus.size(); position++) {
                if (Resources.GPU_MILLIS_PER_DEVICE - used[position] >= request.gpuMillis()
                        && matches(gpus.get(position), request) && (best < 0 || used[position] > used[best])) {
                    best = position;
                }
            }
            return best < 0 ? null : List.of(gpus.get(best).index());
        }
        List<Integer> chosen = new ArrayList<>();
        for (int position = 0; position < gpus.size() && chosen.size() < request.wholeGpus(); position++) {
            if (used[position] == 0 && matches(gpus.get(position), request)) {
                chosen.add(gpus.get(position).index());
            }
        }
        return chosen.size() == request.wholeGpus() ? chosen : null;
    }

    void take(Resources request, List<Integer> devices) {
        long perDevice = request.isGpuShare() ? request.gpuMillis() : Resources.GPU_MILLIS_PER_DEVICE;
        for (int index : devices) {
            for (int position = 0; position < used.length; position++) {
                if (node.gpus().get(position).index() == index) {
                    used[position] += perDevice;
                }
            }
        }
    }

    long usedMillis() {
        long total = 0;
        for (long device : used) {
            total += device;
        }
        return total;
    }

    /** Whether some device holds more than a whole GPU: an over-commitment. */
    boolean overCommitted() {
        for (long device : used) {
            if (device > Resources.GPU_MILLIS_PER_DEVICE) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(GpuDevice device, Resources request) {
        return request.gpuModel() == null || request.gpuModel().equalsIgnoreCase(device.model());
    }
}
