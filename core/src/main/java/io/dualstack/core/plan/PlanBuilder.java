package io.dualstack.core.plan;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;
import io.dualstack.core.net.Cidrs;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects plan values from several inputs, remembering where each came from. The first input to set
 * a field wins; a later input that sets it differently gives a {@code conflict} (or, same ranges in
 * another order, {@code family-order}) finding. Format defaults (kind's, kubeadm's) only apply when no
 * input set the field.
 */
final class PlanBuilder {
    record Val(Object value, String source) {
    }

    private record NodeEntry(String name, ClusterPlan.Role role, List<IPAddress> ips, String source) {
    }

    private final Map<PlanField, Val> explicit = new EnumMap<>(PlanField.class);
    private final Map<PlanField, Val> defaults = new EnumMap<>(PlanField.class);
    private Val singleMask;
    private Val advertiseAddress;
    private final LinkedHashMap<String, NodeEntry> nodes = new LinkedHashMap<>();
    final List<Finding> findings = new ArrayList<>();

    static String show(Object v) {
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(o instanceof IPAddress a ? Cidrs.format(a) : String.valueOf(o));
            return String.join(",", parts);
        }
        return String.valueOf(v);
    }

    void set(PlanField f, Object value, String source) {
        Val existing = explicit.get(f);
        if (existing == null) {
            explicit.put(f, new Val(value, source));
            return;
        }
        if (existing.value().equals(value)) return;
        if (value instanceof List<?> l && existing.value() instanceof List<?> e
                && new HashSet<>(l).equals(new HashSet<>(e))) {
            findings.add(Finding.error("family-order", source,
                    source + " is " + show(value) + " but " + existing.source() + " is " + show(e)
                            + ": the same ranges in another family order (the first family is the primary family)",
                    "list the ranges in the same order everywhere, primary family first"));
            return;
        }
        findings.add(Finding.error("conflict", source,
                source + " is " + show(value) + " but " + existing.source() + " is " + show(existing.value())
                        + "; " + existing.source() + " is used",
                "give " + f.flag() + " one value in every input"));
    }

    void setDefault(PlanField f, Object value, String source) {
        defaults.putIfAbsent(f, new Val(value, source));
    }

    boolean isSet(PlanField f) {
        return explicit.containsKey(f);
    }

    void setSingleMask(int mask, String source) {
        if (singleMask == null) singleMask = new Val(mask, source);
    }

    void setAdvertiseAddress(IPAddress address, String source) {
        if (advertiseAddress == null) advertiseAddress = new Val(address, source);
    }

    void node(String name, ClusterPlan.Role role, List<IPAddress> ips, String source) {
        NodeEntry old = nodes.get(name);
        if (old == null) {
            nodes.put(name, new NodeEntry(name, role, ips, source));
            return;
        }
        if (ips.isEmpty()) return;
        if (old.ips().isEmpty()) {
            nodes.put(name, new NodeEntry(name, old.role(), ips, source));
        } else if (!old.ips().equals(ips)) {
            findings.add(Finding.error("conflict", source,
                    source + " gives node " + name + " node IPs " + show(ips) + " but " + old.source()
                            + " gives " + show(old.ips()) + "; " + old.source() + " is used",
                    "give each node one --node-ip value"));
        }
    }

    int nodeCount() {
        return nodes.size();
    }

    private Val get(PlanField f) {
        Val v = explicit.get(f);
        return v != null ? v : defaults.get(f);
    }

    @SuppressWarnings("unchecked")
    private <T> T value(PlanField f, T fallback, Map<PlanField, String> sources) {
        Val v = get(f);
        if (v == null) return fallback;
        sources.put(f, v.source());
        return (T) v.value();
    }

    /** The plan, its sources, and the findings reading produced. */
    PlanLoader.Loaded build() {
        Map<PlanField, String> src = new EnumMap<>(PlanField.class);
        List<Finding> out = new ArrayList<>(findings);
        List<IPAddress> services = value(PlanField.SERVICE_CIDRS, null, src);
        if (services == null) {
            services = List.of(Cidrs.parseCidr("10.0.0.0/24"));
            out.add(Finding.info("default-applied", PlanField.SERVICE_CIDRS.flag(),
                    "no input sets the service range; kube-apiserver's default 10.0.0.0/24 applies"));
        }
        List<IPAddress> pods = value(PlanField.CLUSTER_CIDRS, List.of(), src);
        if (advertiseAddress != null && !services.isEmpty()
                && IpFamily.of((IPAddress) advertiseAddress.value()) != IpFamily.of(services.get(0))) {
            // kube-apiserver: the kubernetes Service and its Endpoints must share the primary family
            out.add(Finding.error("advertise-address", advertiseAddress.source(),
                    "service IP family \"" + Cidrs.format(services.get(0)) + "\" must match public address family \""
                            + Cidrs.format((IPAddress) advertiseAddress.value()) + "\" (" + advertiseAddress.source() + ")",
                    "advertise an address of the primary service family " + IpFamily.of(services.get(0))
                            + ", or list the " + IpFamily.of((IPAddress) advertiseAddress.value()) + " service range first"));
        }
        Integer m4 = value(PlanField.NODE_MASK_IPV4, null, src);
        Integer m6 = value(PlanField.NODE_MASK_IPV6, null, src);
        if (singleMask != null) {
            List<IpFamily> fams = pods.stream().map(IpFamily::of).distinct().toList();
            if (fams.size() > 1) {
                out.add(Finding.error("node-mask", singleMask.source(),
                        "usage of --node-cidr-mask-size is not allowed with dual-stack clusters (cluster CIDRs "
                                + show(pods) + ")",
                        "use --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6"));
            } else if (fams.size() == 1) {
                if (fams.get(0) == IpFamily.IPv4 && m4 == null) {
                    m4 = (Integer) singleMask.value();
                    src.put(PlanField.NODE_MASK_IPV4, singleMask.source());
                } else if (fams.get(0) == IpFamily.IPv6 && m6 == null) {
                    m6 = (Integer) singleMask.value();
                    src.put(PlanField.NODE_MASK_IPV6, singleMask.source());
                }
            }
        }
        List<IPAddress> nodeNetworks = value(PlanField.NODE_NETWORKS, List.of(), src);
        List<IPAddress> proxy = value(PlanField.KUBE_PROXY_CIDRS, null, src);
        if (proxy == null) {
            proxy = pods;
            src.put(PlanField.KUBE_PROXY_CIDRS, src.getOrDefault(PlanField.CLUSTER_CIDRS, PlanField.CLUSTER_CIDRS.flag())
                    + " (kube-proxy clusterCIDR defaults to the pod ranges, as kubeadm sets it)");
        }
        String mode = value(PlanField.KUBE_PROXY_MODE, "iptables", src);
        ClusterPlan.PortRange ports = value(PlanField.NODE_PORT_RANGE, ClusterPlan.PortRange.DEFAULT_NODE_PORTS, src);
        String domain = value(PlanField.CLUSTER_DOMAIN, Plans.DEFAULT_DOMAIN, src);
        Map<String, String> nodeSources = new LinkedHashMap<>();
        List<ClusterPlan.NodePlan> nodeList = new ArrayList<>();
        for (NodeEntry n : nodes.values()) {
            nodeList.add(new ClusterPlan.NodePlan(n.name(), n.role(), n.ips()));
            nodeSources.put(n.name(), n.source());
        }
        ClusterPlan plan = new ClusterPlan(services, pods,
                m4 == null ? Plans.DEFAULT_NODE_MASK_IPV4 : m4,
                m6 == null ? Plans.DEFAULT_NODE_MASK_IPV6 : m6,
                nodeNetworks, nodeList, proxy, mode, ports, domain);
        return new PlanLoader.Loaded(plan, new PlanSources(src, nodeSources), out);
    }
}
