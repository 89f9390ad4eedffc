package io.herd.api;

/** The host ports [{@code first}, {@code last}] a node hands out to named task ports. */
public record PortRange(int first, int last) {
    public static final PortRange DEFAULT = new PortRange(20000, 32000);

    public PortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("invalid port range " + first + "-" + last);
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    public int size() {
        return last - first + 1;
    }

    public static PortRange parse(String text) {
        String[] parts = text.split("-");
        if (parts.length != 2) {
            throw new IllegalArgumentException("port range must look like 20000-32000, got " + text);
        }
        return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
