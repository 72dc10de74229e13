package io.dualstack.core.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;
import io.dualstack.core.net.Cidrs;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Writes a plan in one of the formats plans are read from (and two CNI formats that are written only). */
public final class PlanRenderer {
    private PlanRenderer() {
    }

    /** Output formats of {@code plan render --to}. */
    public enum Format {
        KUBEADM, KIND, FLAGS, KUBE_PROXY, CALICO, CILIUM, PLAN;

        /** The {@code --to} spelling: kubeadm, kind, flags, kube-proxy, calico, cilium, plan. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Format parse(String s) {
            for (Format f : values()) if (f.cliName().equals(s)) return f;
            throw new IllegalArgumentException("unknown format '" + s + "'");
        }
    }

    static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static String render(ClusterPlan p, Format format) {
        return switch (format) {
            case KUBEADM -> docs(kubeadm(p));
            case KIND -> docs(List.of(kind(p)));
            case FLAGS -> flags(p);
            case KUBE_PROXY -> docs(List.of(kubeProxy(p)));
            case CALICO -> docs(calico(p));
            case CILIUM -> docs(List.of(cilium(p)));
            case PLAN -> docs(List.of(plan(p)));
        };
    }

    private static String docs(List<ObjectNode> docs) {
        List<String> parts = new ArrayList<>();
        for (ObjectNode d : docs) {
            try {
                parts.add(YAML_OUT.writeValueAsString(d));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return String.join("---\n", parts);
    }

    private static ObjectNode head(String apiVersion, String kind) {
        ObjectNode o = F.objectNode();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        return o;
    }

    private static ArrayNode argList(String... nameValue) {
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < nameValue.length; i += 2) {
            ObjectNode e = a.addObject();
            e.put("name", nameValue[i]);
            e.put("value", nameValue[i + 1]);
        }
        return a;
    }

    // kubeadm v1beta4: ClusterConfiguration, InitConfiguration (first control-plane node),
    // JoinConfiguration (every other node), KubeProxyConfiguration.
    static List<ObjectNode> kubeadm(ClusterPlan p) {
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode cc = head("kubeadm.k8s.io/v1beta4", "ClusterConfiguration");
        ObjectNode net = cc.putObject("networking");
        if (!p.clusterCidrs().isEmpty()) net.put("podSubnet", Cidrs.formatList(p.clusterCidrs()));
        net.put("serviceSubnet", Cidrs.formatList(p.serviceCidrs()));
        net.put("dnsDomain", p.clusterDomain());
        cc.putObject("apiServer").set("extraArgs", argList("service-node-port-range", p.nodePortRange().toString()));
        cc.putObject("controllerManager").set("extraArgs", argList(
                "node-cidr-mask-size-ipv4", String.valueOf(p.nodeMaskIpv4()),
                "node-cidr-mask-size-ipv6", String.valueOf(p.nodeMaskIpv6())));
        out.add(cc);
        List<ClusterPlan.NodePlan> ordered = new ArrayList<>();
        p.nodes().stream().filter(n -> n.role() == ClusterPlan.Role.CONTROL_PLANE).findFirst().ifPresent(ordered::add);
        p.nodes().stream().filter(n -> !ordered.contains(n)).forEach(ordered::add);
        boolean first = true;
        for (ClusterPlan.NodePlan n : ordered) {
            boolean init = first && n.role() == ClusterPlan.Role.CONTROL_PLANE;
            first = false;
            ObjectNode d = head("kubeadm.k8s.io/v1beta4", init ? "InitConfiguration" : "JoinConfiguration");
            ObjectNode reg = d.putObject("nodeRegistration");
            reg.put("name", n.name());
            if (!n.nodeIps().isEmpty()) reg.set("kubeletExtraArgs", argList("node-ip", Cidrs.formatList(n.nodeIps())));
            if (!init && n.role() == ClusterPlan.Role.CONTROL_PLANE) d.putObject("controlPlane");
            out.add(d);
        }
        out.add(kubeProxy(p));
        return out;
    }

    static ObjectNode kubeProxy(ClusterPlan p) {
        ObjectNode d = head("kubeproxy.config.k8s.io/v1alpha1", "KubeProxyConfiguration");
        d.put("mode", p.kubeProxyMode());
        if (!p.kubeProxyClusterCidrs().isEmpty()) d.put("clusterCIDR", Cidrs.formatList(p.kubeProxyClusterCidrs()));
        return d;
    }

    /** The kind cluster name the plan's node names imply ({@code <name>-control-plane}), else "kind". */
    static String kindName(ClusterPlan p) {
        for (ClusterPlan.NodePlan n : p.nodes()) {
            if (n.role() == ClusterPlan.Role.CONTROL_PLANE && n.name().endsWith("-control-plane")) {
                return n.name().substring(0, n.name().length() - "-control-plane".length());
            }
        }
        return Plans.KIND_DEFAULT_NAME;
    }

