package io.herd.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.time.Instant;

/**
 * A change to the replicated state, proposed through Raft and applied by {@link ClusterState#apply} on every
 * server in log order. A command carries everything apply needs, including ids and its time chosen by the
 * leader before proposing, so that apply never reads the clock, random numbers or the network and every replica
 * ends up with the same state.
 *
 * <p>Commands are encoded as JSON with a {@code type} property naming the record; the names are part of the Raft
 * log and of snapshots, so they must never change.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RegisterServer.class, name = "register_server"),
        @JsonSubTypes.Type(value = RegisterJob.class, name = "register_job"),
        @JsonSubTypes.Type(value = DeregisterJob.class, name = "deregister_job"),
        @JsonSubTypes.Type(value = UpsertNode.class, name = "upsert_node"),
        @JsonSubTypes.Type(value = SetNodeStatus.class, name = "set_node_status"),
        @JsonSubTypes.Type(value = ApplyPlan.class, name = "apply_plan"),
        @JsonSubTypes.Type(value = UpdateInstances.class, name = "update_instances"),
        @JsonSubTypes.Type(value = GarbageCollect.class, name = "garbage_collect"),
        @JsonSubTypes.Type(value = UpdateInstancesBatch.class, name = "update_instances_batch"),
        @JsonSubTypes.Type(value = PromoteDeployment.class, name = "promote_deployment"),
        @JsonSubTypes.Type(value = RestartJob.class, name = "restart_job"),
        @JsonSubTypes.Type(value = SubscribeEvents.class, name = "subscribe_events"),
        @JsonSubTypes.Type(value = UnsubscribeEvents.class, name = "unsubscribe_events"),
        @JsonSubTypes.Type(value = AckEvents.class, name = "ack_events"),
        @JsonSubTypes.Type(value = RecordUsage.class, name = "record_usage"),
        @JsonSubTypes.Type(value = FireCron.class, name = "fire_cron"),
        @JsonSubTypes.Type(value = SetNodeEligibility.class, name = "set_node_eligibility"),
        @JsonSubTypes.Type(value = SetNodeDrain.class, name = "set_node_drain"),
        @JsonSubTypes.Type(value = NodeDrainDeadline.class, name = "node_drain_deadline"),
        @JsonSubTypes.Type(value = CompleteNodeDrain.class, name = "complete_node_drain"),
        @JsonSubTypes.Type(value = SetNodeConditions.class, name = "set_node_conditions"),
})
public sealed interface Command
        permits RegisterServer, RegisterJob, DeregisterJob, UpsertNode, SetNodeStatus, ApplyPlan, UpdateInstances,
        GarbageCollect, UpdateInstancesBatch, PromoteDeployment, RestartJob, SubscribeEvents, UnsubscribeEvents,
        AckEvents, RecordUsage, FireCron, SetNodeEligibility, SetNodeDrain, NodeDrainDeadline, CompleteNodeDrain,
        SetNodeConditions {
    /** When the leader proposed the command; the only time apply ever uses. */
    Instant time();
}
