package io.herd.cli;

import io.herd.api.Job;
import io.herd.api.JobSpecParser;
import io.herd.api.JobType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every spec in {@code examples/} is valid, and the quickstart's one is what the README promises. */
class ExamplesTest {
    /** Surefire runs in the module directory; the examples sit at the repository root. */
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void everyExampleIsAValidSpec() throws IOException {
        List<Path> specs;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            specs = files.filter(path -> path.toString().endsWith(".yaml") || path.toString().endsWith(".json"))
                    .sorted().toList();
        }
        assertThat(specs).extracting(path -> path.getFileName().toString())
                .contains("hello.yaml", "batch.yaml", "spread.yaml");
        for (Path spec : specs) {
            assertThat(JobSpecParser.parse(Files.readString(spec))).as(spec.toString()).isNotNull();
        }
    }

    @Test
    void helloRunsThreeSmallHttpServers() throws IOException {
        Job hello = JobSpecParser.parse(Files.readString(EXAMPLES.resolve("hello.yaml")));
        assertThat(hello.id()).isEqualTo("demo/hello");
        assertThat(hello.type()).isEqualTo(JobType.SERVICE);
        assertThat(hello.groups()).hasSize(1);
        assertThat(hello.groups().getFirst().count()).isEqualTo(3);
        assertThat(hello.groups().getFirst().portNames()).containsExactly("http");
        assertThat(hello.groups().getFirst().tasks().getFirst().command()).hasValue("/usr/bin/python3");
    }
}
