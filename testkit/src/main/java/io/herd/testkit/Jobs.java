package io.herd.testkit;

import io.herd.api.Affinity;
import io.herd.api.Constraint;
import io.herd.api.Group;
import io.herd.api.Job;
import io.herd.api.JobType;
import io.herd.api.Quantities;
import io.herd.api.Resources;
import io.herd.api.RestartPolicy;
import io.herd.api.Service;
import io.herd.api.Spread;
import io.herd.api.Task;
import io.herd.api.UpdatePolicy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Test jobs, with the defaults the spec parser uses:
 * {@code Jobs.job("hello").group(Jobs.group("web").count(3).task(Jobs.task("server").ports("http"))).build()}.
 * A job without groups gets one group {@code web} of count 1; a group without tasks gets one task
 * {@code server}; a task runs {@code /bin/sleep 3600} with the {@code exec} driver, cpu 100m and memory 128Mi.
 * Jobs are built as registered by the server: version 1, submitted at {@link FakeClock#DEFAULT_START}.
 */
public final class Jobs {
    private Jobs() {}

    public static JobBuilder job(String name) {
        return new JobBuilder(name);
    }

    public static GroupBuilder group(String name) {
        return new GroupBuilder(name);
    }

    public static TaskBuilder task(String name) {
        return new TaskBuilder(name);
    }

    /** {@code attr op values}, e.g. {@code constraint("node.zone", Operator.IN, "a", "b")}. */
    public static Constraint constraint(String attr, Constraint.Operator op, String... values) {
        return new Constraint(attr, op, List.of(values));
    }

    /** {@code attr op values} preferred with {@code weight} (-100..100), e.g. {@code affinity("node.zone", Operator.EQUAL, 50, "a")}. */
    public static Affinity affinity(String attr, Constraint.Operator op, int weight, String... values) {
        return new Affinity(attr, op, List.of(values), weight);
    }

    public static final class JobBuilder {
        private String name;
        private String app = "demo";
        private JobType type = JobType.SERVICE;
        private Integer priority;
        private final List<Constraint> constraints = new ArrayList<>();
        private final List<Affinity> affinities = new ArrayList<>();
        private final List<Group> groups = new ArrayList<>();
        private long version = 1;
        private Instant submitTime = FakeClock.DEFAULT_START;
        private boolean stopped;
        private io.herd.api.BatchPolicy batch;
        private io.herd.api.CronPolicy cron;
        private final List<io.herd.api.Dependency> dependsOn = new ArrayList<>();
        private io.herd.api.GcPolicy gc;

        private JobBuilder(String name) {
            this.name = requireNonNull(name, "name is null");
        }

        public JobBuilder name(String newName) {
            this.name = requireNonNull(newName, "name is null");
            return this;
        }

        public JobBuilder app(String newApp) {
            this.app = requireNonNull(newApp, "app is null");
            return this;
        }

        public JobBuilder type(JobType newType) {
            this.type = requireNonNull(newType, "type is null");
            return this;
        }

        /** Without it: 200 for a service, 100 otherwise, as the spec parser does. */
        public JobBuilder priority(int newPriority) {
            this.priority = newPriority;
            return this;
        }

        public JobBuilder constraint(Constraint constraint) {
            constraints.add(constraint);
            return this;
        }

        public JobBuilder constraint(String attr, Constraint.Operator op, String... values) {
            return constraint(Jobs.constraint(attr, op, values));
        }

        public JobBuilder affinity(String attr, Constraint.Operator op, int weight, String... values) {
            affinities.add(Jobs.affinity(attr, op, weight, values));
            return this;
        }

        public JobBuilder group(GroupBuilder group) {
            return group(group.build());
        }

        public JobBuilder group(Group group) {
            groups.add(group);
            return this;
        }

        public JobBuilder version(long newVersion) {
            this.version = newVersion;
            return this;
        }

        public JobBuilder submitTime(Instant time) {
            this.submitTime = time;
            return this;
        }

        public JobBuilder stopped(boolean newStopped) {
            this.stopped = newStopped;
            return this;
        }

        public JobBuilder batch(io.herd.api.BatchPolicy newBatch) {
            this.batch = newBatch;
            return this;
        }

        /** Makes it a cron job with this policy. */
        public JobBuilder cron(io.herd.api.CronPolicy newCron) {
            this.cron = newCron;
            this.type = JobType.CRON;
            return this;
        }

        public JobBuilder dependsOn(String jobId, io.herd.api.Dependency.Condition condition) {
            dependsOn.add(new io.herd.api.Dependency(jobId, condition));
            return this;
        }

        public JobBuilder gc(Integer keepFinished, Duration keepFor) {
            this.gc = new io.herd.api.GcPolicy(keepFinished, keepFor);
            return this;
        }

        public Job build() {
            int effectivePriority = priority != null ? priority : type == JobType.SERVICE ? 200 : 100;
            List<Group> effectiveGroups = groups.isEmpty() ? List.of(Jobs.group("web").build()) : groups;
            return new Job(name, app, type, effectivePriority, constraints, affinities, effectiveGroups, version,
                    submitTime, stopped, batch, cron, dependsOn, gc);
        }
    }

    public static final class GroupBuilder {
        private final String name;
        private int count = 1;
        private final List<Constraint> constraints = new ArrayList<>();
        private final List<Affinity> affinities = new ArrayList<>();
        private Spread spread;
        private boolean distinctHosts;
        private Integer maxPerNode;
        private UpdatePolicy update = UpdatePolicy.DEFAULT;
        private RestartPolicy restart = RestartPolicy.DEFAULT_SERVICE;
        private final List<Service> services = new ArrayList<>();
        private final List<Task> tasks = new ArrayList<>();
        private final List<io.herd.api.Volume> volumes = new ArrayList<>();

        private GroupBuilder(String name) {
            this.name = requireNonNull(name, "name is null");
        }

        public GroupBuilder count(int newCount) {
            this.count = newCount;
            return this;
        }

        public GroupBuilder constraint(Constraint constraint) {
            constraints.add(constraint);
            return this;
        }

        public GroupBuilder constraint(String attr, Constraint.Operator op, String... values) {
            return constraint(Jobs.constraint(attr, op, values));
        }

        /** Spread instances across the values of a node attribute such as {@code node.rack}. */
        public GroupBuilder spread(String attr) {
            this.spread = new Spread(attr);
            return this;
        }

        /**
         * Spread with targets: {@code spread("node.zone", "a", 70, "b", 30)} puts 70% on zone a, 30% on zone b.
         *
         * @param valuesAndPercents value, percent, value, percent, ...
         */
        public GroupBuilder spread(String attr, Object... valuesAndPercents) {
            List<Spread.Target> targets = new ArrayList<>();
            for (int i = 0; i < valuesAndPercents.length; i += 2) {
                targets.add(new Spread.Target((String) valuesAndPercents[i], (Integer) valuesAndPercents[i + 1]));
            }
            this.spread = new Spread(attr, targets);
            return this;
        }

        public GroupBuilder affinity(String attr, Constraint.Operator op, int weight, String... values) {
            affinities.add(Jobs.affinity(attr, op, weight, values));
            return this;
        }

        /** At most one instance of the group per node. */
        public GroupBuilder distinctHosts() {
            this.distinctHosts = true;
            return this;
        }

        public GroupBuilder maxPerNode(int max) {
            this.maxPerNode = max;
            return this;
        }

        public GroupBuilder update(UpdatePolicy policy) {
            this.update = policy;
            return this;
        }

        public GroupBuilder restart(RestartPolicy policy) {
            this.restart = policy;
            return this;
        }

        public GroupBuilder service(Service service) {
            services.add(service);
            return this;
        }

        public GroupBuilder task(TaskBuilder task) {
            return task(task.build());
        }

        public GroupBuilder task(Task task) {
            tasks.add(task);
            return this;
        }

        /** A sticky volume of {@code size} (e.g. 1Gi) per index: makes the group stateful. */
        public GroupBuilder volume(String volumeName, String size) {
            volumes.add(new io.herd.api.Volume(volumeName, Quantities.parseSize(size).orElseThrow()));
            return this;
        }

        public Group build() {
            List<Task> effectiveTasks = tasks.isEmpty() ? List.of(Jobs.task("server").build()) : tasks;
            return new Group(name, count, constraints, affinities, spread, distinctHosts, maxPerNode, update, restart,
                    services, effectiveTasks, volumes);
        }
    }

    public static final class TaskBuilder {
        private final String name;
        private String driver = "exec";
        private Map<String, Object> config = new LinkedHashMap<>(Map.of("command", "/bin/sleep", "args", List.of("3600")));
        private final Map<String, String> env = new TreeMap<>();
        private long cpuMillis = 100;
        private long memoryBytes = 128L << 20;
        private long diskBytes;
        private long gpuMillis;
        private String gpuModel;
        private final List<String> ports = new ArrayList<>();
        private Duration killTimeout = Task.DEFAULT_KILL_TIMEOUT;

        private TaskBuilder(String name) {
            this.name = requireNonNull(name, "name is null");
        }

        public TaskBuilder driver(String newDriver) {
            this.driver = requireNonNull(newDriver, "driver is null");
            return this;
        }

        /** Driver-specific configuration, replacing the default command. */
        public TaskBuilder config(Map<String, Object> newConfig) {
            this.config = new LinkedHashMap<>(newConfig);
            return this;
        }

        public TaskBuilder command(String command, String... args) {
            Map<String, Object> newConfig = new LinkedHashMap<>();
            newConfig.put("command", command);
            newConfig.put("args", List.of(args));
            this.config = newConfig;
            return this;
        }

        public TaskBuilder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public TaskBuilder cpu(String cpu) {
            this.cpuMillis = Nodes.parse("cpu", cpu, Quantities.parseCpu(cpu));
            return this;
        }

        public TaskBuilder memory(String memory) {
            this.memoryBytes = Nodes.parse("memory", memory, Quantities.parseSize(memory));
            return this;
        }

        public TaskBuilder disk(String disk) {
            this.diskBytes = Nodes.parse("disk", disk, Quantities.parseSize(disk));
            return this;
        }

        public TaskBuilder resources(Resources resources) {
            this.cpuMillis = resources.cpuMillis();
            this.memoryBytes = resources.memoryBytes();
            this.diskBytes = resources.diskBytes();
            this.gpuMillis = resources.gpuMillis();
            this.gpuModel = resources.gpuModel();
            return this;
        }

        /** GPUs as in a job spec: {@code 0.25} (a share of one device), {@code 2} (whole devices). */
        public TaskBuilder gpu(String gpu) {
            this.gpuMillis = Nodes.parse("gpu", gpu, Quantities.parseCpu(gpu));
            return this;
        }

        public TaskBuilder gpuModel(String model) {
            this.gpuModel = model;
            return this;
        }

        /** Named ports, each given a free host port at placement. */
        public TaskBuilder ports(String... names) {
            ports.addAll(List.of(names));
            return this;
        }

        public TaskBuilder killTimeout(Duration timeout) {
            this.killTimeout = timeout;
            return this;
        }

        public Task build() {
            return new Task(name, driver, config, env,
                    new Resources(cpuMillis, memoryBytes, diskBytes, gpuMillis, gpuModel), ports,
                    killTimeout);
        }
    }
}
