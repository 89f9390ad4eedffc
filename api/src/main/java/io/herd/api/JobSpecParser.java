package io.herd.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns a job spec (YAML or JSON; JSON is YAML) into a {@link Job}, reporting every problem at once with its
 * path. Unknown fields are errors, so that a typo never silently drops a setting.
 */
public final class JobSpecParser {
    public static final Set<String> SUPPORTED_DRIVERS = Set.of("exec");
    private static final Set<String> KNOWN_DRIVERS = Set.of("exec", "java", "oci");
    private static final Pattern JOB_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern APP_CODE = Pattern.compile("^[a-z0-9]+(_[a-z0-9]+)*$");
    private static final Pattern PORT_NAME = Pattern.compile("^[a-z][a-z0-9_]{0,30}$");
    private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");
    private static final Resources DEFAULT_RESOURCES = new Resources(100, 128L << 20, 0);
    private static final int MAX_COUNT = 10_000;

    private final List<ErrorDetail> errors = new ArrayList<>();

    private JobSpecParser() {}

    /** Parses and validates; throws {@link HerdException} with code {@code INVALID_JOB_SPEC} and every problem. */
    public static Job parse(String text) {
        JsonNode root;
        try {
            root = Json.yaml().readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            String location = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new HerdException(ErrorCode.INVALID_JOB_SPEC, "the job spec is not valid YAML or JSON" + location,
                    List.of(new ErrorDetail("", e.getOriginalMessage())));
        }
        return parse(root);
    }

    public static Job parse(JsonNode root) {
        JobSpecParser parser = new JobSpecParser();
        Job job = parser.job(root);
        if (!parser.errors.isEmpty()) {
            String summary = parser.errors.size() == 1 ? "the job spec has 1 problem: " + parser.errors.getFirst()
                    : "the job spec has " + parser.errors.size() + " problems";
            throw new HerdException(ErrorCode.INVALID_JOB_SPEC, summary, parser.errors);
        }
        return job;
    }

