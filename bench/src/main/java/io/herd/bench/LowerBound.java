package io.herd.bench;

import io.herd.api.Resources;

import java.util.Collection;

/**
 * The fewest identical machines that could possibly hold a workload: for each resource, the total demand divided
 * by one machine's capacity, rounded up, and the largest of these (Borg's cell-compaction bound). No placement can
 * do better; a good one gets close.
 */
final class LowerBound {
    private LowerBound() {}

    static int machines(Collection<Resources> demands, Resources machine) {
        long cpu = 0;
        long memory = 0;
        long disk = 0;
        for (Resources demand : demands) {
            cpu = Math.addExact(cpu, demand.cpuMillis());
            memory = Math.addExact(memory, demand.memoryBytes());
            disk = Math.addExact(disk, demand.diskBytes());
        }
        return Math.max(ceilDiv("cpu", cpu, machine.cpuMillis()),
                Math.max(ceilDiv("memory", memory, machine.memoryBytes()), ceilDiv("disk", disk, machine.diskBytes())));
    }

    private static int ceilDiv(String resource, long demand, long capacity) {
        if (demand == 0) {
            return 0;
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("the workload needs " + resource + " but a machine has none");
        }
        return Math.toIntExact(Math.ceilDiv(demand, capacity));
    }
}
