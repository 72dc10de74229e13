package io.dualstack.core.plan;

import inet.ipaddr.IPAddress;
import io.dualstack.core.net.Cidrs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.dualstack.core.plan.PlanTestSupport.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/** render --to X, read back: the same plan, except the fields format X cannot carry (named per row). */
class RoundTripTest {

    static List<IPAddress> cidrs(String s) {
        return Cidrs.parseCidrList(s);
    }

    static final ClusterPlan LAB = Plans.labDefault("lab");

    /** Every field away from its default; IPv6 primary; node IPs; kind node names. */
    static final ClusterPlan FULL = new ClusterPlan(
            cidrs("fd00:10:96::/112,10.96.0.0/16"),
            cidrs("fd00:10:244::/56,10.244.0.0/16"),
            26, 72,
            cidrs("fd00:172:18::/64,172.18.0.0/16"),
            List.of(new ClusterPlan.NodePlan("lab-control-plane", ClusterPlan.Role.CONTROL_PLANE, Cidrs.parseAddressList("fd00:172:18::2,172.18.0.2")),
                    new ClusterPlan.NodePlan("lab-worker", ClusterPlan.Role.WORKER, Cidrs.parseAddressList("fd00:172:18::3,172.18.0.3")),
                    new ClusterPlan.NodePlan("lab-worker2", ClusterPlan.Role.WORKER, List.of())),
            cidrs("fd00:10:244::/56,10.244.0.0/16"),
            "ipvs",
            new ClusterPlan.PortRange(31000, 31999),
            "lab.example");

