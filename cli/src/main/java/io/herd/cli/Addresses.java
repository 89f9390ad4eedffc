package io.herd.cli;

/** Checks of {@code host:port} strings given on the command line. */
final class Addresses {
    private Addresses() {}

    /** Returns {@code value} when it is {@code host:port} with a port in 0..65535, else explains what is wrong. */
    static String requireHostPort(String value, String what) {
        String trimmed = value.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException(what + " must look like host:port, got '" + value + "'");
        }
        try {
            int port = Integer.parseInt(trimmed.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " has port " + port + ", outside 0-65535");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must look like host:port, got '" + value + "'");
        }
        return trimmed;
    }

    static String http(String hostPort) {
        return hostPort.startsWith("http://") || hostPort.startsWith("https://") ? hostPort : "http://" + hostPort;
    }
}
