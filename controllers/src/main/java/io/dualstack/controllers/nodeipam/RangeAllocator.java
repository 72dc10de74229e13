package io.dualstack.controllers.nodeipam;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.IpFamily;
import io.dualstack.core.plan.ClusterPlan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * kube-controller-manager's range allocator over values: one {@link CidrSet} per cluster CIDR
 * (in the plan's order, primary first); a node gets one block from each, so
 * {@code spec.podCIDRs} follows the cluster-CIDR order and {@code spec.podCIDR} is the first.
 * Service ranges that overlap a cluster CIDR are occupied up front (upstream
 * filterOutServiceRange). Thread-safe.
 */
public final class RangeAllocator {
    /** What {@link #allocate} gives a node. */
    public sealed interface Allocation permits Allocated, Exhausted {}

    /** One block per cluster CIDR, in cluster-CIDR order. */
    public record Allocated(List<IPAddress> podCidrs) implements Allocation {
        public Allocated {
            podCidrs = List.copyOf(podCidrs);
        }

        public List<String> strings() {
            return podCidrs.stream().map(IPAddress::toCanonicalString).toList();
        }
    }

    /**
     * The cluster CIDR at {@code index} has no free block; nothing was allocated. {@code message}
     * is upstream's error ("failed to allocate cidr from cluster cidr at idx:N: ...").
     */
    public record Exhausted(int index, IPAddress clusterCidr, String message) implements Allocation {}

    private final List<CidrSet> sets;

    public RangeAllocator(List<IPAddress> clusterCidrs, List<Integer> nodeMasks, List<IPAddress> serviceCidrs) {
        if (clusterCidrs.size() != nodeMasks.size()) throw new IllegalArgumentException("one node mask per cluster CIDR");
        List<CidrSet> s = new ArrayList<>();
        for (int i = 0; i < clusterCidrs.size(); i++) s.add(new CidrSet(clusterCidrs.get(i), nodeMasks.get(i)));
        this.sets = List.copyOf(s);
        for (IPAddress service : serviceCidrs) {
            for (CidrSet set : sets) {
                if (CidrSet.overlaps(set.clusterCidr(), service)) set.occupy(service);
            }
        }
    }

    /** The allocator a plan describes (cluster CIDRs, per-family node masks, service ranges). */
    public static RangeAllocator forPlan(ClusterPlan plan) {
        List<Integer> masks = plan.clusterCidrs().stream().map(c -> plan.nodeMask(IpFamily.of(c))).toList();
        return new RangeAllocator(plan.clusterCidrs(), masks, plan.serviceCidrs());
    }

    public List<CidrSet> sets() {
        return sets;
    }

    /**
     * Marks a node's existing {@code spec.podCIDRs} as used (restart rebuild, or a node that came
     * with CIDRs). Fails, changing nothing, when a CIDR does not parse or lies outside its cluster CIDR.
     */
    public synchronized void occupy(String nodeName, List<String> podCidrs) {
        List<IPAddress> parsed = parse(nodeName, podCidrs);
        for (int i = 0; i < parsed.size(); i++) {
            CidrSet set = sets.get(i);
            try {
                set.occupy(parsed.get(i));
            } catch (IllegalArgumentException e) {
                for (int j = 0; j < i; j++) sets.get(j).release(parsed.get(j));
                throw new IllegalArgumentException("failed to mark cidr[" + podCidrs.get(i) + "] at idx [" + i
                        + "] as occupied for node: " + nodeName + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * One block from every cluster CIDR. When one range is exhausted, the blocks already taken
     * from the others are given back (upstream keeps them until restart) and the result says which
     * range ran out.
     */
    public synchronized Allocation allocate() {
        List<IPAddress> taken = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            Optional<IPAddress> next = sets.get(i).allocateNext();
            if (next.isEmpty()) {
                for (int j = 0; j < taken.size(); j++) sets.get(j).release(taken.get(j));
                return new Exhausted(i, sets.get(i).clusterCidr(),
                        "failed to allocate cidr from cluster cidr at idx:" + i + ": " + CidrSet.NO_CIDRS_REMAINING);
            }
            taken.add(next.get());
        }
        return new Allocated(taken);
    }

    /** Frees a node's blocks (node deleted, or a reservation that could not be written). */
    public synchronized void release(String nodeName, List<String> podCidrs) {
        List<IPAddress> parsed = parse(nodeName, podCidrs);
        for (int i = 0; i < parsed.size(); i++) sets.get(i).release(parsed.get(i));
    }

    public synchronized void release(List<IPAddress> podCidrs) {
        for (int i = 0; i < podCidrs.size() && i < sets.size(); i++) sets.get(i).release(podCidrs.get(i));
    }

    private List<IPAddress> parse(String nodeName, List<String> podCidrs) {
        List<IPAddress> out = new ArrayList<>();
        for (int i = 0; i < podCidrs.size(); i++) {
            String cidr = podCidrs.get(i);
            if (i >= sets.size()) {
                throw new IllegalArgumentException("node:" + nodeName + " has an allocated cidr: " + cidr + " at index:" + i
                        + " that does not exist in cluster cidrs configuration");
            }
            IPAddress address = new IPAddressString(cidr).getAddress();
            if (address == null || address.getNetworkPrefixLength() == null) {
                throw new IllegalArgumentException("failed to parse node " + nodeName + ", CIDR " + cidr);
            }
            out.add(address);
        }
        return out;
    }
}
