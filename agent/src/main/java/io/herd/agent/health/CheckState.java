package io.herd.agent.health;

/**
 * The verdict of one check from its attempts: healthy after {@code successThreshold} passes in a row, unhealthy
 * after {@code failureThreshold} failures in a row, and not healthy before its first verdict. Not thread-safe.
 */
public final class CheckState {
    /** What one attempt decided. */
    public enum Verdict {
        /** Nothing new. */
        NONE,
        /** It just became healthy. */
        HEALTHY,
        /** It just reached failureThreshold failures in a row (whether or not it was healthy before). */
        UNHEALTHY
    }

    private final int successThreshold;
    private final int failureThreshold;
    private boolean healthy;
    private int passesInARow;
    private int failuresInARow;

    public CheckState(int successThreshold, int failureThreshold) {
        this.successThreshold = Math.max(1, successThreshold);
        this.failureThreshold = Math.max(1, failureThreshold);
    }

    public Verdict record(boolean passed) {
        if (passed) {
            failuresInARow = 0;
            passesInARow++;
            if (!healthy && passesInARow >= successThreshold) {
                healthy = true;
                return Verdict.HEALTHY;
            }
            return Verdict.NONE;
        }
        passesInARow = 0;
        failuresInARow++;
        if (failuresInARow == failureThreshold) {
            healthy = false;
            return Verdict.UNHEALTHY;
        }
        return Verdict.NONE;
    }

    public boolean healthy() {
        return healthy;
    }

    /** Forgets every attempt, e.g. after the tasks were restarted. */
    public void reset() {
        healthy = false;
        passesInARow = 0;
        failuresInARow = 0;
    }
}