    private Job job(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            error("", "the job spec is empty");
            return null;
        }
        if (!root.isObject()) {
            error("", "the job spec must be a mapping with fields job, app, groups, ...");
            return null;
        }
        checkFields(root, "", Set.of("job", "app", "type", "priority", "constraints", "affinities", "groups", "batch",
                "cron", "depends_on", "gc"));
        String name = requiredString(root, "job", "");
        if (name != null && !JOB_NAME.matcher(name).matches()) {
            error("job", quote(name) + " is not a valid job name (lowercase letters, digits and '-', at most 63)");
        }
        String app = requiredString(root, "app", "");
        if (app != null && !APP_CODE.matcher(app).matches()) {
            error("app", quote(app) + " is not a valid appcode (lowercase letters and digits joined by '_', e.g. trade_checkout_api)");
        }
        JobType type = JobType.SERVICE;
        String typeText = optionalString(root, "type", "");
        if (typeText != null) {
            try {
                type = JobType.fromWireName(typeText);
            } catch (IllegalArgumentException e) {
                error("type", quote(typeText) + " is not a job type (service, batch or cron)");
            }
        }
        int priority = type == JobType.SERVICE ? 200 : 100;
        if (root.has("priority")) {
            Integer value = integer(root.get("priority"), "priority");
            if (value != null) {
                if (value < 0 || value > 999) {
                    error("priority", value + " is out of range 0-999");
                } else {
                    priority = value;
                }
            }
        }
        List<Constraint> constraints = constraints(root.get("constraints"), "constraints");
        List<Affinity> affinities = affinities(root.get("affinities"), "affinities");
        List<Group> groups = new ArrayList<>();
        JsonNode groupsNode = root.get("groups");
        if (groupsNode == null || groupsNode.isNull()) {
            error("groups", "is required: a job needs at least one group");
        } else if (!groupsNode.isArray() || groupsNode.isEmpty()) {
            error("groups", "must be a non-empty list of groups");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < groupsNode.size(); i++) {
                Group group = group(groupsNode.get(i), "groups[" + i + "]", type);
                if (group != null) {
                    if (!names.add(group.name())) {
                        error("groups[" + i + "].name", quote(group.name()) + " is used by another group of this job");
                    }
                    groups.add(group);
                }
            }
        }
        BatchPolicy batch = batch(root.get("batch"), type);
        CronPolicy cron = cron(root.get("cron"), type);
        List<Dependency> dependsOn = dependsOn(root.get("depends_on"), app, name);
        GcPolicy gc = gc(root.get("gc"), "gc");
        if (name == null || app == null) {
            return null;
        }
        return new Job(name, app, type, priority, constraints, affinities, groups, 0, null, false, batch, cron,
                dependsOn, gc);
    }

    private BatchPolicy batch(JsonNode node, JobType type) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (type == JobType.SERVICE) {
            error("batch", "only batch and cron jobs have batch limits");
            return null;
        }
        if (!node.isObject()) {
            error("batch", "must be a mapping with max_attempts, deadline, parallelism");
            return null;
        }
        checkFields(node, "batch", Set.of("max_attempts", "deadline", "parallelism"));
        int maxAttempts = nonNegative(node, "max_attempts", "batch", BatchPolicy.DEFAULT_MAX_ATTEMPTS);
        Duration deadline = duration(node, "deadline", "batch").orElse(null);
        if (deadline != null && deadline.isZero()) {
            error("batch.deadline", "must be longer than 0 (leave it out for no deadline)");
        }
        int parallelism = nonNegative(node, "parallelism", "batch", 0);
        return new BatchPolicy(maxAttempts, deadline, parallelism);
    }

    private CronPolicy cron(JsonNode node, JobType type) {
        if (node == null || node.isNull()) {
            if (type == JobType.CRON) {
                error("cron", "is required for a cron job: cron: {schedule: \"*/5 * * * *\"}");
            }
            return null;
        }
        if (type != JobType.CRON) {
            error("cron", "only a job of type cron has a schedule (add type: cron)");
            return null;
        }
        if (!node.isObject()) {
            error("cron", "must be a mapping with schedule, time_zone, concurrency, catch_up, starting_deadline");
            return null;
        }
        checkFields(node, "cron", Set.of("schedule", "time_zone", "concurrency", "catch_up", "starting_deadline"));
        String schedule = requiredString(node, "schedule", "cron");
        if (schedule != null) {
            try {
                CronExpression.parse(schedule);
            } catch (IllegalArgumentException e) {
                error("cron.schedule", quote(schedule) + " is not a cron schedule: " + e.getMessage());
            }
        }
        String timeZone = optionalString(node, "time_zone", "cron");
        if (timeZone != null) {
            try {
                java.time.ZoneId.of(timeZone);
            } catch (java.time.DateTimeException e) {
                error("cron.time_zone", quote(timeZone) + " is not a time zone (an IANA name such as Europe/Berlin, or UTC)");
            }
        }
        CronPolicy.Concurrency concurrency = null;
        String concurrencyText = optionalString(node, "concurrency", "cron");
        if (concurrencyText != null) {
            try {
                concurrency = CronPolicy.Concurrency.fromWireName(concurrencyText);
            } catch (IllegalArgumentException e) {
                error("cron.concurrency", quote(concurrencyText) + " is not allow, forbid or replace");
            }
        }
        CronPolicy.CatchUp catchUp = null;
        String catchUpText = optionalString(node, "catch_up", "cron");
        if (catchUpText != null) {
            try {
                catchUp = CronPolicy.CatchUp.fromWireName(catchUpText);
            } catch (IllegalArgumentException e) {
                error("cron.catch_up", quote(catchUpText) + " is not none or last");
            }
        }
        Duration startingDeadline = duration(node, "starting_deadline", "cron").orElse(null);
        if (startingDeadline != null && startingDeadline.isZero()) {
            error("cron.starting_deadline", "must be longer than 0");
        }
        return schedule == null ? null : new CronPolicy(schedule, timeZone, concurrency, catchUp, startingDeadline);
    }

    private List<Dependency> dependsOn(JsonNode node, String app, String name) {
        List<Dependency> dependencies = new ArrayList<>();
        if (node == null || node.isNull()) {
            return dependencies;
        }
        if (!node.isArray()) {
            error("depends_on", "must be a list of {job: app/job, condition: healthy|complete}");
            return dependencies;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "depends_on[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                error(path, "must be a mapping {job: app/job, condition: healthy|complete}");
                continue;
            }
            checkFields(item, path, Set.of("job", "condition"));
            String reference = requiredString(item, "job", path);
            Dependency.Condition condition = Dependency.Condition.HEALTHY;
            String conditionText = optionalString(item, "condition", path);
            if (conditionText != null) {
                try {
                    condition = Dependency.Condition.fromWireName(conditionText);
                } catch (IllegalArgumentException e) {
                    error(path + ".condition", quote(conditionText) + " is not healthy or complete");
                }
            }
            if (reference == null) {
                continue;
            }
            // "other" means a job of the same app; "app/other" names any job.
            String[] parts = reference.split("/", -1);
            String dependencyApp = parts.length == 2 ? parts[0] : app;
            String dependencyJob = parts[parts.length - 1];
            if (parts.length > 2 || !JOB_NAME.matcher(dependencyJob).matches()
                    || (dependencyApp != null && !APP_CODE.matcher(dependencyApp).matches())) {
                error(path + ".job", quote(reference) + " is not a job reference (app/job, or job for one of this app)");
                continue;
            }
            if (dependencyApp == null) {
                continue;
            }
            String id = Job.id(dependencyApp, dependencyJob);
            if (dependencyApp.equals(app) && dependencyJob.equals(name)) {
                error(path + ".job", "a job cannot depend on itself");
            } else if (!seen.add(id)) {
                error(path + ".job", id + " is listed twice");
            } else {
                dependencies.add(new Dependency(id, condition));
            }
        }
        return dependencies;
    }

    private Group group(JsonNode node, String path, JobType jobType) {
        if (!node.isObject()) {
            error(path, "must be a mapping");
            return null;
        }
        checkFields(node, path, Set.of("name", "count", "constraints", "affinities", "spread", "distinct_hosts",
                "max_per_node", "update", "restart", "services", "tasks", "volumes"));
        String name = requiredString(node, "name", path);
        if (name != null && !JOB_NAME.matcher(name).matches()) {
            error(path + ".name", quote(name) + " is not a valid group name (lowercase letters, digits and '-')");
        }
        int count = 1;
        if (node.has("count")) {
            Integer value = integer(node.get("count"), path + ".count");
            if (value != null) {
                if (value < 0 || value > MAX_COUNT) {
                    error(path + ".count", value + " is out of range 0-" + MAX_COUNT);
                } else {
                    count = value;
                }
            }
        }
        List<Constraint> constraints = constraints(node.get("constraints"), path + ".constraints");
        List<Affinity> affinities = affinities(node.get("affinities"), path + ".affinities");
        Spread spread = spread(node.get("spread"), path + ".spread");
        boolean distinctHosts = bool(node, "distinct_hosts", path).orElse(false);
        Integer maxPerNode = null;
        if (node.has("max_per_node") && !node.get("max_per_node").isNull()) {
            Integer value = integer(node.get("max_per_node"), path + ".max_per_node");
            if (value != null && value < 1) {
                error(path + ".max_per_node", "must be at least 1");
            } else {
                maxPerNode = value;
            }
        }
        UpdatePolicy update = update(node.get("update"), path + ".update");
        RestartPolicy restart = restart(node.get("restart"), path + ".restart",
                jobType == JobType.SERVICE ? RestartPolicy.DEFAULT_SERVICE : RestartPolicy.DEFAULT_BATCH);
        List<Task> tasks = new ArrayList<>();
        JsonNode tasksNode = node.get("tasks");
        if (tasksNode == null || tasksNode.isNull()) {
            error(path + ".tasks", "is required: a group needs at least one task");
        } else if (!tasksNode.isArray() || tasksNode.isEmpty()) {
            error(path + ".tasks", "must be a non-empty list of tasks");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < tasksNode.size(); i++) {
                Task task = task(tasksNode.get(i), path + ".tasks[" + i + "]");
                if (task != null) {
                    if (!names.add(task.name())) {
                        error(path + ".tasks[" + i + "].name", quote(task.name()) + " is used by another task of this group");
                    }
                    tasks.add(task);
                }
            }
        }
        checkGroupGpus(tasks, path);
        Set<String> portNames = new HashSet<>();
        tasks.forEach(task -> portNames.addAll(task.ports()));
        List<Service> services = services(node.get("services"), path + ".services", portNames);
        List<Volume> volumes = volumes(node.get("volumes"), path + ".volumes");
        if (!volumes.isEmpty()) {
            // Two instances of one index would share its volumes: an update replaces an index only once the old
            // instance stopped (the agent waits for it), so nothing may run beside it.
            if (update.maxSurge() > 0) {
                error(path + ".update.max_surge", "must be 0 for a group with volumes: the instances of an index "
                        + "share its volumes, so a new one starts only once the old one stopped");
            }
            if (update.canary() > 0) {
                error(path + ".update.canary", "must be 0 for a group with volumes: the instances of an index "
                        + "share its volumes, so a new one starts only once the old one stopped");
            }
        }
        if (name == null) {
            return null;
        }
        return new Group(name, count, constraints, affinities, spread, distinctHosts, maxPerNode, update, restart,
                services, tasks, volumes);
    }

    /** {@code volumes: [{name: data, size: 1Gi}]}: names unique in the group, each a size above zero. */
    private List<Volume> volumes(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            error(path, "must be a list of volumes, e.g. [{name: data, size: 1Gi}]");
            return List.of();
        }
        List<Volume> volumes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode volumeNode = node.get(i);
            String volumePath = path + "[" + i + "]";
            if (!volumeNode.isObject()) {
                error(volumePath, "must be a mapping with name and size");
                continue;
            }
            checkFields(volumeNode, volumePath, Set.of("name", "size"));
            String name = requiredString(volumeNode, "name", volumePath);
            if (name != null && !JOB_NAME.matcher(name).matches()) {
                error(volumePath + ".name", quote(name) + " is not a valid volume name (lowercase letters, digits and '-')");
                name = null;
            } else if (name != null && !names.add(name)) {
                error(volumePath + ".name", quote(name) + " is used by another volume of this group");
                name = null;
            }
            if (!volumeNode.has("size") || volumeNode.get("size").isNull()) {
                error(volumePath + ".size", "is required (a size such as 1Gi: reserved on the node's disk)");
                continue;
            }
            Optional<Long> size = quantity(volumeNode, "size", volumePath, Quantities::parseSize, "a size (e.g. 1Gi)");
            if (size.isPresent() && size.get() <= 0) {
                error(volumePath + ".size", "must be more than 0");
            } else if (size.isPresent() && name != null) {
                volumes.add(new Volume(name, size.get()));
            }
        }
        return volumes;
    }

    /** {@code gc: {keep_finished: 3, keep_for: 24h}}; what is left out takes the cluster default. */
    private GcPolicy gc(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            error(path, "must be a mapping, e.g. {keep_finished: 3, keep_for: 24h}");
            return null;
        }
        checkFields(node, path, Set.of("keep_finished", "keep_for"));
        Integer keepFinished = null;
        if (node.has("keep_finished") && !node.get("keep_finished").isNull()) {
            keepFinished = integer(node.get("keep_finished"), path + ".keep_finished");
            if (keepFinished != null && keepFinished < 0) {
                error(path + ".keep_finished", "must be 0 or more");
                keepFinished = null;
            }
        }
        Duration keepFor = duration(node, "keep_for", path).orElse(null);
        return keepFinished == null && keepFor == null ? null : new GcPolicy(keepFinished, keepFor);
    }

    /**
     * The tasks of an instance share its GPU devices, so their GPUs add up to one request: a share below one GPU
     * or whole GPUs, of at most one model.
     */
    private void checkGroupGpus(List<Task> tasks, String path) {
        long total = 0;
        Set<String> models = new java.util.TreeSet<>();
        for (Task task : tasks) {
            total += task.resources().gpuMillis();
            if (task.resources().gpuModel() != null) {
                models.add(task.resources().gpuModel());
            }
        }
        long withGpu = tasks.stream().filter(task -> task.resources().gpuMillis() > 0).count();
        if (withGpu > 1 && total > Resources.GPU_MILLIS_PER_DEVICE && total % Resources.GPU_MILLIS_PER_DEVICE != 0) {
            error(path + ".tasks", "the tasks ask for " + Resources.formatGpu(total) + " GPUs together: an instance"
                    + " needs a share below 1 GPU or whole GPUs");
        }
        if (models.size() > 1) {
            error(path + ".tasks", "the tasks ask for different GPU models " + models + ": an instance has one model");
        }
    }

    private Task task(JsonNode node, String path) {
        if (!node.isObject()) {
            error(path, "must be a mapping");
            return null;
        }
        checkFields(node, path, Set.of("name", "driver", "config", "env", "resources", "ports", "kill_timeout"));
        String name = requiredString(node, "name", path);
        if (name != null && !JOB_NAME.matcher(name).matches()) {
            error(path + ".name", quote(name) + " is not a valid task name (lowercase letters, digits and '-')");
        }
        String driver = requiredString(node, "driver", path);
        if (driver != null && !KNOWN_DRIVERS.contains(driver)) {
            error(path + ".driver", quote(driver) + " is not a driver (exec, java or oci)");
        } else if (driver != null && !SUPPORTED_DRIVERS.contains(driver)) {
            error(path + ".driver", "the " + driver + " driver is not available yet; use exec");
        }
        Map<String, Object> config = new LinkedHashMap<>();
        JsonNode configNode = node.get("config");
        if (configNode == null || configNode.isNull()) {
            if ("exec".equals(driver)) {
                error(path + ".config.command", "is required for the exec driver");
            }
        } else if (!configNode.isObject()) {
            error(path + ".config", "must be a mapping");
        } else if ("exec".equals(driver)) {
            checkFields(configNode, path + ".config", Set.of("command", "args"));
            String command = requiredString(configNode, "command", path + ".config");
            if (command != null) {
                if (command.isBlank()) {
                    error(path + ".config.command", "must not be empty");
                }
                config.put("command", command);
            }
            JsonNode argsNode = configNode.get("args");
            if (argsNode != null && !argsNode.isNull()) {
                if (!argsNode.isArray()) {
                    error(path + ".config.args", "must be a list of strings");
                } else {
                    List<String> args = new ArrayList<>();
                    for (int i = 0; i < argsNode.size(); i++) {
                        JsonNode arg = argsNode.get(i);
                        if (!arg.isValueNode() || arg.isNull()) {
                            error(path + ".config.args[" + i + "]", "must be a string");
                        } else {
                            args.add(arg.asText());
                        }
                    }
                    config.put("args", args);
                }
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode envNode = node.get("env");
        if (envNode != null && !envNode.isNull()) {
            if (!envNode.isObject()) {
                error(path + ".env", "must be a mapping of names to values");
            } else {
                envNode.properties().forEach(entry -> {
                    if (!ENV_NAME.matcher(entry.getKey()).matches()) {
                        error(path + ".env." + entry.getKey(), "is not a valid environment variable name");
                    } else if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                        error(path + ".env." + entry.getKey(), "must be a string");
                    } else {
                        env.put(entry.getKey(), entry.getValue().asText());
                    }
                });
            }
        }
        Resources resources = resources(node.get("resources"), path + ".resources");
        List<String> ports = new ArrayList<>();
        JsonNode portsNode = node.get("ports");
        if (portsNode != null && !portsNode.isNull()) {
            if (!portsNode.isArray()) {
                error(path + ".ports", "must be a list of port names such as [http]");
            } else {
                for (int i = 0; i < portsNode.size(); i++) {
                    String port = portsNode.get(i).isTextual() ? portsNode.get(i).asText() : null;
                    if (port == null || !PORT_NAME.matcher(port).matches()) {
                        error(path + ".ports[" + i + "]", quote(portsNode.get(i).asText())
                                + " is not a valid port name (lowercase letters, digits and '_', starting with a letter)");
                    } else if (ports.contains(port)) {
                        error(path + ".ports[" + i + "]", quote(port) + " is listed twice");
                    } else {
                        ports.add(port);
                    }
                }
            }
        }
        Duration killTimeout = duration(node, "kill_timeout", path).orElse(Task.DEFAULT_KILL_TIMEOUT);
        if (name == null || driver == null) {
            return null;
        }
        return new Task(name, driver, config, env, resources, ports, killTimeout);
    }

    private Resources resources(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return DEFAULT_RESOURCES;
        }
        if (!node.isObject()) {
            error(path, "must be a mapping such as {cpu: 250m, memory: 128Mi}");
            return DEFAULT_RESOURCES;
        }
        checkFields(node, path, Set.of("cpu", "memory", "disk", "gpu", "gpu_model"));
        long cpu = quantity(node, "cpu", path, Quantities::parseCpu, "a cpu quantity (e.g. 250m, 0.5, 2)")
                .orElse(DEFAULT_RESOURCES.cpuMillis());
        long memory = quantity(node, "memory", path, Quantities::parseSize, "a size (e.g. 128Mi, 1Gi)")
                .orElse(DEFAULT_RESOURCES.memoryBytes());
        long disk = quantity(node, "disk", path, Quantities::parseSize, "a size (e.g. 200Mi)")
                .orElse(DEFAULT_RESOURCES.diskBytes());
        if (node.has("cpu") && cpu <= 0) {
            error(path + ".cpu", "must be more than 0");
        }
        if (node.has("memory") && memory < (4L << 20)) {
            error(path + ".memory", "must be at least 4Mi");
        }
        long gpu = quantity(node, "gpu", path, Quantities::parseCpu,
                "a GPU amount (whole GPUs such as 1 or 2, or a share of one GPU such as 0.25 or 250m)").orElse(0L);
        if (node.has("gpu")) {
            checkGpu(gpu, path + ".gpu");
        }
        String gpuModel = null;
        JsonNode modelNode = node.get("gpu_model");
        if (modelNode != null && !modelNode.isNull()) {
            if (!modelNode.isTextual() || modelNode.asText().isBlank()) {
                error(path + ".gpu_model", "must be a GPU model name such as V100");
            } else if (gpu == 0) {
                error(path + ".gpu_model", "needs a gpu amount in the same resources");
            } else {
                gpuModel = modelNode.asText().strip();
            }
        }
        return new Resources(cpu, memory, disk, gpu, gpuModel);
    }

    /** A share must be below one GPU; more than one GPU must be whole GPUs (a share never spans devices). */
    private void checkGpu(long gpuMillis, String path) {
        if (gpuMillis <= 0) {
            error(path, "must be more than 0");
        } else if (gpuMillis > Resources.GPU_MILLIS_PER_DEVICE && gpuMillis % Resources.GPU_MILLIS_PER_DEVICE != 0) {
            error(path, Resources.formatGpu(gpuMillis) + " GPUs: a share must be below 1 GPU (it lives on one device), "
                    + "more than 1 must be whole GPUs");
        }
    }

    private Optional<Long> quantity(JsonNode parent, String field, String path, Function<String, Optional<Long>> parse,
            String expected) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode()) {
            error(path + "." + field, "must be " + expected);
            return Optional.empty();
        }
        Optional<Long> value = parse.apply(node.asText());
        if (value.isEmpty()) {
            error(path + "." + field, quote(node.asText()) + " is not " + expected);
        }
        return value;
    }

    private UpdatePolicy update(JsonNode node, String path) {
        UpdatePolicy defaults = UpdatePolicy.DEFAULT;
        if (node == null || node.isNull()) {
            return defaults;
        }
        if (!node.isObject()) {
            error(path, "must be a mapping");
            return defaults;
        }
        checkFields(node, path, Set.of("max_parallel", "min_healthy_time", "healthy_deadline", "auto_revert",
                "max_surge", "progress_deadline", "canary", "auto_promote"));
        int maxParallel = defaults.maxParallel();
        if (node.has("max_parallel")) {
            Integer value = integer(node.get("max_parallel"), path + ".max_parallel");
            if (value != null && value < 1) {
                error(path + ".max_parallel", "must be at least 1");
            } else if (value != null) {
                maxParallel = value;
            }
        }
        int maxSurge = nonNegative(node, "max_surge", path, defaults.maxSurge());
        int canary = nonNegative(node, "canary", path, defaults.canary());
        Duration minHealthy = duration(node, "min_healthy_time", path).orElse(defaults.minHealthyTime());
        Duration deadline = duration(node, "healthy_deadline", path).orElse(defaults.healthyDeadline());
        Duration progressDeadline = duration(node, "progress_deadline", path).orElse(defaults.progressDeadline());
        if (deadline.compareTo(minHealthy) <= 0) {
            error(path + ".healthy_deadline", "must be longer than min_healthy_time ("
                    + Quantities.formatDuration(minHealthy) + ")");
        }
        if (progressDeadline.compareTo(deadline) < 0) {
            error(path + ".progress_deadline", "must not be shorter than healthy_deadline ("
                    + Quantities.formatDuration(deadline) + ")");
        }
        boolean autoRevert = bool(node, "auto_revert", path).orElse(defaults.autoRevert());
        boolean autoPromote = bool(node, "auto_promote", path).orElse(defaults.autoPromote());
        return new UpdatePolicy(maxParallel, minHealthy, deadline, autoRevert, maxSurge, progressDeadline, canary,
                autoPromote);
    }

    private int nonNegative(JsonNode node, String field, String path, int defaultValue) {
        if (!node.has(field)) {
            return defaultValue;
        }
        Integer value = integer(node.get(field), path + "." + field);
        if (value != null && value < 0) {
            error(path + "." + field, "must be 0 or more");
            return defaultValue;
        }
        return value == null ? defaultValue : value;
    }

    private RestartPolicy restart(JsonNode node, String path, RestartPolicy defaults) {
        if (node == null || node.isNull()) {
            return defaults;
        }
        if (!node.isObject()) {
            error(path, "must be a mapping");
            return defaults;
        }
        checkFields(node, path, Set.of("attempts", "interval", "delay", "max_delay"));
        int attempts = defaults.attempts();
        if (node.has("attempts")) {
            Integer value = integer(node.get("attempts"), path + ".attempts");
            if (value != null && value < 0) {
                error(path + ".attempts", "must be 0 or more");
            } else if (value != null) {
                attempts = value;
            }
        }
        Duration interval = duration(node, "interval", path).orElse(defaults.interval());
        Duration delay = duration(node, "delay", path).orElse(defaults.delay());
        Duration maxDelay = duration(node, "max_delay", path).orElse(
                delay.compareTo(defaults.maxDelay()) > 0 ? delay : defaults.maxDelay());
        if (maxDelay.compareTo(delay) < 0) {
            error(path + ".max_delay", "must not be shorter than delay");
        }
        return new RestartPolicy(attempts, interval, delay, maxDelay);
    }

    private List<Service> services(JsonNode node, String path, Set<String> portNames) {
        List<Service> services = new ArrayList<>();
        if (node == null || node.isNull()) {
            return services;
        }
        if (!node.isArray()) {
            error(path, "must be a list of services");
            return services;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode serviceNode = node.get(i);
            String servicePath = path + "[" + i + "]";
            if (!serviceNode.isObject()) {
                error(servicePath, "must be a mapping");
                continue;
            }
            checkFields(serviceNode, servicePath, Set.of("name", "port", "check", "metrics"));
            String name = requiredString(serviceNode, "name", servicePath);
            String port = requiredString(serviceNode, "port", servicePath);
            if (port != null && !portNames.contains(port)) {
                error(servicePath + ".port", quote(port) + " is not a port of any task in this group "
                        + (portNames.isEmpty() ? "(the tasks declare no ports)" : "(ports: " + String.join(", ", new java.util.TreeSet<>(portNames)) + ")"));
            }
            Check check = null;
            JsonNode checkNode = serviceNode.get("check");
            if (checkNode != null && !checkNode.isNull()) {
                String checkPath = servicePath + ".check";
                if (!checkNode.isObject()) {
                    error(checkPath, "must be a mapping");
                } else {
                    check = check(checkNode, checkPath);
                }
            }
            boolean metrics = bool(serviceNode, "metrics", servicePath).orElse(false);
            if (name != null) {
                services.add(new Service(name, port, check, metrics));
            }
        }
        return services;
    }

    private Check check(JsonNode node, String path) {
        checkFields(node, path, Set.of("type", "path", "command", "args", "interval", "timeout", "grace",
                "success_threshold", "failure_threshold", "on_failure"));
        String type = requiredString(node, "type", path);
        if (type != null && !Set.of(Check.HTTP, Check.TCP, Check.EXEC).contains(type)) {
            error(path + ".type", quote(type) + " is not a check type (http, tcp or exec)");
        }
        String httpPath = optionalString(node, "path", path);
        if (Check.HTTP.equals(type) && httpPath == null) {
            httpPath = "/";
        } else if (httpPath != null && !Check.HTTP.equals(type)) {
            error(path + ".path", "only an http check has a path");
        }
        if (httpPath != null && !httpPath.startsWith("/")) {
            error(path + ".path", quote(httpPath) + " must start with '/'");
        }
        String command = optionalString(node, "command", path);
        List<String> args = new ArrayList<>();
        JsonNode argsNode = node.get("args");
        if (argsNode != null && !argsNode.isNull()) {
            if (!argsNode.isArray()) {
                error(path + ".args", "must be a list of strings");
            } else {
                for (int i = 0; i < argsNode.size(); i++) {
                    if (!argsNode.get(i).isValueNode() || argsNode.get(i).isNull()) {
                        error(path + ".args[" + i + "]", "must be a string");
                    } else {
                        args.add(argsNode.get(i).asText());
                    }
                }
            }
        }
        if (Check.EXEC.equals(type) && (command == null || command.isBlank())) {
            error(path + ".command", "is required for an exec check");
        } else if (!Check.EXEC.equals(type) && (command != null || !args.isEmpty())) {
            error(path + (command != null ? ".command" : ".args"), "only an exec check runs a command");
        }
        Duration interval = duration(node, "interval", path).orElse(Check.DEFAULT_INTERVAL);
        Duration timeout = duration(node, "timeout", path).orElse(Check.DEFAULT_TIMEOUT);
        Duration grace = duration(node, "grace", path).orElse(Duration.ZERO);
        if (interval.isZero() || interval.isNegative()) {
            error(path + ".interval", "must be longer than 0");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            error(path + ".timeout", "must be longer than 0");
        }
        int successThreshold = positive(node, "success_threshold", path);
        int failureThreshold = positive(node, "failure_threshold", path);
        String onFailure = optionalString(node, "on_failure", path);
        if (onFailure != null && !Set.of(Check.RESTART, Check.NONE).contains(onFailure)) {
            error(path + ".on_failure", quote(onFailure) + " is not restart or none");
        }
        return new Check(type, httpPath, command, args, interval, timeout, grace, successThreshold, failureThreshold,
                onFailure);
    }

    private int positive(JsonNode node, String field, String path) {
        if (!node.has(field)) {
            return 1;
        }
        Integer value = integer(node.get(field), path + "." + field);
        if (value != null && value < 1) {
            error(path + "." + field, "must be at least 1");
            return 1;
        }
        return value == null ? 1 : value;
    }

    private List<Constraint> constraints(JsonNode node, String path) {
        List<Constraint> constraints = new ArrayList<>();
        if (node == null || node.isNull()) {
            return constraints;
        }
        if (!node.isArray()) {
            error(path, "must be a list such as [{attr: node.zone, op: in, values: [a, b]}]");
            return constraints;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode constraintNode = node.get(i);
            String constraintPath = path + "[" + i + "]";
            if (!constraintNode.isObject()) {
                error(constraintPath, "must be a mapping");
                continue;
            }
            checkFields(constraintNode, constraintPath, Set.of("attr", "op", "value", "values"));
            condition(constraintNode, constraintPath).ifPresent(constraints::add);
        }
        return constraints;
    }

    private List<Affinity> affinities(JsonNode node, String path) {
        List<Affinity> affinities = new ArrayList<>();
        if (node == null || node.isNull()) {
            return affinities;
        }
        if (!node.isArray()) {
            error(path, "must be a list such as [{attr: node.zone, op: =, value: a, weight: 50}]");
            return affinities;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode affinityNode = node.get(i);
            String affinityPath = path + "[" + i + "]";
            if (!affinityNode.isObject()) {
                error(affinityPath, "must be a mapping");
                continue;
            }
            checkFields(affinityNode, affinityPath, Set.of("attr", "op", "value", "values", "weight"));
            Optional<Constraint> condition = condition(affinityNode, affinityPath);
            Integer weight = null;
            JsonNode weightNode = affinityNode.get("weight");
            if (weightNode == null || weightNode.isNull()) {
                error(affinityPath + ".weight", "is required: -100 to 100, negative to avoid matching nodes");
            } else {
                weight = integer(weightNode, affinityPath + ".weight");
                if (weight != null && (weight == 0 || Math.abs(weight) > Affinity.MAX_WEIGHT)) {
                    error(affinityPath + ".weight", weight + " is not a weight: -100 to 100, not 0"
                            + " (negative to avoid matching nodes)");
                    weight = null;
                }
            }
            if (condition.isPresent() && weight != null) {
                Constraint constraint = condition.get();
                affinities.add(new Affinity(constraint.attr(), constraint.op(), constraint.values(), weight));
            }
        }
        return affinities;
    }

    /** {@code attr op value|values} of a constraint or an affinity, validated for its operator. */
    private Optional<Constraint> condition(JsonNode node, String path) {
        String attr = requiredString(node, "attr", path);
        String opText = optionalString(node, "op", path);
        Constraint.Operator op = Constraint.Operator.EQUAL;
        if (opText != null) {
            Optional<Constraint.Operator> parsed = Constraint.Operator.fromSymbol(opText);
            if (parsed.isEmpty()) {
                error(path + ".op", quote(opText) + " is not an operator (=, !=, in, not_in, exists, regex, version)");
                return Optional.empty();
            }
            op = parsed.get();
        }
        List<String> values = new ArrayList<>();
        if (node.has("value") && !node.get("value").isNull()) {
            values.add(node.get("value").asText());
        }
        JsonNode valuesNode = node.get("values");
        if (valuesNode != null && !valuesNode.isNull()) {
            if (!valuesNode.isArray()) {
                error(path + ".values", "must be a list");
            } else {
                valuesNode.forEach(value -> values.add(value.asText()));
            }
        }
        Constraint constraint = new Constraint(attr == null ? "" : attr, op, values);
        Optional<String> problem = constraint.problem();
        if (problem.isPresent()) {
            // Point at the field to fix: the values for a wrong number or a bad value, the whole entry for exists.
            String field = switch (op) {
                case EXISTS -> "";
                case IN, NOT_IN -> ".values";
                default -> node.has("values") ? ".values" : ".value";
            };
            error(path + field, problem.get());
            return Optional.empty();
        }
        return attr == null ? Optional.empty() : Optional.of(constraint);
    }

    private Spread spread(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            error(path, "must be a mapping such as {attr: node.rack}");
            return null;
        }
        checkFields(node, path, Set.of("attr", "targets"));
        String attr = requiredString(node, "attr", path);
        List<Spread.Target> targets = new ArrayList<>();
        JsonNode targetsNode = node.get("targets");
        if (targetsNode != null && !targetsNode.isNull()) {
            if (!targetsNode.isArray() || targetsNode.isEmpty()) {
                error(path + ".targets", "must be a non-empty list such as [{value: a, percent: 70}, {value: b, percent: 30}]");
            } else {
                Set<String> seen = new HashSet<>();
                int total = 0;
                for (int i = 0; i < targetsNode.size(); i++) {
                    JsonNode targetNode = targetsNode.get(i);
                    String targetPath = path + ".targets[" + i + "]";
                    if (!targetNode.isObject()) {
                        error(targetPath, "must be a mapping such as {value: a, percent: 70}");
                        continue;
                    }
                    checkFields(targetNode, targetPath, Set.of("value", "percent"));
                    String value = requiredString(targetNode, "value", targetPath);
                    Integer percent = null;
                    JsonNode percentNode = targetNode.get("percent");
                    if (percentNode == null || percentNode.isNull()) {
                        error(targetPath + ".percent", "is required: 0 to 100");
                    } else {
                        percent = integer(percentNode, targetPath + ".percent");
                        if (percent != null && (percent < 0 || percent > 100)) {
                            error(targetPath + ".percent", percent + " is out of range 0-100");
                            percent = null;
                        }
                    }
                    if (value != null && !seen.add(value)) {
                        error(targetPath + ".value", quote(value) + " is listed twice");
                    } else if (value != null && percent != null) {
                        targets.add(new Spread.Target(value, percent));
                        total += percent;
                    }
                }
                if (total > 100) {
                    error(path + ".targets", "the percentages add up to " + total + ", more than 100");
                }
            }
        }
        return attr == null ? null : new Spread(attr, targets);
    }

    private void checkFields(JsonNode node, String path, Set<String> allowed) {
        node.fieldNames().forEachRemaining(field -> {
            if (!allowed.contains(field)) {
                error(join(path, field), "unknown field (expected one of: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        });
    }

    private String requiredString(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            error(join(path, field), "is required");
            return null;
        }
        if (!node.isValueNode() || node.getNodeType() == JsonNodeType.BOOLEAN) {
            error(join(path, field), "must be a string");
            return null;
        }
        return node.asText();
    }

    private String optionalString(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            error(join(path, field), "must be a string");
            return null;
        }
        return node.asText();
    }

    private Integer integer(JsonNode node, String path) {
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            return node.asInt();
        }
        if (node.isTextual()) {
            try {
                return Integer.parseInt(node.asText().trim());
            } catch (NumberFormatException ignored) {
                // reported below
            }
        }
        error(path, quote(node.asText()) + " is not a whole number");
        return null;
    }

    private Optional<Duration> duration(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        Optional<Duration> value = node.isValueNode() ? Quantities.parseDuration(node.asText()) : Optional.empty();
        if (value.isEmpty()) {
            error(join(path, field), quote(node.asText()) + " is not a duration (e.g. 500ms, 10s, 5m, 1h)");
        } else if (value.get().isNegative()) {
            error(join(path, field), "must not be negative");
            return Optional.empty();
        }
        return value;
    }

    private Optional<Boolean> bool(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            error(join(path, field), quote(node.asText()) + " is not true or false");
            return Optional.empty();
        }
        return Optional.of(node.asBoolean());
    }

    private void error(String path, String message) {
        errors.add(new ErrorDetail(path, message));
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }
}
