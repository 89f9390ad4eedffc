package io.herd.agent;

import io.herd.agent.driver.ProcessRecord;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Json;
import io.herd.api.JobType;
import io.herd.api.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The agent's data directory: its node id, and per instance the record that lets the next agent process re-attach
 * to running tasks, next to the instance's directories and logs:
 *
 * <pre>
 * dataDir/node-id
 * dataDir/bin/herd-shim.sh
 * dataDir/instances/&lt;instanceId&gt;/instance.json       (this store's record)
 * dataDir/instances/&lt;instanceId&gt;/alloc/               (shared by the instance's tasks: HERD_ALLOC_DIR)
 * dataDir/instances/&lt;instanceId&gt;/tasks/&lt;task&gt;/         (private: HERD_TASK_DIR, and the shim's exit file)
 * dataDir/instances/&lt;instanceId&gt;/logs/&lt;task&gt;.stdout|stderr
 * dataDir/volumes/&lt;volumeId&gt;/                      (a sticky volume: HERD_VOLUME_&lt;NAME&gt;, kept until its job is purged)
 * </pre>
 *
 * Every file is written aside and renamed into place, so a crash never leaves half a record.
 */
public final class AgentStateStore {
    private static final Logger log = LoggerFactory.getLogger(AgentStateStore.class);
    private static final String RECORD_FILE = "instance.json";
    static final String EXIT_FILE = ".herd-exit";

    private final Path dataDir;

    public AgentStateStore(Path dataDir) {
        this.dataDir = dataDir.toAbsolutePath();
    }

    /** What is persisted per instance. */
    public record InstanceRecord(
            Instance instance,
            JobType jobType,
            Group group,
            InstanceState state,
            String reason,
            boolean stopRequested,
            String stopReason,
            Map<String, TaskRecord> tasks,
            Map<String, String> volumeIds) {
        public InstanceRecord {
            tasks = tasks == null ? Map.of() : Map.copyOf(tasks);
            volumeIds = volumeIds == null ? Map.of() : Map.copyOf(volumeIds);
        }
    }

    /**
     * What is persisted per task: its reported state, the restarts inside the current restart interval, whether it
     * has started at all and whether it will not run again, and its running process (null when none).
     */
    public record TaskRecord(TaskState state, List<Instant> restartTimes, boolean started, boolean finished,
            ProcessRecord process) {
        public TaskRecord {
            restartTimes = restartTimes == null ? List.of() : List.copyOf(restartTimes);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path binDir() {
        return dataDir.resolve("bin");
    }

    public Path instancesDir() {
        return dataDir.resolve("instances");
    }

    public Path volumesDir() {
        return dataDir.resolve("volumes");
    }

    public Path volumeDir(String volumeId) {
        if (!isSafeName(volumeId)) {
            throw new IllegalArgumentException("unusable volume id " + volumeId);
        }
        return volumesDir().resolve(volumeId);
    }

    public Path instanceDir(String instanceId) {
        requireSafeName(instanceId, "instance id");
        return instancesDir().resolve(instanceId);
    }

    public Path allocDir(String instanceId) {
        return instanceDir(instanceId).resolve("alloc");
    }

    public Path taskDir(String instanceId, String task) {
        requireSafeName(task, "task name");
        return instanceDir(instanceId).resolve("tasks").resolve(task);
    }

    public Path exitFile(String instanceId, String task) {
        return taskDir(instanceId, task).resolve(EXIT_FILE);
    }

    public Path logFile(String instanceId, String task, String stream) {
        requireSafeName(task, "task name");
        return instanceDir(instanceId).resolve("logs").resolve(task + "." + stream);
    }

    /** True when {@code name} can be used as one path element. */
    public static boolean isSafeName(String name) {
        return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..") && !name.contains("/")
                && !name.contains("\0");
    }

    private static void requireSafeName(String name, String what) {
        if (!isSafeName(name)) {
            throw new IllegalArgumentException("unusable " + what + ": " + name);
        }
    }

    /** This node's id: read from {@code dataDir/node-id}, or generated and written there the first time. */
    public String nodeId() {
        Path file = dataDir.resolve("node-id");
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file).trim();
                if (!id.isEmpty()) {
                    return id;
                }
            }
            String id = UUID.randomUUID().toString();
            Files.createDirectories(dataDir);
            writeAtomically(file, id + "\n");
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the node id in " + file, e);
        }
    }

    public void save(InstanceRecord record) {
        Path file = instanceDir(record.instance().id()).resolve(RECORD_FILE);
        try {
            Files.createDirectories(file.getParent());
            writeAtomically(file, Json.writePretty(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist instance " + record.instance().id(), e);
        }
    }

    /** Every persisted record; unreadable ones are logged and skipped. */
    public List<InstanceRecord> loadAll() {
        List<InstanceRecord> records = new ArrayList<>();
        if (!Files.isDirectory(instancesDir())) {
            return records;
        }
        try (DirectoryStream<Path> directories = Files.newDirectoryStream(instancesDir(), Files::isDirectory)) {
            for (Path directory : directories) {
                Path file = directory.resolve(RECORD_FILE);
                if (!Files.exists(file)) {
                    continue;
                }
                try {
                    records.add(Json.read(Files.readString(file), InstanceRecord.class));
                } catch (IOException | RuntimeException e) {
                    log.error("cannot read {}; its tasks are not re-attached", file, e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + instancesDir(), e);
        }
        return records;
    }

    /** Forgets an instance: its record, directories and logs. */
    public void delete(String instanceId) {
        Path directory = instanceDir(instanceId);
        try {
            deleteRecursively(directory);
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", directory, e.toString());
        }
    }

    static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
