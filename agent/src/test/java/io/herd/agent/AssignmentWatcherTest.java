package io.herd.agent;

import io.herd.api.Instance;
import io.herd.client.HerdClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AssignmentWatcherTest {
    private final FakeServer server = FakeServer.start();
    private final HerdClient client = new HerdClient(List.of(server.address()));
    private final List<List<Instance>> seen = new CopyOnWriteArrayList<>();
    private final AssignmentWatcher watcher = new AssignmentWatcher(client, "node-1", assigned -> {
        seen.add(assigned);
        return false;
    });

    @AfterEach
    void tearDown() {
        watcher.close();
        client.close();
        server.close();
    }

    @Test
    void ignoresAnswersOlderThanWhatItSawUntilTheNodeRegistersAgain() {
        Instance instance = AgentFixture.instance();
        server.put(new Instance(instance.id(), instance.app(), instance.job(), instance.group(), 0, 1, "node-1", "n",
                null, null, null, null, null, null, null, null, null));
        watcher.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().anyMatch(list -> list.size() == 1));

        // a lagging replica answers with an older index and without the instance: stopping it would be wrong
        server.answerStale(1L);
        int before = server.staleAnswers.get();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.staleAnswers.get() >= before + 3);
        assertThat(seen).noneMatch(List::isEmpty);

        // after a re-registration the servers' state may have been rebuilt: the smaller index is the truth
        watcher.resetIndex();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.stream().anyMatch(List::isEmpty));
    }
}
