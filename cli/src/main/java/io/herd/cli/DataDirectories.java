package io.herd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where servers and agents keep their state when {@code --data-dir} is not given. */
final class DataDirectories {
    private DataDirectories() {}

    /** {@code $HOME/.herd/<leaf>}, or {@code ./herd-data/<leaf>} when there is no writable home. */
    static Path defaultFor(String leaf) {
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && !"?".equals(home)) {
            Path homePath = Path.of(home);
            if (Files.isDirectory(homePath) && Files.isWritable(homePath)) {
                return homePath.resolve(".herd").resolve(leaf);
            }
        }
        return Path.of("herd-data", leaf).toAbsolutePath();
    }

    /** {@code server-1} for {@code --id server-1}, {@code server-alpha} for {@code --id alpha}. */
    static String serverLeaf(String serverId) {
        return serverId.startsWith("server") ? serverId : "server-" + serverId;
    }

    static Path create(Path directory) {
        try {
            return Files.createDirectories(directory.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Deletes a directory tree, best effort: what cannot be deleted (e.g. busy) is left behind. */
    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
