package io.herd.testkit;

import io.herd.api.Constraint;
import io.herd.api.Group;
import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PortRange;
import io.herd.api.Resources;
import io.herd.api.Task;
import io.herd.api.TaskStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildersTest {
    @Test
    void nodeDefaults() {
        Node node = Nodes.node("n1").build();

        assertThat(node.id()).isEqualTo("n1");
        assertThat(node.name()).isEqualTo("n1");
        assertThat(node.capacity()).isEqualTo(new Resources(4000, 8L << 30, 100L << 30));
        assertThat(node.drivers()).containsExactly("exec");
        assertThat(node.ports()).isEqualTo(PortRange.DEFAULT);
        assertThat(node.status()).isEqualTo(NodeStatus.READY);
    }

    @Test
    void nodeWithEverything() {
        Node node = Nodes.node("n1").id("id-1").cpu("500m").memory("1Gi").disk("2Gi").label("rack", "r1")
                .driver("java").ports(30000, 30010).status(NodeStatus.DRAINING).build();

        assertThat(node.id()).isEqualTo("id-1");
        assertThat(node.capacity()).isEqualTo(new Resources(500, 1L << 30, 2L << 30));
        assertThat(node.labels()).containsExactlyEntriesOf(Map.of("rack", "r1"));
        assertThat(node.drivers()).containsExactly("java");
        assertThat(node.ports()).isEqualTo(new PortRange(30000, 30010));
        assertThat(node.status()).isEqualTo(NodeStatus.DRAINING);
        assertThat(Nodes.node("bare").drivers().build().drivers()).isEmpty();
        assertThat(Nodes.nodes("n", 3)).extracting(Node::id).containsExactly("n1", "n2", "n3");
    }

    @Test
    void rejectsAQuantityThatDoesNotParse() {
        assertThatThrownBy(() -> Nodes.node("n1").memory("lots")).hasMessageContaining("lots");
    }

    @Test
    void jobDefaultsMatchTheSpecParser() {
        Job job = Jobs.job("hello").build();

        assertThat(job.id()).isEqualTo("demo/hello");
        assertThat(job.type()).isEqualTo(JobType.SERVICE);
        assertThat(job.priority()).isEqualTo(200);
        assertThat(job.version()).isEqualTo(1);
        assertThat(job.stopped()).isFalse();
        Group group = job.groups().getFirst();
        assertThat(group.name()).isEqualTo("web");
        assertThat(group.count()).isEqualTo(1);
        Task task = group.tasks().getFirst();
        assertThat(task.name()).isEqualTo("server");
        assertThat(task.driver()).isEqualTo("exec");
        assertThat(task.command()).hasValue("/bin/sleep");
        assertThat(task.args()).containsExactly("3600");
        assertThat(task.resources()).isEqualTo(new Resources(100, 128L << 20, 0));
        assertThat(Jobs.job("report").type(JobType.BATCH).build().priority()).isEqualTo(100);
    }

    @Test
    void jobWithEverything() {
        Job job = Jobs.job("hello").app("trade_checkout").type(JobType.BATCH).priority(300)
                .constraint("node.zone", Constraint.Operator.IN, "a", "b")
                .group(Jobs.group("web").count(3).spread("node.rack").constraint("rack", Constraint.Operator.EXISTS)
                        .task(Jobs.task("server").cpu("250m").memory("64Mi").disk("1Gi").ports("http", "admin")
                                .env("MODE", "test").command("/bin/echo", "hi").killTimeout(Duration.ofSeconds(1))))
                .version(3).stopped(true).build();

        assertThat(job.constraints()).containsExactly(new Constraint("node.zone", Constraint.Operator.IN, List.of("a", "b")));
        Group group = job.group("web").orElseThrow();
        assertThat(group.count()).isEqualTo(3);
        assertThat(group.spread().attr()).isEqualTo("node.rack");
        assertThat(group.portNames()).containsExactly("http", "admin");
        assertThat(group.resources()).isEqualTo(new Resources(250, 64L << 20, 1L << 30));
        assertThat(group.tasks().getFirst().args()).containsExactly("hi");
        assertThat(group.tasks().getFirst().env()).containsEntry("MODE", "test");
        assertThat(job.version()).isEqualTo(3);
        assertThat(job.stopped()).isTrue();
    }

    @Test
    void instanceTakesItsShapeFromTheJob() {
        Job job = Jobs.job("hello").version(4)
                .group(Jobs.group("web").task(Jobs.task("server").cpu("1")).task(Jobs.task("sidecar"))).build();
        Node node = Nodes.node("n7").id("id-7").build();

        Instance instance = Instances.instance(job, "web", 2).node(node).port("http", 20001).build();
        Instance failed = Instances.instance(job, "web", 2).state(InstanceState.FAILED).build();

        assertThat(instance.name()).isEqualTo("hello.web[2]");
        assertThat(instance.id()).isNotEqualTo(failed.id());
        assertThat(instance.jobVersion()).isEqualTo(4);
        assertThat(instance.nodeId()).isEqualTo("id-7");
        assertThat(instance.nodeName()).isEqualTo("n7");
        assertThat(instance.resources()).isEqualTo(job.groups().getFirst().resources());
        assertThat(instance.state()).isEqualTo(InstanceState.RUNNING);
        assertThat(instance.tasks()).containsOnlyKeys("server", "sidecar");
        assertThat(instance.tasks().get("server").status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(failed.nodeId()).isEqualTo("n1");
        assertThat(failed.tasks().get("server").exitCode()).isEqualTo(1);
        assertThatThrownBy(() -> Instances.instance(job, "db", 0)).hasMessageContaining("no group db");
    }

    @Test
    void fakeClockMovesOnlyWhenTold() throws Exception {
        FakeClock clock = new FakeClock();
        assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START);

        assertThat(clock.advance(Duration.ofSeconds(5))).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(5));
        clock.set(Instant.EPOCH);
        assertThat(clock.millis()).isZero();

        // Advances from several threads all count: none is lost to a race.
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService executor = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                executor.submit(() -> {
                    start.await();
                    for (int j = 0; j < 1000; j++) {
                        clock.advance(Duration.ofMillis(1));
                    }
                    return null;
                });
            }
            start.countDown();
        }
        assertThat(clock.instant()).isEqualTo(Instant.EPOCH.plusMillis(threads * 1000L));
    }
}
