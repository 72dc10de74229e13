package io.dualstack.core.plan;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;
import io.dualstack.core.net.Cidrs;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a plan: the rules the seeds warn about and the limits upstream validation enforces. Pure:
 * a function of the plan and where its fields came from. Every finding id is documented in
 * core/README.md.
 */
public final class PlanChecker {
    private PlanChecker() {
    }

    /** kube-apiserver: a service range may have at most 20 host bits (IPv4 mask >= /12, IPv6 >= /108). */
    public static final int MAX_SERVICE_HOST_BITS = 20;
    /** nodeipam cidrset: for IPv6 the node mask may be at most 16 bits longer than the cluster CIDR's. */
    public static final int MAX_IPV6_NODE_MASK_DIFF = 16;
    /** kubeadm gives cluster DNS the 10th address of the first service range; fewer host bits cannot hold it. */
    public static final int MIN_SERVICE_HOST_BITS = 4;
    /** Below this many host bits a service range holds fewer than 256 ClusterIPs: a warning. */
    public static final int SMALL_SERVICE_HOST_BITS = 8;

    static final Set<String> PROXY_MODES = Set.of("iptables", "ipvs", "nftables");

    private record Named(String what, String source, IPAddress cidr) {
        String show() {
            return what + " " + Cidrs.format(cidr) + " (" + source + ")";
        }
    }

    public static List<Finding> check(ClusterPlan p) {
        return check(p, PlanSources.none());
    }

