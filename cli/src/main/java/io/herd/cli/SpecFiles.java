package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a job spec file ({@code -} is standard input) and turns I/O failures into one clear error. */
final class SpecFiles {
    private SpecFiles() {}

    static String read(String file, InputStream stdin) {
        try {
            if ("-".equals(file)) {
                return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
            }
            Path path = Path.of(file);
            if (Files.isDirectory(path)) {
                throw new HerdException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": it is a directory");
            }
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new HerdException(ErrorCode.INVALID_ARGUMENT, "cannot read " + file + ": " + e.getMessage());
        }
    }
}
