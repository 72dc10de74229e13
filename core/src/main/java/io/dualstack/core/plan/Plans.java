package io.dualstack.core.plan;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;
import io.dualstack.core.net.Cidrs;

import java.util.ArrayList;
import java.util.List;

/** Ready-made plans and the defaults of the formats plans are read from. */
public final class Plans {
    private Plans() {
    }

    /** kind's default cluster name. */
    public static final String KIND_DEFAULT_NAME = "kind";

    /** The IPv4 network the lab's nodes live on (private, clear of kind's pod/service defaults). */
    public static final IPAddress LAB_NODE_NETWORK_IPV4 = Cidrs.parseCidr("172.18.0.0/16");
    /**
     * The IPv6 network the lab's nodes live on. kind's docker network uses fc00:f853:ccd:e793::/64,
     * which the {@code ula-fc00} rule flags; the lab uses an fd00::/8 (L=1) network instead.
     */
    public static final IPAddress LAB_NODE_NETWORK_IPV6 = Cidrs.parseCidr("fd00:172:18::/64");

    /** kind v1alpha4 defaults per family (pkg/apis/config/v1alpha4/default.go). */
    public static final IPAddress KIND_POD_IPV4 = Cidrs.parseCidr("10.244.0.0/16");
    public static final IPAddress KIND_POD_IPV6 = Cidrs.parseCidr("fd00:10:244::/56");
    public static final IPAddress KIND_SERVICE_IPV4 = Cidrs.parseCidr("10.96.0.0/16");
    public static final IPAddress KIND_SERVICE_IPV6 = Cidrs.parseCidr("fd00:10:96::/112");

    public static final int DEFAULT_NODE_MASK_IPV4 = 24;
    public static final int DEFAULT_NODE_MASK_IPV6 = 64;
    public static final String DEFAULT_DOMAIN = "cluster.local";

    /**
     * The plan {@code dualstack up} uses with no input: kind's dual-stack defaults, masks 24/64,
     * nodes {@code <cluster>-control-plane} and {@code <cluster>-worker}, lab node networks,
     * NodePorts 30000-32767, domain cluster.local, kube-proxy mode nftables.
     */
    public static ClusterPlan labDefault(String clusterName) {
        List<IPAddress> pods = List.of(KIND_POD_IPV4, KIND_POD_IPV6);
        return new ClusterPlan(
                List.of(KIND_SERVICE_IPV4, KIND_SERVICE_IPV6),
                pods,
                DEFAULT_NODE_MASK_IPV4, DEFAULT_NODE_MASK_IPV6,
                List.of(LAB_NODE_NETWORK_IPV4, LAB_NODE_NETWORK_IPV6),
                List.of(new ClusterPlan.NodePlan(clusterName + "-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of()),
                        new ClusterPlan.NodePlan(clusterName + "-worker", ClusterPlan.Role.WORKER, List.of())),
                pods,
                "nftables",
                ClusterPlan.PortRange.DEFAULT_NODE_PORTS,
                DEFAULT_DOMAIN);
    }

    /** The lab node networks for the given families, in that order. */
    public static List<IPAddress> labNodeNetworks(List<IpFamily> families) {
        List<IPAddress> out = new ArrayList<>();
        for (IpFamily f : families) {
            IPAddress n = f == IpFamily.IPv4 ? LAB_NODE_NETWORK_IPV4 : LAB_NODE_NETWORK_IPV6;
            if (!out.contains(n)) out.add(n);
        }
        return out;
    }

    /**
     * The InternalIPs a node agent gives the plan's node at {@code index}: its own node IPs, or else
     * network + 2 + index of each node network (Docker hands kind's node containers the addresses
     * after the gateway), in the plan's family order. A plan without node networks (component
     * flags only) uses the lab's node networks for its pod families.
     */
    public static List<IPAddress> internalIps(ClusterPlan plan, int index) {
        ClusterPlan.NodePlan node = plan.nodes().get(index);
        List<IPAddress> nets = plan.nodeNetworks().isEmpty() ? labNodeNetworks(plan.podFamilies()) : plan.nodeNetworks();
        List<IpFamily> order = nets.stream().map(IpFamily::of).distinct().toList();
        List<IPAddress> ips = new ArrayList<>();
        if (!node.nodeIps().isEmpty()) {
            node.nodeIps().forEach(a -> ips.add(a.withoutPrefixLength()));
        } else {
            nets.forEach(net -> ips.add(net.toPrefixBlock().getLower().withoutPrefixLength().increment(2L + index)));
        }
        ips.sort(java.util.Comparator.comparingInt(a -> order.indexOf(IpFamily.of(a)) < 0 ? 99 : order.indexOf(IpFamily.of(a))));
        return List.copyOf(ips);
    }

    /** kind's node names: {@code <name>-control-plane}, {@code <name>-control-plane2}, {@code <name>-worker}, {@code <name>-worker2}, ... */
    public static String kindNodeName(String cluster, ClusterPlan.Role role, int indexWithinRole) {
        String base = cluster + (role == ClusterPlan.Role.CONTROL_PLANE ? "-control-plane" : "-worker");
        return indexWithinRole == 0 ? base : base + (indexWithinRole + 1);
    }

    /** The role a node name implies (kind naming): control plane when it contains "control-plane". */
    public static ClusterPlan.Role roleFromName(String name) {
        return name.matches(".*control-plane\\d*$") ? ClusterPlan.Role.CONTROL_PLANE : ClusterPlan.Role.WORKER;
    }
}
