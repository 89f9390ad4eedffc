package io.herd.api.wire;

import io.herd.api.Deployment;

/**
 * Answer to {@code POST /v1/jobs/{app}/{job}/promote} and {@code .../restart}: the deployment as the command left
 * it, the job's version, and the state index to watch from.
 */
public record DeploymentResponse(String jobId, long version, Deployment deployment, long index) {}
