package io.dualstack.core.net;

import inet.ipaddr.AddressStringException;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.IpFamily;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * CIDR and address helpers on the IPAddress library, with the strictness of Go's
 * {@code net.ParseCIDR}/{@code net.ParseIP}: dotted-quad IPv4 or RFC 4291 IPv6 text, a decimal
 * prefix length for CIDRs. Host bits set in a CIDR are accepted and masked, as Kubernetes'
 * {@code netutils.ParseCIDRSloppy} does ({@code 10.244.0.1/16} means {@code 10.244.0.0/16}).
 */
public final class Cidrs {
    private Cidrs() {
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
    private static final Pattern PREFIX = Pattern.compile("\\d{1,3}");

    /** Parses one CIDR; throws {@link IllegalArgumentException} with "invalid CIDR address: X". */
    public static IPAddress parseCidr(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("invalid CIDR address: " + text + " (no /prefix length)");
        String addr = s.substring(0, slash);
        String prefix = s.substring(slash + 1);
        IPAddress address = parseAddressOrNull(addr);
        if (address == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        int bits = Integer.parseInt(prefix);
        if (bits > address.getBitCount()) {
            throw new IllegalArgumentException("invalid CIDR address: " + text + " (prefix longer than "
                    + address.getBitCount() + " bits)");
        }
        return address.toPrefixBlock(bits);
    }

    /** Parses a comma-separated CIDR list ("10.244.0.0/16,fd00:10:244::/56"); blanks are skipped. */
    public static List<IPAddress> parseCidrList(String text) {
        return splitList(text).stream().map(Cidrs::parseCidr).toList();
    }

    /** Parses one address (no prefix); throws {@link IllegalArgumentException} "invalid IP address: X". */
    public static IPAddress parseAddress(String text) {
        IPAddress a = parseAddressOrNull(text.trim());
        if (a == null) throw new IllegalArgumentException("invalid IP address: " + text);
        return a;
    }

    public static List<IPAddress> parseAddressList(String text) {
        return splitList(text).stream().map(Cidrs::parseAddress).toList();
    }

    public static List<String> splitList(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static IPAddress parseAddressOrNull(String s) {
        if (!IPV4.matcher(s).matches() && !IPV6.matcher(s).matches()) return null;
        try {
            IPAddress a = new IPAddressString(s).toAddress();
            if (a == null || a.isMultiple() || a.getNetworkPrefixLength() != null) return null;
            return a;
        } catch (AddressStringException e) {
            return null;
        }
    }

    /** The canonical text: {@code 10.244.0.0/16}, {@code fd00:10:244::/56}, {@code 192.168.1.10}. */
    public static String format(IPAddress a) {
        return a.toCanonicalString();
    }

    public static String formatList(List<IPAddress> list) {
        return String.join(",", list.stream().map(Cidrs::format).toList());
    }

    public static int prefix(IPAddress cidr) {
        Integer p = cidr.getNetworkPrefixLength();
        return p == null ? cidr.getBitCount() : p;
    }

    public static int hostBits(IPAddress cidr) {
        return cidr.getBitCount() - prefix(cidr);
    }

    /** Number of addresses in the block. */
    public static BigInteger size(IPAddress cidr) {
        return BigInteger.ONE.shiftLeft(hostBits(cidr));
    }

    public static boolean overlaps(IPAddress a, IPAddress b) {
        return a.isIPv4() == b.isIPv4() && (a.contains(b) || b.contains(a));
    }

    public static boolean contains(IPAddress cidr, IPAddress address) {
        return cidr.isIPv4() == address.isIPv4() && cidr.contains(address);
    }

    /** A named special-purpose block (IANA special-purpose registries, RFC 6890 and successors). */
    public record SpecialRange(IPAddress cidr, String name, boolean usableWithCare) {
    }

    private static SpecialRange sr(String cidr, String name) {
        return new SpecialRange(parseCidr(cidr), name, false);
    }

    private static SpecialRange care(String cidr, String name) {
        return new SpecialRange(parseCidr(cidr), name, true);
    }

    /** Blocks that must not carry pod or service addresses (and, except the last, node networks). */
    public static final List<SpecialRange> SPECIAL = List.of(
            sr("0.0.0.0/8", "\"this network\" (unspecified, RFC 1122)"),
            sr("127.0.0.0/8", "loopback (RFC 1122)"),
            sr("169.254.0.0/16", "link-local (RFC 3927)"),
            sr("224.0.0.0/4", "multicast (RFC 5771)"),
            sr("240.0.0.0/4", "reserved and limited broadcast (RFC 1112, RFC 919)"),
            sr("192.0.0.0/24", "IETF protocol assignments (RFC 6890)"),
            sr("192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"),
            sr("198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"),
            sr("203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"),
            sr("192.88.99.0/24", "6to4 relay anycast (RFC 7526)"),
            care("198.18.0.0/15", "benchmarking (RFC 2544)"),
            care("100.64.0.0/10", "shared address space / carrier-grade NAT (RFC 6598)"),
            sr("::/128", "unspecified address (RFC 4291)"),
            sr("::1/128", "loopback (RFC 4291)"),
            sr("::ffff:0:0/96", "IPv4-mapped addresses (RFC 4291)"),
            sr("fe80::/10", "link-local (RFC 4291)"),
            sr("fec0::/10", "deprecated site-local (RFC 3879)"),
            sr("ff00::/8", "multicast (RFC 4291)"),
            sr("2001:db8::/32", "documentation (RFC 3849)"),
            sr("3fff::/20", "documentation (RFC 9637)"),
            sr("100::/64", "discard-only (RFC 6666)"),
            sr("2001::/23", "IETF protocol assignments incl. Teredo (RFC 2928, RFC 4380)"),
            sr("2002::/16", "6to4 (RFC 3056)"),
            care("64:ff9b::/96", "NAT64 well-known prefix (RFC 6052)"),
            care("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"));

    /** The first special block a CIDR overlaps (contains or is contained by). */
    public static Optional<SpecialRange> special(IPAddress cidr) {
        return SPECIAL.stream().filter(s -> overlaps(s.cidr(), cidr)).findFirst();
    }

    private static final List<IPAddress> RFC1918 = List.of(
            parseCidr("10.0.0.0/8"), parseCidr("172.16.0.0/12"), parseCidr("192.168.0.0/16"));
    private static final IPAddress CGNAT = parseCidr("100.64.0.0/10");
    private static final IPAddress GLOBAL_UNICAST_V6 = parseCidr("2000::/3");
    public static final IPAddress ULA = parseCidr("fc00::/7");
    public static final IPAddress ULA_L0 = parseCidr("fc00::/8");

    /** IPv4 inside 10/8, 172.16/12, 192.168/16 (RFC 1918). */
    public static boolean isPrivateIpv4(IPAddress cidr) {
        return cidr.isIPv4() && RFC1918.stream().anyMatch(p -> p.contains(cidr));
    }

    /** IPv4 block that is neither RFC 1918, shared (100.64/10) nor any special block: publicly routed. */
    public static boolean isPublicIpv4(IPAddress cidr) {
        return cidr.isIPv4() && !isPrivateIpv4(cidr) && !CGNAT.contains(cidr) && special(cidr).isEmpty()
                && RFC1918.stream().noneMatch(cidr::contains);
    }

    /** IPv6 block outside global unicast (2000::/3) and ULA (fc00::/7): reserved by the IETF. */
    public static boolean isReservedIpv6(IPAddress cidr) {
        return cidr.isIPv6() && !overlaps(GLOBAL_UNICAST_V6, cidr) && !overlaps(ULA, cidr) && special(cidr).isEmpty();
    }

    public static boolean isUlaL0(IPAddress cidr) {
        return overlaps(ULA_L0, cidr);
    }

    public static IpFamily family(IPAddress a) {
        return IpFamily.of(a);
    }
}
