package io.dualstack.core.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import inet.ipaddr.IPAddress;
import io.dualstack.core.net.Cidrs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * dualstack's own plan shape: the {@code plan} object of {@code plan check -o json}, and the body of a
 * {@code dualstack.io/v1alpha1 ClusterPlan} document. It carries every field, so it round-trips exactly.
 */
public final class PlanJson {
    private PlanJson() {
    }

    static final Set<String> FIELDS = Set.of("apiVersion", "kind", "serviceCidrs", "clusterCidrs", "nodeMaskIpv4",
            "nodeMaskIpv6", "nodeNetworks", "nodes", "kubeProxyClusterCidrs", "kubeProxyMode", "nodePortRange",
            "clusterDomain");

    public static ObjectNode toJson(ClusterPlan p) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.set("serviceCidrs", list(p.serviceCidrs()));
        o.set("clusterCidrs", list(p.clusterCidrs()));
        o.put("nodeMaskIpv4", p.nodeMaskIpv4());
        o.put("nodeMaskIpv6", p.nodeMaskIpv6());
        o.set("nodeNetworks", list(p.nodeNetworks()));
        ArrayNode nodes = o.putArray("nodes");
        for (ClusterPlan.NodePlan n : p.nodes()) {
            ObjectNode no = nodes.addObject();
            no.put("name", n.name());
            no.put("role", role(n.role()));
            no.set("nodeIps", list(n.nodeIps()));
        }
        o.set("kubeProxyClusterCidrs", list(p.kubeProxyClusterCidrs()));
        o.put("kubeProxyMode", p.kubeProxyMode());
        o.put("nodePortRange", p.nodePortRange().toString());
        o.put("clusterDomain", p.clusterDomain());
        return o;
    }

    static String role(ClusterPlan.Role r) {
        return r == ClusterPlan.Role.CONTROL_PLANE ? "control-plane" : "worker";
    }

    private static ArrayNode list(List<IPAddress> l) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        l.forEach(x -> a.add(Cidrs.format(x)));
        return a;
    }

    private static String text(JsonNode n) {
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(e -> parts.add(e.asText()));
            return String.join(",", parts);
        }
        return n.asText();
    }

    static void read(ObjectNode o, String where, PlanBuilder b) throws PlanInputException {
        Iterator<String> names = o.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!FIELDS.contains(f)) {
                b.findings.add(Finding.warning("unknown-field", where + f, where + f + " is not a ClusterPlan field; it is ignored",
                        "remove " + f + " or fix its spelling"));
            }
        }
        cidrField(o, "serviceCidrs", PlanField.SERVICE_CIDRS, where, b);
        cidrField(o, "clusterCidrs", PlanField.CLUSTER_CIDRS, where, b);
        cidrField(o, "nodeNetworks", PlanField.NODE_NETWORKS, where, b);
        cidrField(o, "kubeProxyClusterCidrs", PlanField.KUBE_PROXY_CIDRS, where, b);
        intField(o, "nodeMaskIpv4", PlanField.NODE_MASK_IPV4, where, b);
        intField(o, "nodeMaskIpv6", PlanField.NODE_MASK_IPV6, where, b);
        if (o.hasNonNull("kubeProxyMode")) b.set(PlanField.KUBE_PROXY_MODE, o.get("kubeProxyMode").asText(), where + "kubeProxyMode");
        if (o.hasNonNull("clusterDomain")) b.set(PlanField.CLUSTER_DOMAIN, o.get("clusterDomain").asText(), where + "clusterDomain");
        if (o.hasNonNull("nodePortRange")) {
            String s = where + "nodePortRange";
            String v = o.get("nodePortRange").asText();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,5})-(\\d{1,5})").matcher(v.trim());
            if (!m.matches()) throw new PlanInputException(s + ": invalid port range '" + v + "'; write it as 30000-32767");
            b.set(PlanField.NODE_PORT_RANGE, new ClusterPlan.PortRange(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))), s);
        }
        JsonNode nodes = o.path("nodes");
        int i = 0;
        for (JsonNode n : nodes) {
            String nw = where + "nodes[" + i++ + "].";
            String name = n.path("name").asText("");
            if (name.isEmpty()) throw new PlanInputException(nw + "name: every node needs a name");
            String role = n.path("role").asText("worker");
            ClusterPlan.Role r = switch (role) {
                case "control-plane" -> ClusterPlan.Role.CONTROL_PLANE;
                case "worker" -> ClusterPlan.Role.WORKER;
                default -> throw new PlanInputException(nw + "role: unknown role '" + role + "'; use control-plane or worker");
            };
            List<IPAddress> ips;
            try {
                ips = Cidrs.parseAddressList(text(n.path("nodeIps")));
            } catch (IllegalArgumentException e) {
                throw new PlanInputException(nw + "nodeIps: " + e.getMessage() + "; write node IPs like 192.168.1.10");
            }
            b.node(name, r, ips, nw + "nodeIps");
        }
    }

    private static void cidrField(ObjectNode o, String name, PlanField f, String where, PlanBuilder b) throws PlanInputException {
        if (!o.has(name)) return;
        try {
            b.set(f, Cidrs.parseCidrList(text(o.get(name))), where + name);
        } catch (IllegalArgumentException e) {
            throw new PlanInputException(where + name + ": " + e.getMessage() + "; write CIDRs like 10.244.0.0/16");
        }
    }

    private static void intField(ObjectNode o, String name, PlanField f, String where, PlanBuilder b) throws PlanInputException {
        if (!o.has(name)) return;
        JsonNode v = o.get(name);
        if (!v.canConvertToInt() && !v.asText().matches("\\d+")) {
            throw new PlanInputException(where + name + ": invalid mask size '" + v.asText() + "'; give a number such as 24");
        }
        b.set(f, v.isNumber() ? v.asInt() : Integer.parseInt(v.asText()), where + name);
    }
}
