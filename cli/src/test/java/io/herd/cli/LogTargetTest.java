package io.herd.cli;

import io.herd.api.ErrorCode;
import io.herd.api.HerdException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code INSTANCE[/TASK]} argument of {@code herd logs} and the {@code --tail} line finder. */
class LogTargetTest {
    @Test
    void instanceAlone() {
        assertThat(LogTarget.parse("3f2a")).isEqualTo(new LogTarget("3f2a", Optional.empty()));
        assertThat(LogTarget.parse(" 3f2a ")).isEqualTo(new LogTarget("3f2a", Optional.empty()));
    }

    @Test
    void instanceAndTask() {
        assertThat(LogTarget.parse("3f2a9c1b/server")).isEqualTo(new LogTarget("3f2a9c1b", Optional.of("server")));
    }

    @Test
    void malformedTargetsSayWhatIsMissing() {
        assertError("", ErrorCode.INVALID_ARGUMENT, "give an instance id (or a unique prefix of one), optionally followed by /TASK");
        assertError("/server", ErrorCode.INVALID_ARGUMENT, "'/server' has no instance id before '/'");
        assertError("3f2a/", ErrorCode.INVALID_ARGUMENT, "'3f2a/' has no task name after '/'; write INSTANCE or INSTANCE/TASK");
        assertError("a/b/c", ErrorCode.INVALID_ARGUMENT, "'a/b/c' has more than one '/'; write INSTANCE or INSTANCE/TASK");
    }

    @Test
    void theOnlyTaskIsChosenWhenNoneIsGiven() {
        assertThat(LogTarget.parse("3f2a").chooseTask("hello.web[0]", List.of("server"))).isEqualTo("server");
    }

    @Test
    void severalTasksMustBeChosenBetween() {
        LogTarget target = LogTarget.parse("3f2a");
        assertThatThrownBy(() -> target.chooseTask("hello.web[0]", List.of("sidecar", "server")))
                .isInstanceOf(HerdException.class)
                .hasMessage("instance hello.web[0] has 2 tasks (server, sidecar); choose one as 3f2a/TASK");
        assertThat(LogTarget.parse("3f2a/sidecar").chooseTask("hello.web[0]", List.of("sidecar", "server")))
                .isEqualTo("sidecar");
    }

    @Test
    void anUnknownTaskListsTheKnownOnes() {
        assertThatThrownBy(() -> LogTarget.parse("3f2a/db").chooseTask("hello.web[0]", List.of("server")))
                .isInstanceOf(HerdException.class)
                .hasMessage("instance hello.web[0] has no task db (tasks: server)")
                .extracting(e -> ((HerdException) e).code()).isEqualTo(ErrorCode.TASK_NOT_FOUND);
    }

    @Test
    void anExplicitTaskIsTrustedWhenTheTasksAreNotKnownYet() {
        assertThat(LogTarget.parse("3f2a/server").chooseTask("hello.web[0]", List.of())).isEqualTo("server");
        assertThatThrownBy(() -> LogTarget.parse("3f2a").chooseTask("hello.web[0]", List.of()))
                .hasMessage("instance hello.web[0] has no known tasks; give one as 3f2a/TASK");
    }

    @Test
    void tailFindsTheLastLines() {
        byte[] log = "one\ntwo\nthree\n".getBytes(StandardCharsets.UTF_8);
        assertThat(tail(log, 1)).isEqualTo("three\n");
        assertThat(tail(log, 2)).isEqualTo("two\nthree\n");
        assertThat(tail(log, 3)).isEqualTo("one\ntwo\nthree\n");
        assertThat(tail(log, 10)).isEqualTo("one\ntwo\nthree\n");
        assertThat(tail(log, 0)).isEmpty();
        assertThat(LogTail.startOfLastLines(log, 3)).as("the whole chunk").isZero();
        assertThat(LogTail.startOfLastLines(log, 2)).isEqualTo(4);
    }

    @Test
    void tailCountsAnUnfinishedLastLine() {
        byte[] log = "one\ntwo\nthr".getBytes(StandardCharsets.UTF_8);
        assertThat(tail(log, 1)).isEqualTo("thr");
        assertThat(tail(log, 2)).isEqualTo("two\nthr");
        assertThat(tail(new byte[0], 5)).isEmpty();
        assertThat(tail("\n\n".getBytes(StandardCharsets.UTF_8), 1)).isEqualTo("\n");
    }

    private static String tail(byte[] data, int lines) {
        return new String(LogTail.lastLines(data, lines), StandardCharsets.UTF_8);
    }

    private static void assertError(String text, ErrorCode code, String message) {
        assertThatThrownBy(() -> LogTarget.parse(text))
                .isInstanceOf(HerdException.class)
                .hasMessage(message)
                .extracting(e -> ((HerdException) e).code()).isEqualTo(code);
    }
}
