package io.herd.state;

import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Json;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import static io.herd.state.StateFixtures.at;
import static io.herd.state.StateFixtures.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HerdStateMachineTest {
    @Test
    void encodesCommandsAsJsonNamedByType() {
        Command command = new UpdateInstances("n1",
                List.of(new InstanceStatusUpdate("i1", InstanceState.RUNNING, "started", Map.of())), "c1", at(0));

        Message message = HerdStateMachine.encode(command);

        assertThat(message.getContent().toStringUtf8())
                .startsWith("{\"type\":\"update_instances\",\"node_id\":\"n1\"");
        assertThat(HerdStateMachine.decodeCommand(message.getContent())).isEqualTo(command);
    }

    @Test
    void decodesResults() {
        ApplyResult result = new ApplyResult(7, true, 2, List.of("e1"), "job registered");

        ApplyResult decoded = HerdStateMachine.decodeResult(Message.valueOf(ByteString.copyFrom(
                Json.writeBytes(result))));

        assertThat(decoded).isEqualTo(result);
    }

    @Test
    void refusesWhatIsNotACommand() {
        assertThatThrownBy(() -> HerdStateMachine.decodeCommand(ByteString.copyFromUtf8("{\"type\":\"launch\"}")))
                .isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> HerdStateMachine.decodeCommand(ByteString.copyFromUtf8(
                "{\"type\":\"register_job\",\"evaluation_id\":\"e1\",\"time\":\"2025-01-01T00:00:00Z\"}")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("job is null");
        assertThatThrownBy(() -> HerdStateMachine.decodeCommand(ByteString.copyFromUtf8("null")))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void everyCommandTypeHasAStableName() {
        assertThat(HerdStateMachine.encode(new RegisterJob(job("a"), "e1", at(0))).getContent().toStringUtf8())
                .startsWith("{\"type\":\"register_job\"");
        assertThat(HerdStateMachine.encode(new GarbageCollect(List.of(), List.of(), at(0))).getContent()
                .toStringUtf8()).isEqualTo("{\"type\":\"garbage_collect\",\"instance_ids\":[],\"evaluation_ids\":[],"
                + "\"time\":\"2025-03-01T10:00:00Z\"}");
    }
}
