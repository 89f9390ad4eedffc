package io.herd.cli;

import java.util.Arrays;

/** Finds the last lines of a chunk of log bytes, without decoding them (a chunk may split a character). */
final class LogTail {
    private LogTail() {}

    /**
     * The byte offset in {@code data} where its last {@code lines} lines start; 0 when it holds no more than
     * that many. A final newline ends the last line rather than starting an empty one.
     */
    static int startOfLastLines(byte[] data, int lines) {
        if (lines <= 0) {
            return data.length;
        }
        int end = data.length;
        if (end > 0 && data[end - 1] == '\n') {
            end--;
        }
        int found = 0;
        for (int i = end - 1; i >= 0; i--) {
            if (data[i] == '\n' && ++found == lines) {
                return i + 1;
            }
        }
        return 0;
    }

    static byte[] lastLines(byte[] data, int lines) {
        return Arrays.copyOfRange(data, startOfLastLines(data, lines), data.length);
    }
}
