package io.herd.agent.problems;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The size and use of the filesystem holding a directory: bytes from the JDK, inodes from {@code stat -f}. */
public interface FilesystemProbe {
    /**
     * @param totalInodes zero when the filesystem does not count inodes (or nothing could tell)
     */
    record Usage(long totalBytes, long availableBytes, long totalInodes, long freeInodes) {}

    /**
     * Empty when the directory's filesystem cannot be read; inodes are counted only when {@code withInodes} (it
     * takes a process).
     */
    Optional<Usage> usage(Path directory, boolean withInodes);

    /** The real probe; inodes through {@code stat -f -c "%c %d"} run by {@code commands}. */
    static FilesystemProbe system(CommandRunner commands) {
        return (directory, withInodes) -> {
            try {
                FileStore store = Files.getFileStore(directory);
                long totalInodes = 0;
                long freeInodes = 0;
                Optional<CommandRunner.Result> stat = !withInodes ? Optional.empty() : commands.run(List.of("stat",
                        "-f", "-c", "%c %d", directory.toString()));
                if (stat.isPresent() && stat.get().exitCode() == 0) {
                    String[] fields = stat.get().output().strip().split("\\s+");
                    if (fields.length == 2) {
                        totalInodes = ProcFiles.parse(fields[0]).orElse(0);
                        freeInodes = ProcFiles.parse(fields[1]).orElse(0);
                    }
                }
                return Optional.of(new Usage(store.getTotalSpace(), store.getUsableSpace(), totalInodes, freeInodes));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        };
    }
}
