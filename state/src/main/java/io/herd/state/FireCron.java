package io.herd.state;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * A cron job's firing for {@code scheduledTime}, proposed by the leader's cron dispatcher once that time has come.
 * Apply ignores a firing not later than the job's last recorded one, so a firing proposed twice (a retry, or a
 * new leader that saw the old one's proposal only after it decided) starts one run, and a failover loses none
 * (the new leader fires whatever is due after the last recorded firing).
 *
 * @param start whether to start a run; false records firings the catch-up policy let go ({@code missed} of them,
 *     the newest at {@code scheduledTime})
 * @param missed how many firings before {@code scheduledTime} were missed and are not run
 * @param evaluationId the evaluation of the run apply starts (and the id other derived evaluations derive from)
 */
public record FireCron(String jobId, Instant scheduledTime, boolean start, int missed, String evaluationId,
        Instant time) implements Command {
    public FireCron {
        requireNonNull(jobId, "jobId is null");
        requireNonNull(scheduledTime, "scheduledTime is null");
        requireNonNull(evaluationId, "evaluationId is null");
        requireNonNull(time, "time is null");
    }
}
