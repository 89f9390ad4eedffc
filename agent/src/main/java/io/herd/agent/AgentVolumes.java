package io.herd.agent;

import io.herd.api.StickyVolume;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The sticky volumes on this node ({@code dataDir/volumes/<volume id>}): created by an {@link InstanceRunner} when
 * an instance of a stateful group starts, deleted here once the servers no longer list the volume (its job was
 * purged) and no instance on this node still runs with it.
 */
final class AgentVolumes {
    private static final Logger log = LoggerFactory.getLogger(AgentVolumes.class);

    private final AgentStateStore store;
    /** The volumes the servers record on this node. */
    private final Supplier<List<StickyVolume>> listed;

    AgentVolumes(AgentStateStore store, Supplier<List<StickyVolume>> listed) {
        this.store = store;
        this.listed = listed;
    }

    /**
     * Deletes the volume directories the servers no longer list, except those an instance here still uses; asks
     * the servers only when there is a directory to decide on. Returns the ids of the directories deleted.
     */
    List<String> sweep(Collection<InstanceRunner> runners) {
        List<String> present = present();
        if (present.isEmpty()) {
            return List.of();
        }
        Set<String> keep = new HashSet<>();
        for (StickyVolume volume : listed.get()) {
            keep.add(volume.id());
        }
        for (InstanceRunner runner : runners) {
            if (!runner.terminated().isDone()) {
                keep.addAll(runner.spec().volumeIds().values());
            }
        }
        List<String> deleted = new ArrayList<>();
        for (String id : present) {
            if (keep.contains(id)) {
                continue;
            }
            try {
                AgentStateStore.deleteRecursively(store.volumeDir(id));
                deleted.add(id);
                log.info("deleted volume {}: its job was purged", id);
            } catch (IOException e) {
                log.warn("cannot delete volume {} yet: {}", id, e.toString());
            }
        }
        return deleted;
    }

    /** The ids of the volume directories on disk. */
    private List<String> present() {
        Path directory = store.volumesDir();
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> volumes = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path volume : volumes) {
                ids.add(volume.getFileName().toString());
            }
        } catch (IOException e) {
            log.warn("cannot list {}: {}", directory, e.toString());
        }
        return ids;
    }
}
