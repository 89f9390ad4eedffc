package io.herd.agent.driver;

/**
 * How one run of a task ended.
 *
 * @param exitCode  the task's exit status (128 + n when signal n killed it), or null when nobody could record it
 *                  (the shim itself was killed while no agent was its parent)
 * @param oomKilled the kernel's OOM killer ended it at its memory limit
 * @param message   a human-readable note, or null
 */
public record TaskExit(Integer exitCode, boolean oomKilled, String message) {
    public static final int SIGKILL_EXIT = 128 + 9;

    public boolean succeeded() {
        return exitCode != null && exitCode == 0 && !oomKilled;
    }
}