    static final ClusterPlan IPV6_ONLY = new ClusterPlan(
            cidrs("fd00:10:96::/112"), cidrs("fd00:10:244::/56"), 24, 64, cidrs("fd00:172:18::/64"),
            List.of(new ClusterPlan.NodePlan("kind-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of())),
            cidrs("fd00:10:244::/56"), "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");

    /** kube-proxy told a narrower IPv4 range than the pods: kind carries it in a KubeProxyConfiguration patch. */
    static final ClusterPlan NARROW_PROXY = new ClusterPlan(
            LAB.serviceCidrs(), LAB.clusterCidrs(), 24, 64, LAB.nodeNetworks(), LAB.nodes(),
            cidrs("10.244.0.0/17,fd00:10:244::/56"), "iptables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");

    /** Custom node networks and non-kind node names: what kind cannot say. */
    static final ClusterPlan CUSTOM_NODES = new ClusterPlan(
            LAB.serviceCidrs(), LAB.clusterCidrs(), 24, 64, cidrs("192.168.1.0/24,fd00:1::/64"),
            List.of(new ClusterPlan.NodePlan("cp1", ClusterPlan.Role.CONTROL_PLANE, Cidrs.parseAddressList("192.168.1.10,fd00:1::10"))),
            LAB.clusterCidrs(), "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");

    static Stream<Arguments> rows() {
        return Stream.of(
                row("lab default", LAB, PlanRenderer.Format.PLAN),
                row("lab default", LAB, PlanRenderer.Format.KIND),
                row("lab default", LAB, PlanRenderer.Format.KUBEADM, "nodeNetworks"),
                row("lab default", LAB, PlanRenderer.Format.FLAGS, "nodeNetworks"),
                row("every field set, IPv6 primary", FULL, PlanRenderer.Format.PLAN),
                row("every field set, IPv6 primary", FULL, PlanRenderer.Format.KIND),
                row("every field set, IPv6 primary", FULL, PlanRenderer.Format.KUBEADM, "nodeNetworks"),
                row("every field set, IPv6 primary", FULL, PlanRenderer.Format.FLAGS, "nodeNetworks"),
                row("every field set, IPv6 primary", FULL, PlanRenderer.Format.KUBE_PROXY,
                        "serviceCidrs", "clusterCidrs", "nodeMaskIpv4", "nodeMaskIpv6", "nodeNetworks", "nodes", "nodePortRange", "clusterDomain"),
                row("every field set, IPv6 primary", FULL, PlanRenderer.Format.CALICO,
                        "serviceCidrs", "nodeMaskIpv4", "nodeMaskIpv6", "nodeNetworks", "nodes", "kubeProxyMode", "nodePortRange", "clusterDomain"),
                row("IPv6 only", IPV6_ONLY, PlanRenderer.Format.PLAN),
                row("IPv6 only", IPV6_ONLY, PlanRenderer.Format.KIND),
                row("IPv6 only", IPV6_ONLY, PlanRenderer.Format.KUBEADM, "nodeNetworks"),
                row("IPv6 only", IPV6_ONLY, PlanRenderer.Format.FLAGS, "nodeNetworks"),
                row("kube-proxy narrower than pods", NARROW_PROXY, PlanRenderer.Format.KIND),
                row("kube-proxy narrower than pods", NARROW_PROXY, PlanRenderer.Format.KUBEADM, "nodeNetworks"),
                row("kube-proxy narrower than pods", NARROW_PROXY, PlanRenderer.Format.FLAGS, "nodeNetworks"),
                row("custom node networks, non-kind node name", CUSTOM_NODES, PlanRenderer.Format.PLAN),
                row("custom node networks, non-kind node name", CUSTOM_NODES, PlanRenderer.Format.KIND, "nodeNetworks", "nodes"),
                row("custom node networks, non-kind node name", CUSTOM_NODES, PlanRenderer.Format.KUBEADM, "nodeNetworks"),
                row("custom node networks, non-kind node name (flags infer the role from the name)", CUSTOM_NODES, PlanRenderer.Format.FLAGS, "nodeNetworks", "nodes"));
    }

    private static Arguments row(String name, ClusterPlan plan, PlanRenderer.Format format, String... lost) {
        String label = name + " --to " + format.cliName() + (lost.length == 0 ? ": identical" : ": loses " + String.join(",", lost));
        return Arguments.of(named(label, plan), format, List.of(lost));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void renderThenReadBack(ClusterPlan plan, PlanRenderer.Format format, List<String> lost) {
        assertThat(PlanRenderer.lostFields(plan, format)).containsExactlyElementsOf(lost);
        if (lost.isEmpty()) {
            assertThat(load(PlanRenderer.render(plan, format)).plan()).isEqualTo(plan);
        }
    }

    @Test
    void kubeadmCarriesEverythingButNodeNetworks() {
        ClusterPlan back = load(PlanRenderer.render(FULL, PlanRenderer.Format.KUBEADM)).plan();
        ClusterPlan expected = new ClusterPlan(FULL.serviceCidrs(), FULL.clusterCidrs(), FULL.nodeMaskIpv4(), FULL.nodeMaskIpv6(),
                List.of(), FULL.nodes(), FULL.kubeProxyClusterCidrs(), FULL.kubeProxyMode(), FULL.nodePortRange(), FULL.clusterDomain());
        assertThat(back).isEqualTo(expected);
    }

    @Test
    void kubeadmRenderIsV1beta4WithListExtraArgsAndNodeMasks() {
        String y = PlanRenderer.render(LAB, PlanRenderer.Format.KUBEADM);
        assertThat(y).contains("apiVersion: kubeadm.k8s.io/v1beta4", "kind: ClusterConfiguration", "kind: InitConfiguration",
                "kind: JoinConfiguration", "- name: node-cidr-mask-size-ipv6", "value: \"64\"", "kind: KubeProxyConfiguration");
    }

    @Test
    void seedKindConfigRendersBackToTheSameKindFields() {
        ClusterPlan seed = load("""
                kind: Cluster
                apiVersion: kind.x-k8s.io/v1alpha4
                name: dualstack-dojo
                networking:
                  ipFamily: dual
                  podSubnet: "10.244.0.0/16,fd00:10:244::/56"
                  serviceSubnet: "10.96.0.0/16,fd00:10:96::/112"
                nodes:
                  - role: control-plane
                  - role: worker
                """).plan();
        String y = PlanRenderer.render(seed, PlanRenderer.Format.KIND);
        assertThat(y).contains("name: dualstack-dojo", "ipFamily: dual", "podSubnet: \"10.244.0.0/16,fd00:10:244::/56\"",
                "serviceSubnet: \"10.96.0.0/16,fd00:10:96::/112\"", "- role: control-plane", "- role: worker")
                .doesNotContain("kubeadmConfigPatches");
    }

    static Stream<Arguments> cni() {
        return Stream.of(
                Arguments.of(named("dual-stack", LAB), List.of("enabled: true", "requireIPv4PodCIDR: true", "requireIPv6PodCIDR: true", "mode: kubernetes"),
                        List.of("natOutgoing: true", "cidr: 10.244.0.0/16", "cidr: fd00:10:244::/56", "natOutgoing: false")),
                Arguments.of(named("IPv6 only", IPV6_ONLY), List.of("requireIPv4PodCIDR: false", "requireIPv6PodCIDR: true"),
                        List.of("cidr: fd00:10:244::/56", "natOutgoing: false")));
    }

    @ParameterizedTest(name = "CNI values for {0}: Cilium enables the plan's families; Calico one IPPool per family, no NAT for ULA IPv6")
    @MethodSource("cni")
    void cniFormats(ClusterPlan plan, List<String> cilium, List<String> calico) {
        assertThat(PlanRenderer.render(plan, PlanRenderer.Format.CILIUM)).contains(cilium);
        String pools = PlanRenderer.render(plan, PlanRenderer.Format.CALICO);
        assertThat(pools).contains(calico);
        assertThat(pools.split("kind: IPPool", -1)).hasSize(plan.clusterCidrs().size() + 1);
    }
}
