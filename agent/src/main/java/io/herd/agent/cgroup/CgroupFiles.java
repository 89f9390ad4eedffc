package io.herd.agent.cgroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Small file operations shared by the v1 and v2 implementations. */
final class CgroupFiles {
    private static final Logger log = LoggerFactory.getLogger(CgroupFiles.class);
    private static final Duration EMPTY_TIMEOUT = Duration.ofSeconds(10);

    private CgroupFiles() {}

    static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /** Writes when the file exists; failures are logged, not thrown (an optional knob such as memsw). */
    static void writeOptional(Path file, String value) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            log.debug("cannot write {} to {}: {}", value, file, e.toString());
        }
    }

    static Optional<Long> readLong(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The value of {@code key} in a flat keyed file such as {@code memory.events} or {@code memory.oom_control}. */
    static long readKey(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2 && parts[0].equals(key)) {
                    return Long.parseLong(parts[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a vanished cgroup counts nothing
        }
        return 0;
    }

    static Set<Long> pids(List<Path> procsFiles) {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path procs : procsFiles) {
            try {
                for (String line : Files.readAllLines(procs)) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.trim()));
                    }
                }
            } catch (NoSuchFileException e) {
                // removed already
            } catch (IOException | NumberFormatException e) {
                log.debug("cannot read {}: {}", procs, e.toString());
            }
        }
        return pids;
    }

    static void killAll(Set<Long> pids) {
        long self = ProcessHandle.current().pid();
        for (long pid : pids) {
            if (pid != self) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * Kills what is left in the cgroup and removes its directories. The kernel refuses to remove a cgroup that
     * still holds a process, so this kills and re-checks until it is empty (a fork racing the kill is caught by
     * the next round).
     */
    static void killAndRemove(List<Path> directories, List<Path> procsFiles) {
        long deadline = System.nanoTime() + EMPTY_TIMEOUT.toNanos();
        Set<Long> left = pids(procsFiles);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            killAll(left);
            pause();
            left = pids(procsFiles);
        }
        if (!left.isEmpty()) {
            log.warn("processes {} survived SIGKILL in cgroup {}; leaving it in place", left, directories);
            return;
        }
        for (Path directory : directories) {
            removeDirectory(directory, deadline);
        }
    }

    private static void removeDirectory(Path directory, long deadline) {
        while (true) {
            try {
                Files.deleteIfExists(directory);
                return;
            } catch (IOException e) {
                // EBUSY right after the last process exited: the kernel is still tearing it down
                if (System.nanoTime() >= deadline) {
                    log.warn("cannot remove cgroup {}: {}", directory, e.toString());
                    return;
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
