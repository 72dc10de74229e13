package io.dualstack.node;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * One family's pod addresses on one node, allocated as CNI host-local does from a podCIDR: the
 * network address and the gateway (the first address) are never handed out, nor the IPv4
 * broadcast address; allocation continues after the last address handed out and wraps around, so
 * a released address is not reused until the range has gone round; an address in use is never
 * handed out twice.
 */
public final class AddressPool {
    private final IPAddress cidr;
    private final BigInteger first;
    private final BigInteger last;
    private final Set<BigInteger> inUse = new HashSet<>();
    private BigInteger lastReserved;

    public AddressPool(IPAddress cidr) {
        this.cidr = cidr.toPrefixBlock();
        BigInteger lower = this.cidr.getLower().getValue();
        BigInteger upper = this.cidr.getUpper().getValue();
        this.first = lower.add(BigInteger.TWO);
        this.last = this.cidr.isIPv4() ? upper.subtract(BigInteger.ONE) : upper;
    }

    public IPAddress cidr() {
        return cidr;
    }

    public IpFamily family() {
        return IpFamily.of(cidr);
    }

    /** How many addresses the range can hand out. */
    public BigInteger capacity() {
        BigInteger n = last.subtract(first).add(BigInteger.ONE);
        return n.signum() < 0 ? BigInteger.ZERO : n;
    }

    public int inUse() {
        return inUse.size();
    }

    /** The first and last address handed out, as host-local prints a range ({@code 10.244.1.2-10.244.1.254}). */
    public String rangeText() {
        return address(first).toCanonicalString() + "-" + address(last).toCanonicalString();
    }

    /** The next free address, or empty when the range is exhausted. */
    public Optional<IPAddress> allocate() {
        if (BigInteger.valueOf(inUse.size()).compareTo(capacity()) >= 0) return Optional.empty();
        BigInteger candidate = lastReserved == null ? first : next(lastReserved);
        while (inUse.contains(candidate)) candidate = next(candidate);
        inUse.add(candidate);
        lastReserved = candidate;
        return Optional.of(address(candidate));
    }

    /** Marks an existing address in use (restart); false when outside the allocatable range or already in use. */
    public boolean reserve(IPAddress address) {
        if (IpFamily.of(address) != family()) return false;
        BigInteger v = address.getValue();
        if (v.compareTo(first) < 0 || v.compareTo(last) > 0) return false;
        return inUse.add(v);
    }

    public void release(IPAddress address) {
        inUse.remove(address.getValue());
    }

    public boolean contains(IPAddress address) {
        return IpFamily.of(address) == family() && cidr.contains(address);
    }

    private BigInteger next(BigInteger v) {
        BigInteger n = v.add(BigInteger.ONE);
        return n.compareTo(last) > 0 ? first : n;
    }

    private IPAddress address(BigInteger v) {
        return cidr.isIPv4()
                ? new inet.ipaddr.ipv4.IPv4Address(v.intValue())
                : new inet.ipaddr.ipv6.IPv6Address(v);
    }
}