    static ObjectNode kind(ClusterPlan p) {
        ObjectNode d = F.objectNode();
        d.put("kind", "Cluster");
        d.put("apiVersion", "kind.x-k8s.io/v1alpha4");
        d.put("name", kindName(p));
        ObjectNode net = d.putObject("networking");
        List<IpFamily> fams = PlanChecker.families(p.clusterCidrs().isEmpty() ? p.serviceCidrs() : p.clusterCidrs());
        net.put("ipFamily", fams.size() == 2 ? "dual" : fams.contains(IpFamily.IPv6) ? "ipv6" : "ipv4");
        if (!p.clusterCidrs().isEmpty()) net.put("podSubnet", Cidrs.formatList(p.clusterCidrs()));
        net.put("serviceSubnet", Cidrs.formatList(p.serviceCidrs()));
        net.put("kubeProxyMode", p.kubeProxyMode());
        // what kind's own fields cannot say goes into kubeadm patches, as kind's docs show
        List<String> patches = new ArrayList<>();
        boolean masks = p.nodeMaskIpv4() != Plans.DEFAULT_NODE_MASK_IPV4 || p.nodeMaskIpv6() != Plans.DEFAULT_NODE_MASK_IPV6;
        boolean ports = !p.nodePortRange().equals(ClusterPlan.PortRange.DEFAULT_NODE_PORTS);
        boolean domain = !p.clusterDomain().equals(Plans.DEFAULT_DOMAIN);
        if (masks || ports || domain) {
            ObjectNode cc = head("kubeadm.k8s.io/v1beta4", "ClusterConfiguration");
            if (domain) cc.putObject("networking").put("dnsDomain", p.clusterDomain());
            if (ports) cc.putObject("apiServer").set("extraArgs", argList("service-node-port-range", p.nodePortRange().toString()));
            if (masks) cc.putObject("controllerManager").set("extraArgs", argList(
                    "node-cidr-mask-size-ipv4", String.valueOf(p.nodeMaskIpv4()),
                    "node-cidr-mask-size-ipv6", String.valueOf(p.nodeMaskIpv6())));
            patches.add(docs(List.of(cc)));
        }
        if (!p.kubeProxyClusterCidrs().equals(p.clusterCidrs())) {
            ObjectNode kp = head("kubeproxy.config.k8s.io/v1alpha1", "KubeProxyConfiguration");
            kp.put("clusterCIDR", Cidrs.formatList(p.kubeProxyClusterCidrs()));
            patches.add(docs(List.of(kp)));
        }
        if (!patches.isEmpty()) {
            ArrayNode a = d.putArray("kubeadmConfigPatches");
            patches.forEach(a::add);
        }
        ArrayNode nodes = d.putArray("nodes");
        boolean firstCp = true;
        for (ClusterPlan.NodePlan n : p.nodes()) {
            ObjectNode o = nodes.addObject();
            o.put("role", PlanJson.role(n.role()));
            boolean init = firstCp && n.role() == ClusterPlan.Role.CONTROL_PLANE;
            if (init) firstCp = false;
            if (!n.nodeIps().isEmpty()) {
                ObjectNode reg = head("kubeadm.k8s.io/v1beta4", init ? "InitConfiguration" : "JoinConfiguration");
                reg.putObject("nodeRegistration").set("kubeletExtraArgs", argList("node-ip", Cidrs.formatList(n.nodeIps())));
                o.putArray("kubeadmConfigPatches").add(docs(List.of(reg)));
            }
        }
        return d;
    }

