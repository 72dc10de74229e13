package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;

import java.math.BigInteger;
import java.util.BitSet;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One CIDR's bitmap of addresses, laid out like upstream's legacy {@code ipallocator/bitmap.go}:
 * offset 0 is the address after the network address; IPv4 never hands out the broadcast address;
 * IPv6 uses at most 65,536 offsets. With {@code banded}, the first
 * {@code min(max(16, size/16), 256)} offsets form the static band (KEP-3070): dynamic allocation
 * starts at a random offset in the upper band, scans up with wrap inside it, and only then tries
 * the lower band. Not thread-safe on its own: {@link FamilyIpAllocator} serialises access.
 */
public final class IpRange {
    /** Upstream's cap on IPv6 bitmap size. */
    public static final int IPV6_MAX_OFFSETS = 65536;
    /** Largest bitmap we keep for an IPv4 range (a /12, upstream's flag limit). */
    public static final int IPV4_MAX_OFFSETS = 1 << 20;

    private final IPAddress cidr;
    private final IpFamily family;
    private final BigInteger base;
    /** IPv4 fast path: the unsigned value of the first offset's address. */
    private final long base4;
    /** IPv6 fast path: the first offset's address as two words (offsets never carry into the high word). */
    private final long base6Hi;
    private final long base6Lo;
    private final int max;
    private final int staticBand;
    private final BitSet used;
    private int count;

    public IpRange(IPAddress cidr, boolean banded) {
        this.cidr = cidr.toPrefixBlock();
        this.family = IpFamily.of(cidr);
        int hostBits = this.cidr.getBitCount() - this.cidr.getNetworkPrefixLength();
        BigInteger size = BigInteger.ONE.shiftLeft(hostBits);
        long m;
        if (family == IpFamily.IPv6) {
            m = size.min(BigInteger.valueOf(IPV6_MAX_OFFSETS)).longValue() - 1;
        } else {
            m = size.min(BigInteger.valueOf(IPV4_MAX_OFFSETS + 2L)).longValue() - 2;
        }
        this.max = (int) Math.max(0, m);
        this.base = this.cidr.getLower().getValue().add(BigInteger.ONE);
        this.base4 = family == IpFamily.IPv4 ? base.longValue() : 0;
        this.base6Hi = family == IpFamily.IPv6 ? base.shiftRight(64).longValue() : 0;
        this.base6Lo = family == IpFamily.IPv6 ? base.longValue() : 0;
        this.staticBand = banded ? rangeOffset(size) : 0;
        this.used = new BitSet(max);
    }

    /** KEP-3070: {@code min(max(16, size/16), 256)}, or 0 when the CIDR has 16 addresses or fewer. */
    public static int rangeOffset(BigInteger cidrSize) {
        if (cidrSize.compareTo(BigInteger.valueOf(16)) <= 0) return 0;
        BigInteger off = cidrSize.divide(BigInteger.valueOf(16));
        if (off.compareTo(BigInteger.valueOf(16)) < 0) return 16;
        if (off.compareTo(BigInteger.valueOf(256)) > 0) return 256;
        return off.intValue();
    }

    public IPAddress cidr() {
        return cidr;
    }

    public IpFamily family() {
        return family;
    }

    /** Addresses this range can hand out. */
    public int size() {
        return max;
    }

    public int staticBand() {
        return staticBand;
    }

    public int used() {
        return count;
    }

    public int free() {
        return max - count;
    }

    /** The offset of {@code ip} in this bitmap, or -1 when it cannot be handed out from here. */
    public int offsetOf(IPAddress ip) {
        if (IpFamily.of(ip) != family) return -1;
        if (family == IpFamily.IPv4) {
            long d = ip.toIPv4().longValue() - base4;
            return d < 0 || d >= max ? -1 : (int) d;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(ip.getBytes());
        long hi = b.getLong(), lo = b.getLong();
        if (hi != base6Hi || Long.compareUnsigned(lo, base6Lo) < 0) return -1;
        long d = lo - base6Lo;
        return Long.compareUnsigned(d, max) >= 0 ? -1 : (int) d;
    }

    public IPAddress addressAt(int offset) {
        if (family == IpFamily.IPv4) return new inet.ipaddr.ipv4.IPv4Address((int) (base4 + offset));
        byte[] b = java.nio.ByteBuffer.allocate(16).putLong(base6Hi).putLong(base6Lo + offset).array();
        return new inet.ipaddr.ipv6.IPv6Address(b);
    }

    boolean isSet(int offset) {
        return used.get(offset);
    }

    void set(int offset) {
        if (!used.get(offset)) {
            used.set(offset);
            count++;
        }
    }

    void clear(int offset) {
        if (used.get(offset)) {
            used.clear(offset);
            count--;
        }
    }

    /** A free offset chosen as upstream does (upper band first, random start), or empty when full. */
    Optional<Integer> pickFree(RandomGenerator random) {
        if (count >= max) return Optional.empty();
        int lo = Math.min(staticBand, max);
        int found = scan(lo, max, random);
        if (found < 0) found = scan(0, lo, random);
        return found < 0 ? Optional.empty() : Optional.of(found);
    }

    private int scan(int from, int to, RandomGenerator random) {
        int n = to - from;
        if (n <= 0) return -1;
        int start = from + random.nextInt(n);
        int i = used.nextClearBit(start);
        if (i < to) return i;
        i = used.nextClearBit(from);
        return i < start ? i : -1;
    }

    @Override
    public String toString() {
        return cidr.toCanonicalString();
    }
}
