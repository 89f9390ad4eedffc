package io.herd.agent;

import io.herd.api.Instance;
import io.herd.api.Task;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The environment of a task: a few variables of the agent's own environment (PATH, HOME, locale, ...), then
 * Herd's ({@code HERD_APP}, {@code HERD_PORT_HTTP}, directories, ...), then the task's {@code env}, whose values
 * may refer to the former as {@code ${NAME}}. The agent's other variables are not passed on: a task sees what
 * its spec says, not the agent's secrets.
 */
final class TaskEnvironment {
    static final List<String> INHERITED =
            List.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private TaskEnvironment() {}

    static Map<String, String> build(Map<String, String> agentEnvironment, Instance instance, Task task,
            String nodeName, Path taskDir, Path allocDir) {
        return build(agentEnvironment, instance, task, nodeName, taskDir, allocDir, Map.of());
    }

    /** As above, with the directories of the instance's sticky volumes by name ({@code HERD_VOLUME_<NAME>}). */
    static Map<String, String> build(Map<String, String> agentEnvironment, Instance instance, Task task,
            String nodeName, Path taskDir, Path allocDir, Map<String, Path> volumes) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String name : INHERITED) {
            String value = agentEnvironment.get(name);
            if (value != null) {
                environment.put(name, value);
            }
        }
        environment.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        environment.put("HERD_APP", instance.app());
        environment.put("HERD_JOB", instance.job());
        environment.put("HERD_GROUP", instance.group());
        environment.put("HERD_TASK", task.name());
        environment.put("HERD_INSTANCE_ID", instance.id());
        environment.put("HERD_INSTANCE_INDEX", Integer.toString(instance.index()));
        environment.put("HERD_NODE", nodeName);
        for (Map.Entry<String, Integer> port : instance.ports().entrySet()) {
            environment.put(portVariable(port.getKey()), Integer.toString(port.getValue()));
        }
        if (!instance.gpuDevices().isEmpty()) {
            // The devices the scheduler gave this instance: Herd's name, the NVIDIA container runtime's and CUDA's
            // (whose order matches nvidia-smi's indices only with PCI_BUS_ID order).
            String devices = instance.gpuDevices().stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(","));
            environment.put("HERD_GPU_DEVICES", devices);
            environment.put("NVIDIA_VISIBLE_DEVICES", devices);
            environment.put("CUDA_VISIBLE_DEVICES", devices);
            environment.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        }
        environment.put("HERD_TASK_DIR", taskDir.toString());
        environment.put("HERD_ALLOC_DIR", allocDir.toString());
        for (Map.Entry<String, Path> volume : volumes.entrySet()) {
            environment.put(new io.herd.api.Volume(volume.getKey(), 0).environmentVariable(),
                    volume.getValue().toString());
        }
        for (Map.Entry<String, String> variable : task.env().entrySet()) {
            environment.put(variable.getKey(), expand(variable.getValue(), environment));
        }
        return environment;
    }

    /** {@code http} → {@code HERD_PORT_HTTP}; {@code admin-api} → {@code HERD_PORT_ADMIN_API}. */
    static String portVariable(String portName) {
        return "HERD_PORT_" + portName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    }

    /** Replaces {@code ${NAME}} by the variable's value; a reference to an unset variable stays as written. */
    static String expand(String text, Map<String, String> environment) {
        if (text == null || !text.contains("${")) {
            return text;
        }
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String value = environment.get(matcher.group(1));
            matcher.appendReplacement(result, Matcher.quoteReplacement(value == null ? matcher.group() : value));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
