package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import io.dualstack.core.IpFamily;

import java.math.BigInteger;
import java.util.Optional;

/** Parsing and rendering of single addresses as the API writes them (canonical, no prefix). */
final class Addresses {
    private static final java.util.regex.Pattern DOTTED = java.util.regex.Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private Addresses() {}

    /**
     * An address as Go's {@code netip}/{@code net.ParseIP} accepts it: dotted IPv4 or IPv6 text,
     * no prefix, no zone. Empty when it is not one.
     */
    static Optional<IPAddress> parse(String s) {
        if (s == null || s.isEmpty() || s.contains("/") || s.contains("%")) return Optional.empty();
        IPAddressString str = new IPAddressString(s);
        IPAddress a = str.getAddress();
        if (a == null || a.isMultiple() || a.isPrefixed()) return Optional.empty();
        if (a.isIPv4() && !DOTTED.matcher(s).matches()) return Optional.empty();
        if (a.isIPv6() && !s.contains(":")) return Optional.empty();
        return Optional.of(a);
    }

    /** Family of an address string as upstream's {@code familyOf}: IPv6 if it parses as one, else IPv4. */
    static IpFamily familyOf(String s) {
        return parse(s).map(IpFamily::of).orElse(IpFamily.IPv4);
    }

    static String canonical(IPAddress a) {
        return a.withoutPrefixLength().toCanonicalString();
    }

    static IPAddress fromValue(IpFamily f, BigInteger v) {
        if (f == IpFamily.IPv4) return new IPv4Address(v.intValue());
        byte[] raw = v.toByteArray();
        byte[] b = new byte[16];
        int n = Math.min(16, raw.length);
        System.arraycopy(raw, raw.length - n, b, 16 - n, n);
        return new IPv6Address(b);
    }
}
