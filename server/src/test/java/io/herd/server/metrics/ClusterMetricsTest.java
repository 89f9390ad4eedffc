package io.herd.server.metrics;

import io.herd.api.Instance;
import io.herd.api.InstanceState;
import io.herd.api.InstanceStatusUpdate;
import io.herd.api.Job;
import io.herd.api.Node;
import io.herd.api.NodeStatus;
import io.herd.api.PlacementFailure;
import io.herd.api.Plan;
import io.herd.api.Service;
import io.herd.api.TaskState;
import io.herd.api.TaskStatus;
import io.herd.state.ApplyPlan;
import io.herd.state.RegisterJob;
import io.herd.state.RegisterServer;
import io.herd.state.SetNodeStatus;
import io.herd.state.StateStore;
import io.herd.state.UpdateInstances;
import io.herd.state.UpsertNode;
import io.herd.testkit.FakeClock;
import io.herd.testkit.Instances;
import io.herd.testkit.Jobs;
import io.herd.testkit.Nodes;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster-state metrics and the Prometheus discovery, computed from a state built by real commands. */
class ClusterMetricsTest {
    private final FakeClock clock = new FakeClock();
    private final StateStore store = new StateStore();
    private long index;

    private final Node nodeA = Nodes.node("node-a").address("10.0.0.1:7710").cpu("4").memory("8Gi").build();
    private final Node nodeB = Nodes.node("node-b").address("10.0.0.2:7710").build();
    private final Job job = Jobs.job("web").app("shop_front")
            .group(Jobs.group("main").count(2)
                    .service(new Service("api", "http", null, true))
                    .service(new Service("admin", "admin", null, false))
                    .task(Jobs.task("server").cpu("500m").memory("256Mi").ports("http", "admin")))
            .build();

    private void setUp() {
        store.apply(++index, new RegisterServer("s1", "127.0.0.1:7800", "127.0.0.1:7700", clock.instant()));
        store.apply(++index, new UpsertNode(nodeA, "c1", clock.instant()));
        store.apply(++index, new UpsertNode(nodeB, "c2", clock.instant()));
        store.apply(++index, new SetNodeStatus(nodeB.id(), NodeStatus.DOWN, "c3", clock.instant()));
        store.apply(++index, new RegisterJob(job, "e1", clock.instant()));
        Instance running = Instances.instance(job, "main", 0).id("i-running").node(nodeA).port("http", 21001)
                .port("admin", 21002).state(InstanceState.PENDING).build();
        Instance pending = Instances.instance(job, "main", 1).id("i-pending").node(nodeA).port("http", 21003)
                .port("admin", 21004).state(InstanceState.PENDING).build();
        store.apply(++index, new ApplyPlan(new Plan("e1", job.id(), job.version(), List.of(running, pending),
                List.of(), List.of()), false, "p1", clock.instant()));
        TaskState restarted = new TaskState(TaskStatus.RUNNING, 42L, null, null, null, 3, clock.instant(), null);
        store.apply(++index, new UpdateInstances(nodeA.id(), List.of(new InstanceStatusUpdate("i-running",
                InstanceState.RUNNING, null, Map.of("server", restarted))), "u1", clock.instant()));
    }

    @Test
    void discoveryListsServersLiveAgentsAndRunningMetricsPorts() {
        setUp();
        List<PrometheusDiscovery.TargetGroup> targets = store.read(PrometheusDiscovery::targets);

        assertThat(targets).containsExactly(
                new PrometheusDiscovery.TargetGroup(List.of("127.0.0.1:7700"), Map.of("job", "herd-server",
                        "server", "s1", "__metrics_path__", "/metrics")),
                new PrometheusDiscovery.TargetGroup(List.of("10.0.0.1:7710"), Map.of("job", "herd-agent",
                        "node", "node-a", "__metrics_path__", "/metrics")),
                // only the running instance, only the port whose service says metrics: true
                new PrometheusDiscovery.TargetGroup(List.of("10.0.0.1:21001"), Map.of("app", "shop_front",
                        "job", "web", "group", "main", "instance", "i-running", "task", "server", "node", "node-a",
                        "service", "api", "__metrics_path__", "/metrics")));
    }

