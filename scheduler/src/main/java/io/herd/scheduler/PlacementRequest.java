package io.herd.scheduler;

import io.herd.api.Group;

/**
 * One instance the reconciler wants placed: group {@code group} at {@code index}.
 *
 * @param previousInstanceId the instance this one replaces, or null
 * @param avoidNodeId the node where that instance failed or was lost, scored down (not forbidden), or null
 */
record PlacementRequest(Group group, int index, String previousInstanceId, String avoidNodeId) {}
