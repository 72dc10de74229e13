package io.dualstack.controllers.nodeipam;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import io.dualstack.core.IpFamily;

import java.math.BigInteger;
import java.util.BitSet;
import java.util.Optional;

/**
 * kube-controller-manager's cidrset: the node-sized blocks of one cluster CIDR, allocated in
 * order from a next-candidate cursor that moves past each allocation (so a released block is
 * reused only after the cursor wraps around), with {@link #occupy} marking every block a prefix
 * overlaps (used for existing nodes and for service ranges inside the cluster CIDR).
 * Not thread-safe; {@link RangeAllocator} serialises access.
 */
public final class CidrSet {
    /** upstream clusterSubnetMaxDiff: an IPv6 node mask may be at most 16 bits longer than the cluster mask. */
    public static final int CLUSTER_SUBNET_MAX_DIFF = 16;
    /** upstream ErrCIDRRangeNoCIDRsRemaining. */
    public static final String NO_CIDRS_REMAINING =
            "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range";

    private final IPAddress clusterCidr;
    private final IpFamily family;
    private final int clusterMask;
    private final int nodeMask;
    private final int bits;
    private final int maxCidrs;
    private final BigInteger base;
    private final BitSet used = new BitSet();
    private int allocated;
    private int nextCandidate;

    public CidrSet(IPAddress clusterCidr, int nodeMask) {
        Integer prefix = clusterCidr.getNetworkPrefixLength();
        if (prefix == null) throw new IllegalArgumentException("cluster CIDR " + clusterCidr + " has no prefix length");
        this.family = IpFamily.of(clusterCidr);
        this.bits = clusterCidr.getBitCount();
        this.clusterCidr = clusterCidr.toPrefixBlock();
        this.clusterMask = prefix;
        if (nodeMask < clusterMask || nodeMask > bits) {
            throw new IllegalArgumentException("node CIDR mask /" + nodeMask + " does not fit in cluster CIDR " + this.clusterCidr);
        }
        int diff = nodeMask - clusterMask;
        if (family == IpFamily.IPv6 && diff > CLUSTER_SUBNET_MAX_DIFF) {
            throw new IllegalArgumentException("New CIDR set failed; the node CIDR size is too big");
        }
        if (diff > 30) throw new IllegalArgumentException("New CIDR set failed; the node CIDR size is too big");
        this.nodeMask = nodeMask;
        this.maxCidrs = 1 << diff;
        this.base = this.clusterCidr.getLower().getValue();
    }

    public IPAddress clusterCidr() {
        return clusterCidr;
    }

    public IpFamily family() {
        return family;
    }

    public int nodeMask() {
        return nodeMask;
    }

    public int maxCidrs() {
        return maxCidrs;
    }

    public int allocatedCount() {
        return allocated;
    }

    /** The next free block at or after the cursor (wrapping), now marked used; empty when full. */
    public Optional<IPAddress> allocateNext() {
        if (allocated == maxCidrs) return Optional.empty();
        int candidate = used.nextClearBit(nextCandidate);
        if (candidate >= maxCidrs) candidate = used.nextClearBit(0);
        nextCandidate = (candidate + 1) % maxCidrs;
        used.set(candidate);
        allocated++;
        return Optional.of(block(candidate));
    }

    /** Marks every block {@code cidr} overlaps as used. Fails when it lies outside the cluster CIDR. */
    public void occupy(IPAddress cidr) {
        int[] range = indices(cidr);
        for (int i = range[0]; i <= range[1]; i++) {
            if (!used.get(i)) {
                used.set(i);
                allocated++;
            }
        }
    }

    /** Marks every block {@code cidr} overlaps as free. */
    public void release(IPAddress cidr) {
        int[] range = indices(cidr);
        for (int i = range[0]; i <= range[1]; i++) {
            if (used.get(i)) {
                used.clear(i);
                allocated--;
            }
        }
    }

    public boolean isUsed(IPAddress cidr) {
        int[] range = indices(cidr);
        for (int i = range[0]; i <= range[1]; i++) if (!used.get(i)) return false;
        return true;
    }

    /** True when the two prefixes share an address. */
    public static boolean overlaps(IPAddress a, IPAddress b) {
        if (a.isIPv4() != b.isIPv4()) return false;
        IPAddress pa = a.toPrefixBlock();
        IPAddress pb = b.toPrefixBlock();
        return pa.contains(pb) || pb.contains(pa);
    }

    IPAddress block(int index) {
        BigInteger value = base.or(BigInteger.valueOf(index).shiftLeft(bits - nodeMask));
        IPAddress address = family == IpFamily.IPv4 ? new IPv4Address(value.intValue()) : new IPv6Address(value);
        return address.toPrefixBlock(nodeMask);
    }

    private int[] indices(IPAddress cidr) {
        Integer prefix = cidr.getNetworkPrefixLength();
        int p = prefix == null ? bits : prefix;
        IPAddress block = cidr.toPrefixBlock(p);
        if (!overlaps(block, clusterCidr)) {
            throw new IllegalArgumentException("cidr " + block + " is out the range of cluster cidr " + clusterCidr);
        }
        if (p <= clusterMask) return new int[] {0, maxCidrs - 1};
        int begin = index(block.getLower().getValue());
        int end = index(block.getUpper().getValue());
        return new int[] {begin, end};
    }

    private int index(BigInteger address) {
        BigInteger idx = address.subtract(base).shiftRight(bits - nodeMask);
        if (idx.signum() < 0 || idx.compareTo(BigInteger.valueOf(maxCidrs)) >= 0) {
            throw new IllegalArgumentException("CIDR: " + address + "/" + nodeMask + " is out of the range of CIDR allocator");
        }
        return idx.intValue();
    }
}
