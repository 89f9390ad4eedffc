package io.herd.api;

import java.time.Duration;

/**
 * How long finished (terminal) instances of a job, with their logs and directories, are kept, per instance slot
 * (group and index): at most {@code keepFinished} of the newest, and none longer than {@code keepFor} after it
 * ended. A null field takes the cluster default ({@code herd server --gc-keep-finished / --gc-keep-for}); a null
 * {@code keepFor} there means no time limit.
 */
public record GcPolicy(Integer keepFinished, Duration keepFor) {
    /** The cluster default when the server is not told otherwise: the newest 10 per slot, no time limit. */
    public static final GcPolicy CLUSTER_DEFAULT = new GcPolicy(10, null);

    /** This policy with each unset field taken from {@code defaults}. */
    public GcPolicy orElse(GcPolicy defaults) {
        if (defaults == null) {
            return this;
        }
        return new GcPolicy(keepFinished != null ? keepFinished : defaults.keepFinished(),
                keepFor != null ? keepFor : defaults.keepFor());
    }
}
