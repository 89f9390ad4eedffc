package io.herd.agent.driver;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads {@code /proc}: a process's state, parent, group, session and start time. */
public final class ProcessTable {
    private final Path proc;

    public ProcessTable() {
        this(Path.of("/proc"));
    }

    public ProcessTable(Path proc) {
        this.proc = proc;
    }

    /**
     * One line of {@code /proc/<pid>/stat}. {@code startTicks} (field 22, clock ticks since boot) tells a process
     * from a later one that got the same pid.
     */
    public record ProcessStat(long pid, char state, long parentPid, long processGroup, long session, long startTicks) {
        /** False for zombies ({@code Z}) and dead tasks ({@code X}): they run nothing any more. */
        public boolean running() {
            return state != 'Z' && state != 'X';
        }
    }

    public Optional<ProcessStat> stat(long pid) {
        try {
            return Optional.of(parse(pid, Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** True when {@code pid} is a running (not zombie) process that started at {@code startTicks}. */
    public boolean isAlive(long pid, long startTicks) {
        return stat(pid).filter(ProcessStat::running).filter(stat -> stat.startTicks() == startTicks).isPresent();
    }

    /** The start time of a process, or -1 when it is gone. */
    public long startTicks(long pid) {
        return stat(pid).map(ProcessStat::startTicks).orElse(-1L);
    }

    /** Every running process whose session id is {@code session} (a task's shim is its session leader). */
    public List<Long> sessionMembers(long session) {
        List<Long> members = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                stat(pid).filter(stat -> stat.session() == session && stat.running())
                        .ifPresent(stat -> members.add(stat.pid()));
            }
        } catch (IOException e) {
            // no /proc: nothing to find
        }
        return members;
    }

    static ProcessStat parse(long pid, String line) {
        // the command name (field 2) is in parentheses and may itself hold spaces or ')'
        int close = line.lastIndexOf(')');
        String[] fields = line.substring(close + 2).trim().split(" ");
        // fields[0] is field 3 (state), so field N is fields[N - 3]
        return new ProcessStat(pid, fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                Long.parseLong(fields[3]), Long.parseLong(fields[19]));
    }
}
