package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Every range of one family that hands out addresses: ClusterIPs (one range per ServiceCIDR,
 * the {@code kubernetes} ServiceCIDR first, banded as KEP-3070) or a load-balancer pool
 * (unbanded). Ranges may overlap (upstream allows overlapping ServiceCIDRs); an address is held
 * once whichever range it came from. All methods are thread-safe (one lock per family).
 */
public final class FamilyIpAllocator {
    private final IpFamily family;
    private final boolean banded;
    private final RandomGenerator random;
    private final Map<String, IpRange> ranges = new LinkedHashMap<>();
    private final Set<BigInteger> held = new HashSet<>();

    public FamilyIpAllocator(IpFamily family, boolean banded, RandomGenerator random) {
        this.family = family;
        this.banded = banded;
        this.random = random;
    }

    public IpFamily family() {
        return family;
    }

    /** Adds a range (a ServiceCIDR) under a name; addresses already held inside it are marked. */
    public synchronized void addRange(String name, IPAddress cidr) {
        if (IpFamily.of(cidr) != family) throw new IllegalArgumentException(cidr + " is not " + family);
        IpRange r = new IpRange(cidr, banded);
        for (BigInteger v : held) {
            int off = r.offsetOf(toAddress(v));
            if (off >= 0) r.set(off);
        }
        ranges.put(name, r);
    }

    public synchronized void removeRange(String name) {
        ranges.remove(name);
    }

    /** The name a range was added under. */
    public synchronized String rangeName(IpRange r) {
        return ranges.entrySet().stream().filter(e -> e.getValue() == r).map(Map.Entry::getKey).findFirst().orElse("");
    }

    /** Range names, in the order they are tried. */
    public synchronized List<String> rangeNames() {
        return List.copyOf(ranges.keySet());
    }

    /**
     * True when some held address (other than {@code ignoring}) lies in {@code cidr} and in no
     * range other than the one named {@code except}.
     */
    public synchronized boolean heldOutside(IPAddress cidr, String except, Set<String> ignoring) {
        for (BigInteger v : held) {
            IPAddress ip = toAddress(v);
            if (ignoring.contains(ip.toCanonicalString()) || !cidr.contains(ip)) continue;
            boolean elsewhere = ranges.entrySet().stream().anyMatch(e -> !e.getKey().equals(except) && e.getValue().offsetOf(ip) >= 0);
            if (!elsewhere) return true;
        }
        return false;
    }

    public synchronized boolean hasRanges() {
        return !ranges.isEmpty();
    }

    public synchronized List<IpRange> ranges() {
        return List.copyOf(ranges.values());
    }

    /** True when some held address lies in range {@code name} and in no other range. */
    public synchronized boolean rangeInUse(String name) {
        IpRange r = ranges.get(name);
        if (r == null) return false;
        for (BigInteger v : held) {
            IPAddress ip = toAddress(v);
            if (r.cidr().contains(ip) && ranges.entrySet().stream()
                    .noneMatch(e -> !e.getKey().equals(name) && e.getValue().cidr().contains(ip))) {
                return true;
            }
        }
        return false;
    }

    public synchronized boolean contains(IPAddress ip) {
        return ranges.values().stream().anyMatch(r -> r.offsetOf(ip) >= 0);
    }

    /** Reserves a specific address (a user-chosen one, or one found at repair). */
    public synchronized void allocate(IPAddress ip) {
        IPAddress a = ip.withoutPrefixLength();
        if (!contains(a)) throw AllocationException.ipNotInRange(a.toCanonicalString(), validRange());
        if (held.contains(a.getValue())) throw AllocationException.ipAllocated();
        mark(a, true);
    }

    /** Reserves the next free address as upstream chooses it; throws {@code range is full}. */
    public synchronized IPAddress allocateNext() {
        return allocateNext(Set.of());
    }

    /** As {@link #allocateNext()}, skipping the ranges named in {@code excluded} (terminating ServiceCIDRs). */
    public synchronized IPAddress allocateNext(Set<String> excluded) {
        for (Map.Entry<String, IpRange> e : ranges.entrySet()) {
            if (excluded.contains(e.getKey())) continue;
            IpRange r = e.getValue();
            Optional<Integer> off = r.pickFree(random);
            if (off.isPresent()) {
                IPAddress a = r.addressAt(off.get());
                mark(a, true);
                return a;
            }
        }
        throw AllocationException.full();
    }

    /** Releases an address; false when it was not held. */
    public synchronized boolean release(IPAddress ip) {
        IPAddress a = ip.withoutPrefixLength();
        if (!held.contains(a.getValue())) return false;
        mark(a, false);
        return true;
    }

    public synchronized boolean isAllocated(IPAddress ip) {
        return held.contains(ip.withoutPrefixLength().getValue());
    }

    public synchronized int allocatedCount() {
        return held.size();
    }

    public synchronized Set<String> allocated() {
        return held.stream().map(v -> toAddress(v).toCanonicalString()).collect(Collectors.toSet());
    }

    /** Forgets every allocation (repair rebuilds from stored objects). */
    public synchronized void clear() {
        for (BigInteger v : new ArrayList<>(held)) mark(toAddress(v), false);
    }

    private void mark(IPAddress a, boolean on) {
        for (IpRange r : ranges.values()) {
            int off = r.offsetOf(a);
            if (off >= 0) {
                if (on) r.set(off);
                else r.clear(off);
            }
        }
        if (on) held.add(a.getValue());
        else held.remove(a.getValue());
    }

    private String validRange() {
        return ranges.values().stream().map(IpRange::toString).collect(Collectors.joining(", "));
    }

    private IPAddress toAddress(BigInteger v) {
        return Addresses.fromValue(family, v);
    }
}