    public static List<Finding> check(ClusterPlan p, PlanSources s) {
        List<Finding> out = new ArrayList<>();
        String svcSrc = s.of(PlanField.SERVICE_CIDRS);
        String podSrc = s.of(PlanField.CLUSTER_CIDRS);
        String proxySrc = s.of(PlanField.KUBE_PROXY_CIDRS);
        String netSrc = s.of(PlanField.NODE_NETWORKS);

        if (p.clusterCidrs().isEmpty()) {
            out.add(Finding.error("missing-range", podSrc, "no pod range is given (kube-controller-manager --cluster-cidr, "
                    + "kubeadm networking.podSubnet, kind networking.podSubnet)",
                    "give one pod range per family, e.g. --cluster-cidr=10.244.0.0/16,fd00:10:244::/56"));
        }
        shape(out, "service range", svcSrc, p.serviceCidrs());
        shape(out, "pod range", podSrc, p.clusterCidrs());
        shape(out, "kube-proxy clusterCIDR", proxySrc, p.kubeProxyClusterCidrs());
        shape(out, "node network", netSrc, p.nodeNetworks());

        // families and their order
        Set<IpFamily> all = new LinkedHashSet<>();
        all.addAll(families(p.serviceCidrs()));
        all.addAll(families(p.clusterCidrs()));
        if (all.size() == 2) {
            missing(out, "service range", svcSrc, p.serviceCidrs(), true);
            missing(out, "pod range", podSrc, p.clusterCidrs(), true);
            missing(out, "kube-proxy clusterCIDR", proxySrc, p.kubeProxyClusterCidrs(), true);
            if (!p.nodeNetworks().isEmpty()) missing(out, "node network", netSrc, p.nodeNetworks(), false);
        }
        order(out, "pod ranges", podSrc, p.clusterCidrs(), "service ranges", svcSrc, p.serviceCidrs(), true);
        order(out, "kube-proxy clusterCIDR", proxySrc, p.kubeProxyClusterCidrs(), "pod ranges", podSrc, p.clusterCidrs(), true);
        order(out, "node networks", netSrc, p.nodeNetworks(), "pod ranges", podSrc, p.clusterCidrs(), false);
        if (new LinkedHashSet<>(p.kubeProxyClusterCidrs()).equals(new LinkedHashSet<>(p.clusterCidrs())) == false
                && families(p.kubeProxyClusterCidrs()).equals(families(p.clusterCidrs()))) {
            out.add(Finding.warning("kube-proxy-cluster-cidr", proxySrc,
                    "kube-proxy clusterCIDR " + Cidrs.formatList(p.kubeProxyClusterCidrs()) + " (" + proxySrc
                            + ") differs from the pod ranges " + Cidrs.formatList(p.clusterCidrs()) + " (" + podSrc
                            + "); kube-proxy treats pod traffic outside it as external",
                    "set kube-proxy clusterCIDR to " + Cidrs.formatList(p.clusterCidrs())));
        }

        // overlaps
        List<Named> ranges = new ArrayList<>();
        p.serviceCidrs().forEach(c -> ranges.add(new Named("service range", svcSrc, c)));
        p.clusterCidrs().forEach(c -> ranges.add(new Named("pod range", podSrc, c)));
        p.nodeNetworks().forEach(c -> ranges.add(new Named("node network", netSrc, c)));
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                Named a = ranges.get(i);
                Named b = ranges.get(j);
                if (a.what().equals(b.what())) continue; // same list: duplicate-family covers it
                if (Cidrs.overlaps(a.cidr(), b.cidr())) {
                    out.add(Finding.error("overlap", b.source(), b.show() + " overlaps " + a.show(),
                            "pick non-overlapping ranges: pod, service and node ranges of a family must be disjoint"));
                }
            }
        }

        // address kinds
        for (Named r : ranges) addressKind(out, r);

        // node masks and capacity
        for (IPAddress c : p.clusterCidrs()) nodeMask(out, p, s, c, podSrc);

        // service range sizes
        for (IPAddress c : p.serviceCidrs()) serviceSize(out, c, svcSrc);

        nodeIps(out, p, s);

        if (p.kubeProxyMode().equals("none")) {
            out.add(Finding.info("proxy-mode", s.of(PlanField.KUBE_PROXY_MODE),
                    "kube-proxy mode none (kind): no kube-proxy runs; the CNI must implement Services for both families"));
        } else if (!PROXY_MODES.contains(p.kubeProxyMode())) {
            out.add(Finding.error("proxy-mode", s.of(PlanField.KUBE_PROXY_MODE),
                    "kube-proxy mode \"" + p.kubeProxyMode() + "\" is not supported on Linux; must be iptables, ipvs or nftables",
                    "set the kube-proxy mode to nftables, iptables or ipvs"));
        }
        ClusterPlan.PortRange np = p.nodePortRange();
        if (np.first() < 1 || np.last() > 65535 || np.first() > np.last()) {
            out.add(Finding.error("node-port-range", s.of(PlanField.NODE_PORT_RANGE),
                    "--service-node-port-range " + np + " is not a valid port range (1-65535, first <= last)",
                    "use a range such as 30000-32767"));
        }
        if (!p.clusterDomain().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
                || p.clusterDomain().length() > 253) {
            out.add(Finding.error("cluster-domain", s.of(PlanField.CLUSTER_DOMAIN),
                    "cluster domain \"" + p.clusterDomain() + "\" is not a valid DNS-1123 subdomain",
                    "use lower-case labels separated by dots, e.g. cluster.local"));
        }
        return out;
    }

    static List<IpFamily> families(List<IPAddress> l) {
        return l.stream().map(IpFamily::of).distinct().toList();
    }

    private static void shape(List<Finding> out, String what, String src, List<IPAddress> l) {
        boolean svc = what.equals("service range");
        if (l.size() > 2) {
            out.add(Finding.error("too-many-ranges", src, (svc ? "--service-cluster-ip-range must not contain more than two entries: " : "")
                            + src + " has " + l.size() + " " + what + "s (" + Cidrs.formatList(l) + "); at most two are allowed, one per family",
                    "keep one IPv4 and one IPv6 " + what));
        }
        Map<IpFamily, IPAddress> seen = new HashMap<>();
        for (IPAddress c : l) {
            IPAddress prev = seen.putIfAbsent(IpFamily.of(c), c);
            if (prev != null) {
                out.add(Finding.error("duplicate-family", src, (svc ? "--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different IP family: " : "")
                                + src + " has two " + IpFamily.of(c) + " " + what + "s ("
                                + Cidrs.format(prev) + " and " + Cidrs.format(c) + "); a dual-stack list needs one of each family",
                        "keep one " + IpFamily.of(c) + " " + what + " and add one of the other family if dual-stack is meant"));
            }
        }
    }

    private static void missing(List<Finding> out, String what, String src, List<IPAddress> l, boolean error) {
        if (l.isEmpty()) return; // missing-range covers the pod list; empty node networks mean "not given"
        List<IpFamily> have = families(l);
        for (IpFamily f : IpFamily.values()) {
            if (!have.contains(f)) {
                String msg = "the plan is dual-stack but " + what + " " + Cidrs.formatList(l) + " (" + src
                        + ") has no " + f + " range";
                String fix = "add an " + f + " " + what + " so that every component has both families";
                out.add(error ? Finding.error("missing-family", src, msg, fix) : Finding.warning("missing-family", src, msg, fix));
            }
        }
    }

    private static void order(List<Finding> out, String what, String src, List<IPAddress> l,
                              String otherWhat, String otherSrc, List<IPAddress> other, boolean error) {
        List<IpFamily> a = families(l);
        List<IpFamily> b = families(other);
        if (a.size() < 2 || b.size() < 2) return;
        if (a.get(0) != b.get(0)) {
            String msg = what + " " + Cidrs.formatList(l) + " (" + src + ") are " + a.get(0) + "-first but " + otherWhat
                    + " " + Cidrs.formatList(other) + " (" + otherSrc + ") are " + b.get(0)
                    + "-first; the first family is the primary family and must be the same in every component";
            String fix = "list " + what + " " + b.get(0) + " first, like " + otherWhat;
            out.add(error ? Finding.error("family-order", src, msg, fix) : Finding.warning("family-order", src, msg, fix));
        }
    }

    private static void addressKind(List<Finding> out, Named r) {
        IPAddress c = r.cidr();
        boolean clusterRange = !r.what().equals("node network");
        Optional<Cidrs.SpecialRange> sp = Cidrs.special(c);
        if (sp.isPresent()) {
            Cidrs.SpecialRange x = sp.get();
            String msg = r.show() + " overlaps " + Cidrs.format(x.cidr()) + ", " + x.name();
            String fix = c.isIPv4() ? "use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"
                    : "use a ULA range from fd00::/8 (e.g. fd00:10:244::/56) or global unicast space you own";
            if (x.usableWithCare()) out.add(Finding.warning("special-range", r.source(), msg + "; it works only with care", fix));
            else out.add(Finding.error("special-range", r.source(), msg + "; it cannot carry " + (clusterRange ? r.what().replace(" range", "") + " addresses" : "node addresses"), fix));
            return;
        }
        if (Cidrs.isReservedIpv6(c)) {
            out.add(Finding.error("special-range", r.source(), r.show() + " is outside global unicast (2000::/3) and ULA "
                    + "(fc00::/7): reserved by the IETF", "use a ULA range from fd00::/8 or global unicast space you own"));
            return;
        }
        if (Cidrs.isUlaL0(c)) {
            out.add(Finding.warning("ula-fc00", r.source(), r.show() + " is in fc00::/8 (ULA with L=0, not defined "
                            + "by RFC 4193); locally assigned ULAs are in fd00::/8",
                    "use fd00::/8, e.g. " + ("fd" + Cidrs.format(c).substring(2))));
            return;
        }
        if (clusterRange && Cidrs.isPublicIpv4(c)) {
            out.add(Finding.warning("public-ipv4", r.source(), r.show() + " is public IPv4 space; pods or services "
                            + "there shadow real internet addresses", "use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)"));
        }
    }

    private static void nodeMask(List<Finding> out, ClusterPlan p, PlanSources s, IPAddress c, String podSrc) {
        IpFamily f = IpFamily.of(c);
        int mask = p.nodeMask(f);
        String maskSrc = s.of(f == IpFamily.IPv4 ? PlanField.NODE_MASK_IPV4 : PlanField.NODE_MASK_IPV6);
        String flag = f == IpFamily.IPv4 ? "--node-cidr-mask-size-ipv4" : "--node-cidr-mask-size-ipv6";
        int cm = Cidrs.prefix(c);
        int bits = c.getBitCount();
        if (mask > bits || mask < 1) {
            out.add(Finding.error("node-mask", maskSrc, flag + " " + mask + " is not a valid " + f + " mask (1-" + bits + ")",
                    "use " + (f == IpFamily.IPv4 ? "24" : "64")));
            return;
        }
        if (mask < cm) {
            out.add(Finding.error("node-mask", maskSrc, flag + " " + mask + " (" + maskSrc + ") is shorter than the mask of pod range "
                            + Cidrs.format(c) + " (" + podSrc + "); the mask size of the cluster CIDR must be less than or equal to the node mask",
                    "make the node mask longer than /" + cm + " or the pod range larger"));
            return;
        }
        if (f == IpFamily.IPv6 && mask - cm > MAX_IPV6_NODE_MASK_DIFF) {
            out.add(Finding.error("node-mask", maskSrc, flag + " " + mask + " is " + (mask - cm) + " bits longer than pod range "
                            + Cidrs.format(c) + " (" + podSrc + "); the node CIDR set allows at most " + MAX_IPV6_NODE_MASK_DIFF
                            + " bits for IPv6 (the node CIDR size is too big)",
                    "use a pod range of /" + (mask - MAX_IPV6_NODE_MASK_DIFF) + " or longer, or a node mask of at most /" + (cm + MAX_IPV6_NODE_MASK_DIFF)));
            return;
        }
        BigInteger capacity = BigInteger.ONE.shiftLeft(mask - cm);
        BigInteger perNode = BigInteger.ONE.shiftLeft(bits - mask);
        int nodes = p.nodes().size();
        if (mask == cm) {
            out.add(Finding.warning("node-mask", maskSrc, flag + " " + mask + " equals the mask of pod range " + Cidrs.format(c)
                            + ": the range holds one node CIDR, so only one node gets " + f + " pod addresses",
                    "make the node mask longer than /" + cm));
        }
        if (BigInteger.valueOf(nodes).compareTo(capacity) > 0) {
            out.add(Finding.warning("node-capacity", podSrc, "pod range " + Cidrs.format(c) + " with /" + mask + " per node holds "
                            + capacity + " nodes, fewer than the " + nodes + " nodes in the plan",
                    "use a larger pod range or a longer " + flag));
        } else {
            out.add(Finding.info("node-capacity", podSrc, "pod range " + Cidrs.format(c) + " with /" + mask + " per node holds "
                    + capacity + " nodes of " + (bits - mask > 16 ? "2^" + (bits - mask) : perNode.toString()) + " addresses each" + (nodes > 0 ? " (the plan has " + nodes + ")" : "")));
        }
    }

    private static void serviceSize(List<Finding> out, IPAddress c, String src) {
        int host = Cidrs.hostBits(c);
        int bits = c.getBitCount();
        if (host > MAX_SERVICE_HOST_BITS) {
            out.add(Finding.error("service-range-too-large", src, "specified --service-cluster-ip-range " + Cidrs.format(c)
                            + " is too large; for " + bits + "-bit addresses, the mask must be >= " + (bits - MAX_SERVICE_HOST_BITS),
                    "use a /" + (bits - MAX_SERVICE_HOST_BITS) + " or longer, e.g. " + (c.isIPv4() ? "10.96.0.0/16" : "fd00:10:96::/112")));
            return;
        }
        BigInteger size = Cidrs.size(c);
        BigInteger usable = size.subtract(BigInteger.valueOf(c.isIPv4() ? 2 : 1)).max(BigInteger.ZERO);
        if (host < MIN_SERVICE_HOST_BITS) {
            out.add(Finding.error("service-range-too-small", src, "service range " + Cidrs.format(c) + " holds " + usable
                            + " ClusterIPs; it cannot hold the kubernetes Service and the cluster DNS address (the 10th address)",
                    "use a /" + (bits - 16) + " (65536 addresses) or at least a /" + (bits - SMALL_SERVICE_HOST_BITS)));
            return;
        }
        if (host < SMALL_SERVICE_HOST_BITS) {
            out.add(Finding.warning("service-range-too-small", src, "service range " + Cidrs.format(c) + " holds only " + usable
                    + " ClusterIPs", "use a /" + (bits - 16) + " (65536 addresses) unless the cluster stays tiny"));
        }
        IPAddress first = c.getLower().withoutPrefixLength().increment(1);
        IPAddress dns = c.getLower().withoutPrefixLength().increment(10);
        out.add(Finding.info("service-range", src, IpFamily.of(c) + " service range " + Cidrs.format(c) + " holds " + usable
                + " ClusterIPs; " + Cidrs.format(first) + " is the kubernetes Service, " + Cidrs.format(dns)
                + " the usual cluster DNS address"));
    }

    private static void nodeIps(List<Finding> out, ClusterPlan p, PlanSources s) {
        List<IpFamily> podFamilies = families(p.clusterCidrs());
        Map<IPAddress, String> owner = new HashMap<>();
        for (ClusterPlan.NodePlan n : p.nodes()) {
            if (n.nodeIps().isEmpty()) continue;
            String src = s.node(n.name());
            List<IPAddress> ips = n.nodeIps();
            List<IpFamily> fams = ips.stream().map(IpFamily::of).toList();
            String shown = Cidrs.formatList(ips);
            if (ips.size() > 2 || (ips.size() == 2 && fams.get(0) == fams.get(1))) {
                out.add(Finding.error("node-ip", src, "node " + n.name() + ": --node-ip " + shown
                                + " is not one address per family; give one IP, or one IPv4 and one IPv6",
                        "use --node-ip=<IPv4>,<IPv6> (primary family first)"));
                continue;
            }
            for (IPAddress ip : ips) {
                IpFamily f = IpFamily.of(ip);
                if (!podFamilies.isEmpty() && !podFamilies.contains(f)) {
                    out.add(Finding.error("node-ip", src, "node " + n.name() + ": --node-ip " + Cidrs.format(ip) + " is " + f
                                    + " but the cluster has no " + f + " pod range (" + Cidrs.formatList(p.clusterCidrs()) + ")",
                            "give node IPs only of the cluster's families"));
                }
                if (ip.isLoopback() || ip.isLinkLocal() || ip.isMulticast() || ip.isZero()) {
                    out.add(Finding.error("node-ip", src, "node " + n.name() + ": --node-ip " + Cidrs.format(ip)
                                    + " is a loopback, link-local, multicast or unspecified address; other nodes cannot reach it",
                            "use the node's routable address of that family"));
                }
                for (IPAddress c : p.clusterCidrs()) {
                    if (Cidrs.contains(c, ip)) {
                        out.add(Finding.error("node-ip", src, "node " + n.name() + ": --node-ip " + Cidrs.format(ip)
                                + " is inside pod range " + Cidrs.format(c), "give node IPs outside the pod and service ranges"));
                    }
                }
                for (IPAddress c : p.serviceCidrs()) {
                    if (Cidrs.contains(c, ip)) {
                        out.add(Finding.error("node-ip", src, "node " + n.name() + ": --node-ip " + Cidrs.format(ip)
                                + " is inside service range " + Cidrs.format(c), "give node IPs outside the pod and service ranges"));
                    }
                }
                List<IPAddress> netsOfFamily = p.nodeNetworks().stream().filter(x -> IpFamily.of(x) == f).toList();
                if (!netsOfFamily.isEmpty() && netsOfFamily.stream().noneMatch(x -> Cidrs.contains(x, ip))) {
                    out.add(Finding.warning("node-ip", src, "node " + n.name() + ": --node-ip " + Cidrs.format(ip)
                            + " is outside the node networks " + Cidrs.formatList(netsOfFamily), "give a node IP from the node network"));
                }
                String prev = owner.putIfAbsent(ip, n.name());
                if (prev != null) {
                    out.add(Finding.error("node-ip", src, "node " + n.name() + ": --node-ip " + Cidrs.format(ip)
                            + " is also node " + prev + "'s", "give every node its own addresses"));
                }
            }
            if (podFamilies.size() == 2 && ips.size() == 1) {
                out.add(Finding.warning("node-ip", src, "node " + n.name() + ": --node-ip " + shown + " names only "
                                + fams.get(0) + " in a dual-stack cluster; the node registers a single-family address",
                        "give --node-ip=<IPv4>,<IPv6> in the cluster's family order"));
            }
            if (podFamilies.size() == 2 && ips.size() == 2 && fams.get(0) != podFamilies.get(0)) {
                out.add(Finding.warning("family-order", src, "node " + n.name() + ": --node-ip " + shown + " is "
                                + fams.get(0) + "-first but the pod ranges are " + podFamilies.get(0) + "-first",
                        "list the node IPs " + podFamilies.get(0) + " first"));
            }
        }
    }
}