    static String flags(ClusterPlan p) {
        StringBuilder sb = new StringBuilder();
        sb.append("# dualstack plan as component flags, one component per line\n");
        sb.append("kube-apiserver --service-cluster-ip-range=").append(Cidrs.formatList(p.serviceCidrs()))
                .append(" --service-node-port-range=").append(p.nodePortRange()).append('\n');
        sb.append("kube-controller-manager --allocate-node-cidrs=true");
        if (!p.clusterCidrs().isEmpty()) sb.append(" --cluster-cidr=").append(Cidrs.formatList(p.clusterCidrs()));
        sb.append(" --service-cluster-ip-range=").append(Cidrs.formatList(p.serviceCidrs()))
                .append(" --node-cidr-mask-size-ipv4=").append(p.nodeMaskIpv4())
                .append(" --node-cidr-mask-size-ipv6=").append(p.nodeMaskIpv6()).append('\n');
        sb.append("kube-proxy --proxy-mode=").append(p.kubeProxyMode());
        if (!p.kubeProxyClusterCidrs().isEmpty()) sb.append(" --cluster-cidr=").append(Cidrs.formatList(p.kubeProxyClusterCidrs()));
        sb.append('\n');
        if (p.nodes().isEmpty()) sb.append("kubelet --cluster-domain=").append(p.clusterDomain()).append('\n');
        for (ClusterPlan.NodePlan n : p.nodes()) {
            sb.append("kubelet --hostname-override=").append(n.name());
            if (!n.nodeIps().isEmpty()) sb.append(" --node-ip=").append(Cidrs.formatList(n.nodeIps()));
            sb.append(" --cluster-domain=").append(p.clusterDomain()).append('\n');
        }
        return sb.toString();
    }

    static List<ObjectNode> calico(ClusterPlan p) {
        List<ObjectNode> out = new ArrayList<>();
        for (IPAddress c : p.clusterCidrs()) {
            ObjectNode d = head("projectcalico.org/v3", "IPPool");
            boolean v4 = c.isIPv4();
            d.putObject("metadata").put("name", v4 ? "default-ipv4-ippool" : "default-ipv6-ippool");
            ObjectNode spec = d.putObject("spec");
            spec.put("cidr", Cidrs.format(c));
            spec.put("ipipMode", "Never");
            spec.put("vxlanMode", "CrossSubnet");
            // private IPv4 pods need SNAT to leave the cluster; IPv6 pods (ULA per the seeds) are routed, not NATed
            spec.put("natOutgoing", v4 && Cidrs.isPrivateIpv4(c));
            spec.put("nodeSelector", "all()");
            out.add(d);
        }
        return out;
    }

    static ObjectNode cilium(ClusterPlan p) {
        List<IpFamily> fams = PlanChecker.families(p.clusterCidrs());
        ObjectNode d = F.objectNode();
        d.putObject("ipv4").put("enabled", fams.contains(IpFamily.IPv4));
        d.putObject("ipv6").put("enabled", fams.contains(IpFamily.IPv6));
        d.putObject("ipam").put("mode", "kubernetes");
        ObjectNode k8s = d.putObject("k8s");
        k8s.put("requireIPv4PodCIDR", fams.contains(IpFamily.IPv4));
        k8s.put("requireIPv6PodCIDR", fams.contains(IpFamily.IPv6));
        return d;
    }

    static ObjectNode plan(ClusterPlan p) {
        ObjectNode d = head("dualstack.io/v1alpha1", "ClusterPlan");
        d.setAll(PlanJson.toJson(p));
        return d;
    }

    /**
     * The plan fields that do not survive rendering to {@code format} and reading back (empty for
     * formats that carry the whole plan). Cilium values are written only, never read: every field is lost.
     */
    public static List<String> lostFields(ClusterPlan p, Format format) {
        if (format == Format.CILIUM) return List.of("all (Cilium values are written only; they carry the pod families)");
        PlanLoader.Result r = PlanLoader.loadTexts(List.of(new PlanLoader.Input("render", render(p, format))), List.of());
        if (!(r instanceof PlanLoader.Loaded l)) return List.of("all (the rendered text does not read back)");
        ClusterPlan q = l.plan();
        List<String> lost = new ArrayList<>();
        if (!p.serviceCidrs().equals(q.serviceCidrs())) lost.add("serviceCidrs");
        if (!p.clusterCidrs().equals(q.clusterCidrs())) lost.add("clusterCidrs");
        if (p.nodeMaskIpv4() != q.nodeMaskIpv4()) lost.add("nodeMaskIpv4");
        if (p.nodeMaskIpv6() != q.nodeMaskIpv6()) lost.add("nodeMaskIpv6");
        if (!p.nodeNetworks().equals(q.nodeNetworks())) lost.add("nodeNetworks");
        if (!p.nodes().equals(q.nodes())) lost.add("nodes");
        if (!p.kubeProxyClusterCidrs().equals(q.kubeProxyClusterCidrs())) lost.add("kubeProxyClusterCidrs");
        if (!p.kubeProxyMode().equals(q.kubeProxyMode())) lost.add("kubeProxyMode");
        if (!p.nodePortRange().equals(q.nodePortRange())) lost.add("nodePortRange");
        if (!p.clusterDomain().equals(q.clusterDomain())) lost.add("clusterDomain");
        return lost;
    }
}
