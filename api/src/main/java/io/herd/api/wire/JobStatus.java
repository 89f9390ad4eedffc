package io.herd.api.wire;

import io.herd.api.BatchProgress;
import io.herd.api.Deployment;
import io.herd.api.Evaluation;
import io.herd.api.Instance;
import io.herd.api.Job;

import java.util.List;

/**
 * Answer to {@code GET /v1/jobs/{app}/{job}}: the current version, its instances (newest first, terminal ones
 * included until garbage collected) and recent evaluations (newest first; the first carries why instances are
 * still unplaced), and the job's newest deployment (null when it has none). {@code version} is the current version
 * of the job (also in {@code job.version}). {@code batch} is a batch job's (or cron run's) outcome so far, null for
 * other jobs; {@code waitingFor} lists the {@code depends_on} not met yet while they keep the job from starting
 * ({@code app/db to be healthy (1/3 ready)}); {@code cron} is a cron job's next and past firings, null for others;
 * {@code volumes} are the sticky volumes of its stateful groups.
 */
public record JobStatus(Job job, List<Instance> instances, List<Evaluation> evaluations, Deployment deployment,
        long version, BatchProgress batch, List<String> waitingFor, CronStatus cron,
        List<io.herd.api.StickyVolume> volumes) {
    public JobStatus {
        version = version == 0 && job != null ? job.version() : version;
        waitingFor = waitingFor == null ? List.of() : List.copyOf(waitingFor);
        volumes = volumes == null ? List.of() : List.copyOf(volumes);
    }

    /** A status without sticky volumes (a job without stateful groups). */
    public JobStatus(Job job, List<Instance> instances, List<Evaluation> evaluations, Deployment deployment,
            long version, BatchProgress batch, List<String> waitingFor, CronStatus cron) {
        this(job, instances, evaluations, deployment, version, batch, waitingFor, cron, List.of());
    }

    public JobStatus(Job job, List<Instance> instances, List<Evaluation> evaluations, Deployment deployment,
            long version) {
        this(job, instances, evaluations, deployment, version, null, List.of(), null, List.of());
    }

    public JobStatus(Job job, List<Instance> instances, List<Evaluation> evaluations) {
        this(job, instances, evaluations, null, 0);
    }

    public JobStatus(Job job, List<Instance> instances, List<Evaluation> evaluations, Deployment deployment) {
        this(job, instances, evaluations, deployment, 0);
    }
}
