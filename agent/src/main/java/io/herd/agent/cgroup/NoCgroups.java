package io.herd.agent.cgroup;

import io.herd.api.Resources;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Tasks run without limits; the agent still finds a task's processes through its session. */
public final class NoCgroups implements Cgroups {
    private static final TaskCgroup EMPTY = new TaskCgroup() {
        @Override
        public List<Path> directories() {
            return List.of();
        }

        @Override
        public List<Path> procsFiles() {
            return List.of();
        }

        @Override
        public Set<Long> pids() {
            return Set.of();
        }

        @Override
        public long oomKills() {
            return 0;
        }

        @Override
        public boolean memoryLimitReached() {
            return false;
        }

        @Override
        public void remove() {}
    };

    @Override
    public String kind() {
        return "none";
    }

    @Override
    public TaskCgroup create(String name, Resources limits) {
        return EMPTY;
    }

    @Override
    public TaskCgroup open(List<Path> directories) {
        return EMPTY;
    }
}
