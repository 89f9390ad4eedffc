package io.herd.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * {@code id} names the volume's directory on its node: its {@link #key()} and a suffix unique to this volume, so
 * that a job purged and registered again under the same name never finds an old directory. Where the volume {@code name} of instance index {@code index} of a stateful group lives: recorded in the
 * replicated state when the first instance of that index is placed, so that every later instance of the index
 * goes to {@code nodeId} and the agent there keeps the directory until the job is purged.
 */
public record StickyVolume(
        String id,
        String app,
        String job,
        String group,
        int index,
        String name,
        long sizeBytes,
        String nodeId,
        String nodeName,
        Instant createTime) {
    public StickyVolume {
        requireNonNull(id, "id is null");
        requireNonNull(app, "app is null");
        requireNonNull(job, "job is null");
        requireNonNull(group, "group is null");
        requireNonNull(name, "name is null");
        requireNonNull(nodeId, "nodeId is null");
    }

    @JsonIgnore
    public String jobId() {
        return Job.id(app, job);
    }

    /** Unique in the cluster and safe as a directory name: {@code app/job/group/index/name} with '/' as '.'. */
    @JsonIgnore
    public String key() {
        return key(app, job, group, index, name);
    }

    public static String key(String app, String job, String group, int index, String name) {
        return app + "." + job + "." + group + "." + index + "." + name;
    }

    /** The instance slot the volume belongs to, e.g. {@code db.mysql[0]}. */
    @JsonIgnore
    public String slot() {
        return job + "." + group + "[" + index + "]";
    }
}
