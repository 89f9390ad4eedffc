package io.herd.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Why an evaluation exists. */
public enum EvaluationTrigger {
    JOB_REGISTER, JOB_DEREGISTER, NODE_UPDATE, INSTANCE_FAILED, CAPACITY_CHANGED, PLAN_CONFLICT, RESCHEDULE,
    /** Instances of the job were evicted by a higher-priority job: place them again where there is room. */
    PREEMPTED,
    /** A deployment moved: an instance's health changed, a promotion, a restart. */
    DEPLOYMENT_WATCH,
    /** Every job in the job's depends_on is now healthy or complete: it may start. */
    DEPENDENCY_MET,
    /** An instance of a batch job with limited parallelism completed: the next index may start. */
    INSTANCE_COMPLETED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EvaluationTrigger fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
