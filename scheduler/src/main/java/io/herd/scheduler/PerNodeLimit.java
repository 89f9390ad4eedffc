package io.herd.scheduler;

import io.herd.api.Group;

import java.util.Optional;

/**
 * {@code distinct_hosts} and {@code max_per_node}: how many instances of a group one node may hold, counting the
 * group's live instances that the plan keeps and those it places. A hard filter, but a dynamic one: it depends on
 * the plan so far, through the candidate's presence, which is part of its {@link NodeClasses.Key}, so nodes of one
 * class pass or fail it together.
 */
final class PerNodeLimit {
    private static final PerNodeLimit NONE = new PerNodeLimit(Integer.MAX_VALUE, null);

    private final int limit;
    /** The same reason for every node that is full, so that they are counted together. */
    private final String reason;

    private PerNodeLimit(int limit, String reason) {
        this.limit = limit;
        this.reason = reason;
    }

    static PerNodeLimit of(Group group) {
        int limit = group.perNodeLimit();
        if (limit == Integer.MAX_VALUE) {
            return NONE;
        }
        return new PerNodeLimit(limit, group.distinctHosts() && limit == 1
                ? distinctHostsReason(group.name()) : maxPerNodeReason(group.name(), limit));
    }

    static String distinctHostsReason(String groupName) {
        return "distinct_hosts: already runs an instance of " + groupName;
    }

    static String maxPerNodeReason(String groupName, int limit) {
        return "max_per_node: already runs " + limit + (limit == 1 ? " instance" : " instances") + " of " + groupName
                + " (the maximum)";
    }

    /** Why a node already holding {@code presence} instances of the group cannot take another, or empty. */
    Optional<String> rejection(int presence) {
        return presence < limit ? Optional.empty() : Optional.of(reason);
    }
}
