package io.herd.api;

import java.time.Duration;

/**
 * Limits of a batch job (and of each run of a cron job), as a Kubernetes Job's {@code backoffLimit},
 * {@code activeDeadlineSeconds} and {@code parallelism}.
 *
 * @param maxAttempts how many instances may be started for one index (the first and its replacements after
 *     failures) before the job fails; 0 for no limit
 * @param deadline how long the job may run from its submission; instances still running then are stopped and the
 *     job fails; null for no deadline
 * @param parallelism at most this many instances of the job run at once; 0 for no limit
 */
public record BatchPolicy(int maxAttempts, Duration deadline, int parallelism) {
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final BatchPolicy DEFAULT = new BatchPolicy(DEFAULT_MAX_ATTEMPTS, null, 0);
}
