package io.herd.state;

import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import io.herd.api.NodeStatus;
import io.herd.api.Plan;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.instance;
import static io.herd.state.StateFixtures.job;
import static io.herd.state.StateFixtures.jobId;
import static io.herd.state.StateFixtures.node;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Three real Ratis servers on loopback: replication, snapshots, and a restart of the whole group. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RaftReplicationTest {
    private static final int SERVERS = 3;
    private static final long SNAPSHOT_EVERY = 8;
    private static final Duration CONVERGENCE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private record Replica(RaftServer server, StateStore store, HerdStateMachine stateMachine, Path storage) {}

    @Test
    void replicasConvergeAndComeBackFromSnapshotAndLog() throws Exception {
        RaftGroup group = newGroup();
        List<Command> commands = scenario();
        StateData expected;

        List<Replica> replicas = startAll(group, RaftStorage.StartupOption.FORMAT);
        AtomicInteger leaderChanges = new AtomicInteger();
        replicas.forEach(replica -> replica.stateMachine().addLeaderListener(leaderChanges::incrementAndGet));
        try (RaftClient client = newClient(group)) {
            List<ApplyResult> results = new ArrayList<>();
            for (Command command : commands) {
                results.add(send(client, command));
            }
            assertThat(results.get(2).jobVersion()).isEqualTo(1);
            assertThat(results.get(2).evaluationIds()).containsExactly("e0");
            assertThat(results).extracting(ApplyResult::index).isSorted().doesNotHaveDuplicates();

            assertRefused(client, Message.valueOf("not a command"));

            expected = awaitConvergence(replicas, results.getLast().index());
        } finally {
            closeAll(replicas);
        }
        assertThat(expected.jobs()).hasSize(6);
        assertThat(expected.instances()).hasSize(6);
        assertThat(expected.nodes()).extracting(io.herd.api.Node::status).contains(NodeStatus.DOWN);
        assertThat(leaderChanges).hasPositiveValue();
        for (Replica replica : replicas) {
            assertThat(latestSnapshotIndex(replica.storage())).as("snapshot of %s", replica.storage()).isPositive();
        }

        // Same directories, new processes in spirit: new stores, new state machines.
        List<Replica> restarted = startAll(group, RaftStorage.StartupOption.RECOVER);
        try {
            for (Replica replica : restarted) {
                // The snapshot is loaded while the server starts, before any leader exists to commit the rest.
                assertThat(replica.store().index()).isGreaterThanOrEqualTo(latestSnapshot(replica.storage()).index());
            }
            awaitConvergence(restarted, expected.index());
            assertThat(restarted.getFirst().store().toData()).isEqualTo(expected);

            try (RaftClient client = newClient(group)) {
                ApplyResult result = send(client, new RegisterJob(job("after-restart"), "e-after", at(1000)));
                assertThat(result.jobVersion()).isEqualTo(1);
                StateData afterRestart = awaitConvergence(restarted, result.index());
                assertThat(afterRestart.jobs()).hasSize(7);
            }
        } finally {
            closeAll(restarted);
        }
    }

    @Test
    void aFollowerBehindThePurgedLogCatchesUpThroughAnInstalledSnapshot() throws Exception {
        RaftGroup group = newGroup();
        List<Replica> replicas = startAll(group, RaftStorage.StartupOption.FORMAT);
        Replica follower = null;
        try (RaftClient client = newClient(group)) {
            long index = send(client, new UpsertNode(node("n0"), "node-0", at(0))).index();
            awaitConvergence(replicas, index);
            follower = replicas.stream().filter(replica -> !isLeader(replica, group)).findFirst().orElseThrow();
            follower.server().close();
            List<Replica> running = new ArrayList<>(replicas);
            running.remove(follower);

            for (int round = 0; round < 30; round++) {
                index = send(client, new RegisterJob(job("job" + round), "e" + round, at(round))).index();
            }
            StateData expected = awaitConvergence(running, index);
            Replica leader = running.stream().filter(replica -> isLeader(replica, group)).findFirst().orElseThrow();
            long logStart = leader.server().getDivision(group.getGroupId()).getRaftLog().getStartIndex();
            // The entries the follower misses are gone from the leader's log: only a snapshot can bring them.
            assertThat(logStart).isGreaterThan(follower.store().index() + 1);

            Replica restarted = startOne(group, follower.server().getPeer(), RaftStorage.StartupOption.RECOVER);
            replicas.set(replicas.indexOf(follower), restarted);
            assertThat(awaitConvergence(List.of(restarted, leader), index)).isEqualTo(expected);
        } finally {
            closeAll(replicas);
        }
    }

    private static boolean isLeader(Replica replica, RaftGroup group) {
        try {
            return replica.server().getDivision(group.getGroupId()).getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** Six rounds of a job's life, a node failure and some garbage collection: enough for several snapshots. */
    private static List<Command> scenario() {
        List<Command> commands = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            String node = "n" + round;
            String job = "job" + round;
            String evaluation = "e" + round;
            if (round < SERVERS) {
                commands.add(new RegisterServer("s" + round, "127.0.0.1:" + (9000 + round),
                        "127.0.0.1:" + (7700 + round), at(round)));
            }
            commands.add(new UpsertNode(node(node), "node-" + round, at(round)));
            commands.add(new RegisterJob(job(job), evaluation, at(round)));
            commands.add(new ApplyPlan(new Plan(evaluation, jobId(job), 1, List.of(instance("i" + round, job, node)),
                    List.of(), List.of()), false, "plan-" + round, at(round)));
            commands.add(new UpdateInstances(node, List.of(new InstanceStatusUpdate("i" + round,
                    InstanceState.RUNNING, "started", Map.of())), "update-" + round, at(round)));
        }
        commands.add(new SetNodeStatus("n0", NodeStatus.DOWN, "down-0", at(100)));
        commands.add(new DeregisterJob(jobId("job1"), false, "e-stop", at(101)));
        commands.add(new GarbageCollect(List.of(), List.of("e2", "e3"), at(102)));
        return commands;
    }

    private List<Replica> startAll(RaftGroup group, RaftStorage.StartupOption option) throws IOException {
        List<Replica> replicas = new ArrayList<>();
        try {
            for (RaftPeer peer : group.getPeers()) {
                replicas.add(startOne(group, peer, option));
            }
            return replicas;
        } catch (IOException | RuntimeException e) {
            closeAll(replicas);
            throw e;
        }
    }

    private Replica startOne(RaftGroup group, RaftPeer peer, RaftStorage.StartupOption option) throws IOException {
        Path storage = directory.resolve(peer.getId().toString());
        RaftProperties properties = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(storage.toFile()));
        GrpcConfigKeys.Server.setPort(properties, port(peer));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(properties, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(properties, SNAPSHOT_EVERY);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(properties, 2);
        // Small segments purged up to each snapshot, so that a restart and a lagging follower need the snapshot.
        RaftServerConfigKeys.Log.setSegmentSizeMax(properties, SizeInBytes.valueOf("4KB"));
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(properties, true);
        RaftServerConfigKeys.Log.setPurgeGap(properties, 1);
        RaftServerConfigKeys.Rpc.setTimeoutMin(properties, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(properties, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        StateStore store = new StateStore();
        HerdStateMachine stateMachine = new HerdStateMachine(store);
        RaftServer server = RaftServer.newBuilder()
                .setServerId(peer.getId())
                .setGroup(group)
                .setProperties(properties)
                .setStateMachine(stateMachine)
                .setOption(option)
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new Replica(server, store, stateMachine, storage);
    }

    private static void closeAll(List<Replica> replicas) {
        for (Replica replica : replicas) {
            try {
                replica.server().close();
            } catch (IOException | RuntimeException e) {
                System.err.println("closing " + replica.server().getId() + " failed: " + e);
            }
        }
    }

    private static RaftGroup newGroup() throws IOException {
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            peers.add(RaftPeer.newBuilder()
                    .setId(RaftPeerId.valueOf("s" + i))
                    .setAddress("127.0.0.1:" + freePort())
                    .build());
        }
        RaftGroupId id = RaftGroupId.valueOf(UUID.nameUUIDFromBytes("herd-state-test".getBytes(UTF_8)));
        return RaftGroup.valueOf(id, peers);
    }

    private static RaftClient newClient(RaftGroup group) {
        return RaftClient.newBuilder().setProperties(new RaftProperties()).setRaftGroup(group).build();
    }

    private static ApplyResult send(RaftClient client, Command command) throws IOException {
        RaftClientReply reply = client.io().send(HerdStateMachine.encode(command));
        assertThat(reply.isSuccess()).as("reply to %s: %s", command, reply).isTrue();
        return HerdStateMachine.decodeResult(reply.getMessage());
    }

    private static void assertRefused(RaftClient client, Message message) {
        try {
            RaftClientReply reply = client.io().send(message);
            assertThat(reply.isSuccess()).isFalse();
            assertThat(reply.getException()).isInstanceOf(StateMachineException.class);
        } catch (StateMachineException expected) {
            assertThat(expected).hasMessageContaining("not a Herd command");
        } catch (IOException e) {
            fail("expected the state machine to refuse the message, got " + e);
        }
    }

    /** Waits until every replica applied {@code index} and all hold the same data; returns that data. */
    private static StateData awaitConvergence(List<Replica> replicas, long index) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGENCE.toNanos();
        while (true) {
            List<StateData> data = new ArrayList<>();
            for (Replica replica : replicas) {
                replica.store().awaitIndexAfter(index - 1, Duration.ofMillis(100));
                data.add(replica.store().toData());
            }
            boolean allApplied = data.stream().allMatch(each -> each.index() >= index);
            if (allApplied && data.stream().distinct().count() == 1) {
                return data.getFirst();
            }
            if (System.nanoTime() > deadline) {
                fail("replicas did not converge at index " + index + "; their indexes: "
                        + data.stream().map(StateData::index).toList() + ", equal: "
                        + (data.stream().distinct().count() == 1));
            }
        }
    }

    /** The Raft index in the name of the newest snapshot file, or -1. */
    private static long latestSnapshotIndex(Path storage) throws IOException {
        return latestSnapshotFile(storage).map(RaftReplicationTest::snapshotIndex).orElse(-1L);
    }

    /**
     * The state in the newest snapshot. Its own index may be below the one in the file name: the name counts
     * Raft's own log entries (configuration, a new leader's first entry) too.
     */
    private static StateData latestSnapshot(Path storage) throws IOException {
        Path file = latestSnapshotFile(storage).orElseThrow();
        return Json.read(Files.readAllBytes(file), StateData.class);
    }

    private static Optional<Path> latestSnapshotFile(Path storage) throws IOException {
        try (Stream<Path> files = Files.walk(storage)) {
            return files.filter(path -> snapshotIndex(path) >= 0)
                    .max(Comparator.comparingLong(RaftReplicationTest::snapshotIndex));
        }
    }

    private static long snapshotIndex(Path path) {
        Matcher matcher = SimpleStateMachineStorage.SNAPSHOT_REGEX.matcher(path.getFileName().toString());
        return matcher.matches() ? Long.parseLong(matcher.group(2)) : -1;
    }

    private static int port(RaftPeer peer) {
        String address = peer.getAddress();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
