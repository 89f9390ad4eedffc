package io.herd.cli;

import io.herd.api.PortRange;
import io.herd.api.Quantities;
import io.herd.server.ServerConfig;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;

/** Picocli converters for the units of the job spec, so flags and specs read the same ({@code 5m}, {@code 4Gi}). */
final class Converters {
    private Converters() {}

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = Quantities.parseDuration(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not a duration (e.g. 500ms, 10s, 5m, 1h)"));
            if (duration.isNegative()) {
                throw new TypeConversionException("'" + value + "' is negative");
            }
            return duration;
        }
    }

    /** A size in bytes. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return Quantities.parseSize(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not a size (e.g. 512Mi, 4Gi)"));
        }
    }

    /** A cpu amount in millicores. */
    static final class CpuConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long millis = Quantities.parseCpu(value).orElseThrow(() -> new TypeConversionException(
                    "'" + value + "' is not a cpu amount (e.g. 500m, 2)"));
            if (millis <= 0) {
                throw new TypeConversionException("'" + value + "' must be more than 0");
            }
            return millis;
        }
    }

    static final class PortRangeConverter implements ITypeConverter<PortRange> {
        @Override
        public PortRange convert(String value) {
            try {
                return PortRange.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a port range (e.g. 20000-32000)");
            }
        }
    }

    static final class PeerConverter implements ITypeConverter<ServerConfig.Peer> {
        @Override
        public ServerConfig.Peer convert(String value) {
            try {
                ServerConfig.Peer peer = ServerConfig.Peer.parse(value);
                Addresses.requireHostPort(peer.raftAddress(), "peer " + peer.id());
                return peer;
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A {@code host:port} listen address; port 0 lets the system pick a free port. */
    static final class HostPortConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Addresses.requireHostPort(value, "address");
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
