package io.herd.state;

import io.herd.api.Json;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterStatePropertyTest {
    @Provide
    Arbitrary<List<Command>> commands() {
        return CommandArbitraries.commandSequences();
    }

    @Property(tries = 300)
    void applyNeverThrowsAndEveryIndexStaysConsistent(@ForAll("commands") List<Command> commands) {
        ClusterState state = new ClusterState();
        long index = 0;
        for (Command command : commands) {
            index += 1 + index % 3; // Raft indexes have gaps where configuration entries sit
            ApplyResult result = state.apply(index, command);
            assertThat(result.index()).isEqualTo(index);
            assertThat(state.view().index()).isEqualTo(index);
            StateInvariants.check(state);
        }
    }

    @Property(tries = 300)
    void aSnapshotThroughJsonRestoresTheSameState(@ForAll("commands") List<Command> commands) {
        ClusterState state = applyAll(commands);

        StateData data = state.toData();
        StateData decoded = Json.read(Json.writeBytes(data), StateData.class);

        assertThat(decoded).isEqualTo(data);
        assertThat(ClusterState.fromData(decoded).toData()).isEqualTo(data);
    }

    @Property(tries = 200)
    void twoReplicasFedTheSameCommandsAgree(@ForAll("commands") List<Command> commands) {
        assertThat(applyAll(commands).toData()).isEqualTo(applyAll(commands).toData());
    }

    /** What matters for a follower restarting from a snapshot: going on from it ends where the leader ends. */
    @Property(tries = 200)
    void aRestoredReplicaGoesOnLikeTheOriginal(@ForAll("commands") List<Command> before,
            @ForAll("commands") List<Command> after) {
        ClusterState original = applyAll(before);
        ClusterState restored = ClusterState.fromData(Json.read(Json.writeBytes(original.toData()), StateData.class));
        long index = before.size();
        for (Command command : after) {
            index++;
            assertThat(restored.apply(index, command)).isEqualTo(original.apply(index, command));
        }

        assertThat(restored.toData()).isEqualTo(original.toData());
    }

    @Property(tries = 300)
    void commandsSurviveTheirJsonEncoding(@ForAll("commands") List<Command> commands) {
        for (Command command : commands) {
            Command decoded = HerdStateMachine.decodeCommand(HerdStateMachine.encode(command).getContent());
            assertThat(decoded).isEqualTo(command);
        }
    }

    private static ClusterState applyAll(List<Command> commands) {
        ClusterState state = new ClusterState();
        long index = 0;
        for (Command command : commands) {
            state.apply(++index, command);
        }
        return state;
    }
}
