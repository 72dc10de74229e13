package io.dualstack.core.plan;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;

import java.util.List;

/**
 * A cluster's networking for both families, in the order the user gave it: the first family is
 * the primary family everywhere. Every list is immutable. CIDRs are prefix blocks
 * ({@code IPAddress} with a prefix length); node IPs are single addresses.
 *
 * <p>This is the contract every component reads (API server: service ranges and NodePort range;
 * controllers: cluster CIDRs and node masks; node agents: nodes and node networks; DNS: domain).
 * The plan module owns parsing, checking and rendering; it may add components to this record but
 * must keep these accessors.
 */
public record ClusterPlan(
        /* --service-cluster-ip-range, in order (primary first). */
        List<IPAddress> serviceCidrs,
        /* kube-controller-manager --cluster-cidr (pod CIDRs), in order. */
        List<IPAddress> clusterCidrs,
        /* --node-cidr-mask-size-ipv4 (default 24). */
        int nodeMaskIpv4,
        /* --node-cidr-mask-size-ipv6 (default 64). */
        int nodeMaskIpv6,
        /* Networks node InternalIPs come from (kind's docker network, one per family), in order. */
        List<IPAddress> nodeNetworks,
        /* The nodes, in order; the first control-plane node hosts the control plane. */
        List<NodePlan> nodes,
        /* kube-proxy clusterCIDR (--cluster-cidr of kube-proxy), in order. */
        List<IPAddress> kubeProxyClusterCidrs,
        /* kube-proxy mode: iptables, ipvs, nftables. */
        String kubeProxyMode,
        /* --service-node-port-range. */
        PortRange nodePortRange,
        /* Cluster DNS domain, default cluster.local. */
        String clusterDomain) {

    public ClusterPlan {
        serviceCidrs = List.copyOf(serviceCidrs);
        clusterCidrs = List.copyOf(clusterCidrs);
        nodeNetworks = List.copyOf(nodeNetworks);
        nodes = List.copyOf(nodes);
        kubeProxyClusterCidrs = List.copyOf(kubeProxyClusterCidrs);
    }

    /** Families of the service ranges, primary first. */
    public List<IpFamily> serviceFamilies() {
        return serviceCidrs.stream().map(IpFamily::of).toList();
    }

    /** Families of the pod ranges, primary first. */
    public List<IpFamily> podFamilies() {
        return clusterCidrs.stream().map(IpFamily::of).toList();
    }

    public int nodeMask(IpFamily family) {
        return family == IpFamily.IPv4 ? nodeMaskIpv4 : nodeMaskIpv6;
    }

    /** A node the plan names. {@code nodeIps} may be empty (then addresses come from node networks). */
    public record NodePlan(String name, Role role, List<IPAddress> nodeIps) {
        public NodePlan {
            nodeIps = List.copyOf(nodeIps);
        }
    }

    public enum Role { CONTROL_PLANE, WORKER }

    /** An inclusive port range, as {@code --service-node-port-range=30000-32767}. */
    public record PortRange(int first, int last) {
        public static final PortRange DEFAULT_NODE_PORTS = new PortRange(30000, 32767);

        public int size() {
            return last - first + 1;
        }

        public boolean contains(int port) {
            return port >= first && port <= last;
        }

        @Override
        public String toString() {
            return first + "-" + last;
        }
    }
}