    @Test
    void clusterStateIsExposedPerJobGroupAndNode() {
        setUp();
        String text = new String(new ServerMetrics(store).scrape(), StandardCharsets.UTF_8);

        assertThat(text).doesNotContain("instance=\"").contains(
                "herd_nodes{status=\"down\"} 1.0\n",
                "herd_nodes{status=\"ready\"} 1.0\n",
                "herd_node_status{node=\"node-b\",status=\"down\"} 1.0\n",
                "herd_node_capacity_cpu_cores{node=\"node-a\"} 4.0\n",
                "herd_node_allocated_cpu_cores{node=\"node-a\"} 1.0\n",
                "herd_node_allocated_memory_bytes{node=\"node-a\"} 5.36870912E8\n",
                "herd_job_info{app=\"shop_front\",job=\"web\",priority=\"200\",type=\"service\"} 1.0\n",
                "herd_jobs{stopped=\"false\",type=\"service\"} 1.0\n",
                "herd_group_instances_desired{app=\"shop_front\",group=\"main\",job=\"web\"} 2.0\n",
                "herd_group_instances_running{app=\"shop_front\",group=\"main\",job=\"web\"} 1.0\n",
                "herd_group_instances{app=\"shop_front\",group=\"main\",job=\"web\",state=\"pending\"} 1.0\n",
                "herd_group_instances{app=\"shop_front\",group=\"main\",job=\"web\",state=\"lost\"} 0.0\n",
                "herd_group_task_restarts{app=\"shop_front\",group=\"main\",job=\"web\",task=\"server\"} 3.0\n",
                "herd_instances{state=\"running\"} 1.0\n",
                "herd_instances{state=\"pending\"} 1.0\n",
                "herd_state_index " + index + ".0\n",
                "# TYPE herd_scheduler_evaluation_duration_seconds histogram\n",
                "jvm_memory_used_bytes{area=\"heap\"}");
    }

    @Test
    void nodeConditionsAndEligibilityAreGauges() {
        setUp();
        store.apply(++index, new io.herd.state.SetNodeConditions(nodeA.id(), List.of(
                new io.herd.api.NodeCondition(io.herd.api.NodeCondition.DISK_PRESSURE, io.herd.api.ConditionStatus.TRUE,
                        "DiskLow", "95% used", clock.instant()),
                new io.herd.api.NodeCondition(io.herd.api.NodeCondition.CLOCK_UNSYNCHRONIZED,
                        io.herd.api.ConditionStatus.UNKNOWN, "ClockStateUnknown", "nothing can tell", clock.instant())),
                "k1", clock.instant()));
        store.apply(++index, new io.herd.state.SetNodeEligibility(nodeA.id(), io.herd.api.NodeEligibility.INELIGIBLE,
                "k2", clock.instant()));
        String text = new String(new ServerMetrics(store).scrape(), StandardCharsets.UTF_8);

        assertThat(text).contains(
                "herd_node_condition{condition=\"DiskPressure\",node=\"node-a\",status=\"true\"} 1.0\n",
                "herd_node_condition{condition=\"DiskPressure\",node=\"node-a\",status=\"false\"} 0.0\n",
                "herd_node_condition{condition=\"ClockUnsynchronized\",node=\"node-a\",status=\"unknown\"} 1.0\n",
                "herd_nodes_by_condition{condition=\"DiskPressure\"} 1.0\n",
                "herd_nodes_by_condition{condition=\"ClockUnsynchronized\"} 0.0\n",
                "herd_node_eligible{node=\"node-a\"} 0.0\n",
                "herd_node_eligible{node=\"node-b\"} 1.0\n");
    }

    @Test
    void anUnplacedInstanceCountsUnderTheReasonThatRejectedTheMostNodes() {
        assertThat(SchedulerMetrics.mainReason(new PlacementFailure("main", 2, 5,
                Map.of("insufficient memory", 3, "missing label zone=b", 2)))).isEqualTo("insufficient memory");
        assertThat(SchedulerMetrics.mainReason(new PlacementFailure("main", 1, 2,
                Map.of("insufficient memory", 1, "insufficient cpu", 1)))).isEqualTo("insufficient cpu");
        assertThat(SchedulerMetrics.mainReason(new PlacementFailure("main", 1, 0, Map.of())))
                .isEqualTo("no ready nodes");

        ServerMetrics metrics = new ServerMetrics(store);
        metrics.scheduler().evaluated(java.time.Duration.ofMillis(30), 4, 1, List.of(
                new PlacementFailure("main", 2, 5, Map.of("insufficient memory", 3, "missing label zone=b", 2))));
        String text = new String(metrics.scrape(), StandardCharsets.UTF_8);
        assertThat(text).contains(
                "herd_scheduler_placements_total 4.0\n",
                "herd_scheduler_placements_refused_total 1.0\n",
                "herd_scheduler_placement_failures_total{reason=\"insufficient memory\"} 2.0\n",
                "herd_scheduler_evaluations_total{result=\"success\"} 1.0\n",
                "herd_scheduler_evaluation_duration_seconds_count 1\n");
    }
}
