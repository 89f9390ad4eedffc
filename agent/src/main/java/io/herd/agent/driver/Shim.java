package io.herd.agent.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The small shell script every exec task runs under. Why a shim: a task must outlive the agent that started it,
 * and the next agent process must still learn its exit status, but only a parent can wait for a process. So the
 * shim is the task's parent instead of the agent: it joins the task's cgroups before anything else runs, starts
 * the command (under tini, which reaps orphaned grandchildren and forwards signals to the command's process
 * group), forwards SIGTERM and friends to it, waits, and records {@code "<shim pid> <exit status>"} in the exit
 * file (written aside, then renamed, so a reader never sees half a line). The agent starts the shim through
 * {@code setsid}, so the shim leads a new session that holds every process of the task and no terminal or pipe
 * ties it to the agent.
 */
public final class Shim {
    public static final String FILE_NAME = "herd-shim.sh";

    /** The exit status the shim reports when it cannot even join the task's cgroups. */
    public static final int CANNOT_JOIN_CGROUP = 125;

    static final String SCRIPT = """
            #!/bin/sh
            # herd-shim: written by the Herd agent (io.herd.agent.driver.Shim); rewritten at every agent start.
            # usage: herd-shim.sh EXIT_FILE CGROUP_PROCS_FILES -- COMMAND [ARG...]
            #   CGROUP_PROCS_FILES: ':'-separated cgroup.procs files to join first (may be empty)
            # Every variable is prefixed so the task's own environment cannot collide with the shim's.

            herd_shim_exit_file=$1
            herd_shim_cgroups=$2
            if [ $# -lt 4 ] || [ "$3" != "--" ]; then
              echo "usage: herd-shim.sh EXIT_FILE CGROUP_PROCS_FILES -- COMMAND [ARG...]" >&2
              exit 125
            fi
            shift 3

            herd_shim_record() {
              printf '%s %s\\n' "$$" "$1" > "$herd_shim_exit_file.tmp" &&
                /bin/mv -f "$herd_shim_exit_file.tmp" "$herd_shim_exit_file"
            }

            # join the cgroups before anything of the task runs, so its limits hold from the first instruction
            if [ -n "$herd_shim_cgroups" ]; then
              set -f
              herd_shim_ifs=$IFS
              IFS=:
              for herd_shim_procs in $herd_shim_cgroups; do
                if ! echo $$ > "$herd_shim_procs"; then
                  echo "herd-shim: cannot join cgroup $herd_shim_procs" >&2
                  herd_shim_record 125
                  exit 125
                fi
              done
              IFS=$herd_shim_ifs
              set +f
            fi

            # forward signals to the command; one that arrives before the command exists is sent once it does.
            # (SIGINT and SIGQUIT are not forwarded: a shell starts background commands with them ignored.)
            herd_shim_child=
            herd_shim_pending=
            herd_shim_signalled=
            herd_shim_forward() {
              herd_shim_signalled=1
              if [ -n "$herd_shim_child" ]; then
                kill -"$1" "$herd_shim_child" 2>/dev/null
              else
                herd_shim_pending="$herd_shim_pending $1"
              fi
            }
            trap 'herd_shim_forward TERM' TERM
            trap 'herd_shim_forward HUP' HUP
            trap 'herd_shim_forward USR1' USR1
            trap 'herd_shim_forward USR2' USR2

            "$@" &
            herd_shim_child=$!
            for herd_shim_signal in $herd_shim_pending; do
              kill -"$herd_shim_signal" "$herd_shim_child" 2>/dev/null
            done

            # A trapped signal makes wait return 128 + its number at once: that answer is not the command's status.
            # Nor does kill -0 tell whether the command still runs: the shell reaps an ended command outside wait too
            # (dash after any command once SIGCHLD arrived) and keeps its status for the next wait, so a command that
            # ended on the forwarded signal may be gone before the check. So wait again whenever a trap ran, until
            # a wait no trap interrupted answers (an interrupted wait answers above 128: 128 or less is the command's).
            while :; do
              herd_shim_signalled=
              wait "$herd_shim_child"
              herd_shim_status=$?
              if [ "$herd_shim_status" -le 128 ] || [ -z "$herd_shim_signalled" ]; then
                break
              fi
            done

            herd_shim_record "$herd_shim_status"
            exit "$herd_shim_status"
            """;

    private Shim() {}

    /**
     * Writes the shim into {@code directory} (aside, then renamed: a shim that is running keeps reading the old
     * file, which the rename leaves intact).
     */
    public static Path install(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path target = directory.resolve(FILE_NAME);
        Path temporary = directory.resolve(FILE_NAME + ".tmp");
        Files.writeString(temporary, SCRIPT, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /**
     * Reads an exit file: the status, provided the file was written by the shim with pid {@code shimPid} (an exit
     * file left by an earlier run is ignored).
     */
    public static Optional<Integer> readExitStatus(Path exitFile, long shimPid) {
        try {
            String[] parts = Files.readString(exitFile).trim().split("\\s+");
            if (parts.length >= 2 && Long.parseLong(parts[0]) == shimPid) {
                return Optional.of(Integer.parseInt(parts[1]));
            }
        } catch (IOException | RuntimeException e) {
            // missing or unreadable: unknown
        }
        return Optional.empty();
    }
}
