package io.herd.api.wire;

import io.herd.api.Evaluation;
import io.herd.api.Instance;
import io.herd.api.Job;

import java.util.List;

/**
 * Answer to {@code GET /v1/jobs/{app}/{job}}: the current version, its instances (newest first, terminal ones
 * included until garbage collected) and recent evaluations (newest first; the first carries why instances are
 * still unplaced).
 */
public record JobStatus(Job job, List<Instance> instances, List<Evaluation> evaluations) {}
