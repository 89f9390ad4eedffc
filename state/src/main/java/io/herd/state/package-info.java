/**
 * The replicated state of the Herd control plane.
 *
 * <p>Writers propose a {@link io.herd.state.Command} (encoded with
 * {@link io.herd.state.HerdStateMachine#encode}) through Raft; every server's
 * {@link io.herd.state.HerdStateMachine} applies the committed command to its {@link io.herd.state.StateStore},
 * whose {@link io.herd.state.ClusterState} changes deterministically, and the proposer gets the
 * {@link io.herd.state.ApplyResult} back. Readers use {@link io.herd.state.StateStore#read} and wait for new
 * state with {@link io.herd.state.StateStore#awaitIndexAfter}.
 */
package io.herd.state;
