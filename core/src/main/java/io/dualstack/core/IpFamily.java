package io.dualstack.core;

import inet.ipaddr.IPAddress;

import java.util.Optional;

/** An IP address family, spelled as the Kubernetes API spells it ({@code IPv4}, {@code IPv6}). */
public enum IpFamily {
    IPv4, IPv6;

    /** The family of an address or prefix. */
    public static IpFamily of(IPAddress address) {
        return address.isIPv4() ? IPv4 : IPv6;
    }

    /** Parses the API spelling exactly ({@code IPv4}/{@code IPv6}); anything else is empty. */
    public static Optional<IpFamily> parse(String apiValue) {
        if ("IPv4".equals(apiValue)) return Optional.of(IPv4);
        if ("IPv6".equals(apiValue)) return Optional.of(IPv6);
        return Optional.empty();
    }

    public IpFamily other() {
        return this == IPv4 ? IPv6 : IPv4;
    }

    /** The EndpointSlice {@code addressType} for this family. */
    public String addressType() {
        return name();
    }
}
