package io.herd.agent.driver;

/** A task could not be started at all (command not found, cgroup not creatable, fork failed). */
public final class TaskStartException extends Exception {
    public TaskStartException(String message) {
        super(message);
    }

    public TaskStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
