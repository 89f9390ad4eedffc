package io.herd.agent;

import io.herd.api.ErrorCode;
import io.herd.api.Group;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.Job;
import io.herd.api.StickyVolume;
import io.herd.client.HerdClient;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads an instance's spec from its job on the servers: the exact version the instance was placed with
 * ({@code GET /v1/jobs/{app}/{job}/versions/{version}}), cached per job and version since versions never change.
 */
public final class ServerInstanceSpecs implements InstanceSpecSource {
    private final HerdClient client;
    /** "job id@version" → that version of the job. */
    private final Map<String, Job> cache = new ConcurrentHashMap<>();

    public ServerInstanceSpecs(HerdClient client) {
        this.client = client;
    }

    @Override
    public InstanceSpec specFor(Instance instance) {
        Job job = cache.computeIfAbsent(instance.jobId() + "@" + instance.jobVersion(),
                key -> client.jobVersion(instance.jobId(), instance.jobVersion()));
        Group group = job.group(instance.group()).orElseThrow(() -> new HerdException(ErrorCode.JOB_NOT_FOUND,
                "version " + job.version() + " of job " + instance.jobId() + " has no group " + instance.group()));
        if (!group.isStateful()) {
            return new InstanceSpec(job.type(), group);
        }
        // The server records the volumes in the same plan that places the instance, so they are there by now.
        Map<String, String> volumeIds = new java.util.TreeMap<>();
        for (StickyVolume volume : client.nodeVolumes(instance.nodeId())) {
            if (volume.jobId().equals(instance.jobId()) && volume.group().equals(instance.group())
                    && volume.index() == instance.index()) {
                volumeIds.put(volume.name(), volume.id());
            }
        }
        for (io.herd.api.Volume volume : group.volumes()) {
            if (!volumeIds.containsKey(volume.name())) {
                throw new HerdException(ErrorCode.UNAVAILABLE, "volume " + volume.name() + " of " + instance.name()
                        + " is not recorded on this node yet");
            }
        }
        return new InstanceSpec(job.type(), group, volumeIds);
    }
}
