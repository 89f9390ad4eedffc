package io.herd.cli;

import io.herd.api.ErrorKind;
import io.herd.api.HerdException;
import io.herd.api.Instance;
import io.herd.api.wire.JobStatus;
import io.herd.api.wire.SubmitJobResponse;
import io.herd.client.HerdClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code herd down JOB}: stops every instance of a job and waits until they have ended. */
@Command(name = "down", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {
                "Stop a job and wait until its instances have ended.",
                "Each task gets SIGTERM, then SIGKILL after its kill_timeout.",
        })
final class DownCommand implements Callable<Integer> {
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions clientOptions;

    @Parameters(index = "0", paramLabel = "JOB", description = "A job as app/job, or a unique job name.")
    String job;

    @Option(names = "--purge", description = "Also forget the job and its history, and delete its volumes (a stateful group's data).")
    boolean purge;

    @Option(names = {"-d", "--detach"}, description = "Return once the stop is accepted; do not wait.")
    boolean detach;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for the instances to end (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long startNanos = System.nanoTime();
        try (HerdClient client = clientOptions.client()) {
            String jobId = client.resolveJobId(job);
            List<Instance> before = instancesOf(client.jobStatus(jobId));
            int live = (int) before.stream().filter(Instance::isLive).count();
            SubmitJobResponse response = client.stopJob(jobId, purge);
            out.printf("%s job %s (%s)%n", purge ? "Stopping and purging" : "Stopping", jobId,
                    Formats.plural(live, "instance"));
            out.flush();
            if (detach) {
                return 0;
            }
            Map<String, String> phrases = new HashMap<>();
            before.forEach(instance -> phrases.put(instance.id(), Formats.instancePhrase(instance)));
            long deadline = startNanos + timeout.toNanos();
            long index = Math.max(0, response.index() - 1);
            int stopping = live;
            while (true) {
                long remainingNanos = deadline - System.nanoTime();
                if (remainingNanos <= 0) {
                    err.println("Error: timed out after " + Formats.elapsed(timeout) + ": "
                            + Formats.plural(stopping, "instance") + " still stopping");
                    err.println("See 'herd status " + jobId + "'.");
                    err.flush();
                    return UpCommand.DEPLOYMENT_FAILED;
                }
                // By the job's instances, not its status: a purged job is gone at once, but its instances stay
                // listed until they ended, and "Stopped" must mean their processes ended.
                HerdClient.Indexed<List<Instance>> result;
                try {
                    result = client.jobInstances(jobId, index,
                            Duration.ofNanos(Math.min(remainingNanos, MAX_WAIT.toNanos())));
                } catch (HerdException e) {
                    if (e.code().kind() != ErrorKind.UNAVAILABLE) {
                        throw e;
                    }
                    UpCommand.sleep(Duration.ofSeconds(1));
                    continue;
                }
                if (result.index() <= index) {
                    UpCommand.sleep(Duration.ofMillis(250));
                }
                index = Math.max(index, result.index());
                List<Instance> instances = result.value();
                int nameWidth = instances.stream().mapToInt(instance -> instance.name().length()).max().orElse(0);
                for (Instance instance : instances) {
                    String phrase = Formats.instancePhrase(instance);
                    if (!phrase.equals(phrases.put(instance.id(), phrase))) {
                        out.println(DeploymentTracker.line(instance.name(), nameWidth, phrase));
                    }
                }
                out.flush();
                stopping = (int) instances.stream().filter(instance -> !instance.state().isTerminal()).count();
                if (stopping == 0) {
                    break;
                }
            }
            out.printf("Stopped job %s after %s%n", jobId,
                    Formats.elapsed(Duration.ofNanos(System.nanoTime() - startNanos)));
            out.flush();
            return 0;
        }
    }

    private static List<Instance> instancesOf(JobStatus status) {
        return status.instances() == null ? List.of() : status.instances();
    }
}
