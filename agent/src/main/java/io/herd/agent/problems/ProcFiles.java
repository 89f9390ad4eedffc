package io.herd.agent.problems;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads the small text files of {@code /proc} (or a test's fake of it) the detectors need. */
final class ProcFiles {
    private ProcFiles() {}

    static Optional<String> read(Path file) {
        // Read to the end, not Files.readString: that reads as many bytes as the file's size says, and a /proc/sys
        // file says 0 or less than it holds (readString gives "3" of pid_max 32768).
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The first number in a file such as {@code /proc/sys/kernel/pid_max}. */
    static OptionalLong number(Path file) {
        return read(file).map(text -> text.strip().split("\\s+")[0]).map(ProcFiles::parse)
                .orElse(OptionalLong.empty());
    }

    /** The value of {@code key} in a {@code key value} file such as {@code /proc/vmstat} or {@code /proc/meminfo}. */
    static OptionalLong field(Path file, String key) {
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        for (String line : text.get().split("\n")) {
            String[] parts = line.strip().split("[:\\s]+");
            if (parts.length >= 2 && parts[0].equals(key)) {
                return parse(parts[1]);
            }
        }
        return OptionalLong.empty();
    }

    static OptionalLong parse(String text) {
        try {
            return OptionalLong.of(Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
