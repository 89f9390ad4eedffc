package io.herd.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints rows as columns aligned on the widest cell, separated by two spaces, with no trailing blanks.
 * {@code null} cells print as empty.
 */
final class TableWriter {
    private static final String SEPARATOR = "  ";

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    TableWriter(String... headers) {
        this.headers = List.of(headers);
    }

    TableWriter row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("expected " + headers.size() + " cells, got " + cells.length);
        }
        rows.add(Arrays.stream(cells).map(cell -> cell == null ? "" : cell.toString()).toList());
        return this;
    }

    int size() {
        return rows.size();
    }

    void print(PrintWriter out) {
        for (String line : lines()) {
            out.println(line);
        }
        out.flush();
    }

    List<String> lines() {
        int[] widths = new int[headers.size()];
        for (int column = 0; column < widths.length; column++) {
            widths[column] = headers.get(column).length();
            for (List<String> row : rows) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(format(headers, widths));
        for (List<String> row : rows) {
            lines.add(format(row, widths));
        }
        return lines;
    }

    private static String format(List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int column = 0; column < cells.size(); column++) {
            String cell = cells.get(column);
            line.append(cell);
            if (column < cells.size() - 1) {
                line.append(" ".repeat(widths[column] - cell.length())).append(SEPARATOR);
            }
        }
        return line.toString().stripTrailing();
    }
}
