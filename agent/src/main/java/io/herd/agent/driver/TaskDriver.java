package io.herd.agent.driver;

/**
 * Runs tasks. A driver is stateless between calls: everything about a run lives in its {@link TaskHandle}, and
 * what must survive the agent lives in the handle's {@link ProcessRecord}.
 */
public interface TaskDriver {
    /** The name tasks use in their spec ({@code driver: exec}) and the node advertises. */
    String name();

    /** Starts one run; returns once the process exists. */
    TaskHandle start(TaskLaunch launch) throws TaskStartException;

    /**
     * Re-attaches to a run started by an earlier agent process. When the process is still alive (same pid and
     * start time) the handle watches it without restarting it; when it ended meanwhile, the handle's
     * {@link TaskHandle#onExit()} is already complete (or about to be) with the status it recorded.
     */
    TaskHandle reattach(ProcessRecord record);
}
