package io.dualstack.core.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.dualstack.core.plan.PlanTestSupport.flags;
import static io.dualstack.core.plan.PlanTestSupport.ids;
import static io.dualstack.core.plan.PlanTestSupport.load;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/** One row per finding: the input that triggers it, its id, severity and the path it names. */
class PlanCheckerTest {

    static final String SVC = "--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112";
    static final String PODS = "--cluster-cidr=10.244.0.0/16,fd00:10:244::/56";
    static final String GOOD = SVC + " " + PODS;

    /** A ClusterPlan document with the good ranges plus the given extra YAML lines. */
    static String planDoc(String extra) {
        return "apiVersion: dualstack.io/v1alpha1\nkind: ClusterPlan\n"
                + "serviceCidrs: [10.96.0.0/16, \"fd00:10:96::/112\"]\nclusterCidrs: [10.244.0.0/16, \"fd00:10:244::/56\"]\n" + extra;
    }

    static Stream<Arguments> findings() {
        return Stream.of(
                f("overlap: IPv4 pod range inside the service range (seed: the four CIDRs must not overlap)",
                        "--service-cluster-ip-range=10.96.0.0/12,fd00:10:96::/112 --cluster-cidr=10.100.0.0/16,fd00:10:244::/56",
                        "overlap", Severity.ERROR, "--cluster-cidr", "pod range 10.100.0.0/16 (--cluster-cidr) overlaps service range 10.96.0.0/12"),
                f("overlap: IPv6 service range inside the pod range",
                        "--service-cluster-ip-range=10.96.0.0/16,fd00:10:244::/112 " + PODS,
                        "overlap", Severity.ERROR, "--cluster-cidr", "fd00:10:244::/112"),
                t("overlap: node network fd00::/8 swallows the pod range (seed runbook 5's common mistake)",
                        planDoc("nodeNetworks: [172.18.0.0/16, \"fd00::/8\"]\n"),
                        "overlap", Severity.ERROR, "nodeNetworks", "node network fd00::/8"),
                f("special-range: link-local fe80::/10 for pods", SVC + " --cluster-cidr=10.244.0.0/16,fe80::/64",
                        "special-range", Severity.ERROR, "--cluster-cidr", "link-local"),
                f("special-range: 169.254.0.0/16 for pods", "--service-cluster-ip-range=10.96.0.0/16 --cluster-cidr=169.254.0.0/16",
                        "special-range", Severity.ERROR, "--cluster-cidr", "link-local"),
                f("special-range: loopback for services", "--service-cluster-ip-range=127.0.0.0/16 --cluster-cidr=10.244.0.0/16",
                        "special-range", Severity.ERROR, "--service-cluster-ip-range", "loopback"),
                f("special-range: multicast for pods", "--service-cluster-ip-range=10.96.0.0/16 --cluster-cidr=224.0.0.0/16",
                        "special-range", Severity.ERROR, "--cluster-cidr", "multicast"),
                f("special-range: documentation 2001:db8::/32 for services", "--service-cluster-ip-range=2001:db8::/112 --cluster-cidr=fd00:10:244::/56",
                        "special-range", Severity.ERROR, "--service-cluster-ip-range", "documentation"),
                f("special-range: unspecified 0.0.0.0/8", "--service-cluster-ip-range=0.0.0.0/16 --cluster-cidr=10.244.0.0/16",
                        "special-range", Severity.ERROR, "--service-cluster-ip-range", "unspecified"),
                f("special-range: IETF-reserved IPv6 outside 2000::/3 and fc00::/7", "--service-cluster-ip-range=4000::/112 --cluster-cidr=fd00:10:244::/56",
                        "special-range", Severity.ERROR, "--service-cluster-ip-range", "reserved by the IETF"),
                f("special-range: carrier-grade NAT space works only with care", "--service-cluster-ip-range=10.96.0.0/16 --cluster-cidr=100.64.0.0/16",
                        "special-range", Severity.WARNING, "--cluster-cidr", "carrier-grade NAT"),
                f("ula-fc00: fc00::/8 (L=0) instead of fd00::/8", SVC + " --cluster-cidr=10.244.0.0/16,fc00:10:244::/56",
                        "ula-fc00", Severity.WARNING, "--cluster-cidr", "fc00:10:244::/56"),
                f("public-ipv4: public IPv4 for pods", "--service-cluster-ip-range=10.96.0.0/16 --cluster-cidr=8.8.0.0/16",
                        "public-ipv4", Severity.WARNING, "--cluster-cidr", "8.8.0.0/16"),
                f("family-order: services IPv6-first, pods IPv4-first",
                        "--service-cluster-ip-range=fd00:10:96::/112,10.96.0.0/16 " + PODS,
                        "family-order", Severity.ERROR, "--cluster-cidr", "IPv4-first"),
                f("family-order: kube-proxy clusterCIDR in the other order",
                        GOOD + " kube-proxy --cluster-cidr=fd00:10:244::/56,10.244.0.0/16",
                        "family-order", Severity.ERROR, "kube-proxy --cluster-cidr", "IPv6-first"),
                f("family-order: apiserver and controller-manager service ranges in different orders",
                        PODS + " kube-apiserver " + SVC + " kube-controller-manager --service-cluster-ip-range=fd00:10:96::/112,10.96.0.0/16",
                        "family-order", Severity.ERROR, "kube-controller-manager --service-cluster-ip-range", "another family order"),
                f("family-order: node IPs IPv6-first in an IPv4-first cluster", GOOD + " --node-ip=fd00::1,192.168.1.10",
                        "family-order", Severity.WARNING, "--node-ip", "IPv6-first"),
                f("too-many-ranges: three service ranges", "--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112,10.97.0.0/16 " + PODS,
                        "too-many-ranges", Severity.ERROR, "--service-cluster-ip-range", "--service-cluster-ip-range must not contain more than two entries"),
                f("duplicate-family: two IPv4 pod ranges", "--service-cluster-ip-range=10.96.0.0/16 --cluster-cidr=10.244.0.0/16,10.245.0.0/16",
                        "duplicate-family", Severity.ERROR, "--cluster-cidr", "two IPv4 pod ranges"),
                f("missing-family: dual-stack pods, single-stack services", "--service-cluster-ip-range=10.96.0.0/16 " + PODS,
                        "missing-family", Severity.ERROR, "--service-cluster-ip-range", "has no IPv6 range"),
                f("missing-family: kube-proxy clusterCIDR single-stack (seed: kube-proxy keeps running, one family breaks)",
                        GOOD + " kube-proxy --cluster-cidr=10.244.0.0/16",
                        "missing-family", Severity.ERROR, "kube-proxy --cluster-cidr", "kube-proxy clusterCIDR 10.244.0.0/16"),
                t("missing-family: kind ipFamily dual with one podSubnet (kind accepts it; pods are single-stack)",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  ipFamily: dual\n  podSubnet: 10.244.0.0/16\n",
                        "missing-family", Severity.ERROR, "Cluster.networking.podSubnet", "the cluster then has no IPv6 pod range"),
                t("kind-invalid: ipFamily ipv4 with an IPv6 serviceSubnet (kind validateSubnets)",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  serviceSubnet: fd00:10:96::/112\n",
                        "kind-invalid", Severity.ERROR, "Cluster.networking.serviceSubnet", "expected IPv4 CIDR for IPv4 family"),
                t("kind-invalid: two CIDRs for single-stack ipFamily ipv6",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  ipFamily: ipv6\n  podSubnet: fd00:10:244::/56,10.244.0.0/16\n",
                        "kind-invalid", Severity.ERROR, "Cluster.networking.podSubnet", "only one CIDR allowed for single-stack networking"),
                t("kind-invalid: cluster name kind would refuse",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: Dual_Stack\n",
                        "kind-invalid", Severity.ERROR, "Cluster.name", "is not a valid cluster name"),
                t("kind-invalid: no control-plane node",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: worker\n",
                        "kind-invalid", Severity.ERROR, "Cluster.nodes", "at least one control-plane node"),
                t("proxy-mode: kind kubeProxyMode none is valid (no kube-proxy)",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  kubeProxyMode: none\n",
                        "proxy-mode", Severity.INFO, "Cluster.networking.kubeProxyMode", "no kube-proxy runs"),
                f("missing-range: no pod range at all", SVC, "missing-range", Severity.ERROR, "--cluster-cidr", "no pod range"),
                f("node-mask: IPv4 node mask shorter than the cluster CIDR mask", GOOD + " --node-cidr-mask-size-ipv4=8",
                        "node-mask", Severity.ERROR, "--node-cidr-mask-size-ipv4", "shorter than the mask of pod range 10.244.0.0/16"),
                f("node-mask: IPv6 node mask more than 16 bits longer (nodeipam clusterSubnetMaxDiff)", GOOD + " --node-cidr-mask-size-ipv6=80",
                        "node-mask", Severity.ERROR, "--node-cidr-mask-size-ipv6", "24 bits longer"),
                f("node-mask: --node-cidr-mask-size is not allowed with dual-stack clusters", GOOD + " --node-cidr-mask-size=24",
                        "node-mask", Severity.ERROR, "--node-cidr-mask-size", "not allowed with dual-stack clusters"),
                f("node-mask: node mask equal to the cluster mask holds one node", GOOD + " --node-cidr-mask-size-ipv4=16",
                        "node-mask", Severity.WARNING, "--node-cidr-mask-size-ipv4", "only one node"),
                f("node-mask: mask beyond the address length", GOOD + " --node-cidr-mask-size-ipv4=33",
                        "node-mask", Severity.ERROR, "--node-cidr-mask-size-ipv4", "not a valid IPv4 mask"),
                t("node-capacity: /23 with /24 per node holds 2 nodes, the plan has 3",
                        "apiVersion: dualstack.io/v1alpha1\nkind: ClusterPlan\nserviceCidrs: [10.96.0.0/16]\nclusterCidrs: [10.244.0.0/23]\n"
                                + "nodes: [{name: a, role: control-plane}, {name: b}, {name: c}]\n",
                        "node-capacity", Severity.WARNING, "clusterCidrs", "holds 2 nodes, fewer than the 3"),
                f("node-capacity: info per family", GOOD, "node-capacity", Severity.INFO, "--cluster-cidr", "fd00:10:244::/56 with /64 per node holds 256 nodes"),
                f("service-range-too-large: IPv4 /11 has 21 host bits", "--service-cluster-ip-range=10.96.0.0/11 --cluster-cidr=10.244.0.0/16",
                        "service-range-too-large", Severity.ERROR, "--service-cluster-ip-range", "for 32-bit addresses, the mask must be >= 12"),
                f("service-range-too-large: IPv6 /107", "--service-cluster-ip-range=fd00:10:96::/107 --cluster-cidr=fd00:10:244::/56",
                        "service-range-too-large", Severity.ERROR, "--service-cluster-ip-range", "for 128-bit addresses, the mask must be >= 108"),
                f("service-range-too-small: /29 cannot hold the DNS address", "--service-cluster-ip-range=10.96.0.0/29 --cluster-cidr=10.244.0.0/16",
                        "service-range-too-small", Severity.ERROR, "--service-cluster-ip-range", "holds 6 ClusterIPs"),
                f("service-range-too-small: /25 is a warning", "--service-cluster-ip-range=10.96.0.0/25 --cluster-cidr=10.244.0.0/16",
                        "service-range-too-small", Severity.WARNING, "--service-cluster-ip-range", "holds only 126 ClusterIPs"),
                f("service-range: info on what each family's range holds", GOOD, "service-range", Severity.INFO, "--service-cluster-ip-range",
                        "IPv6 service range fd00:10:96::/112 holds 65535 ClusterIPs; fd00:10:96::1 is the kubernetes Service"),
                f("node-ip: three addresses", GOOD + " --node-ip=192.168.1.10,fd00::1,192.168.1.11",
                        "node-ip", Severity.ERROR, "--node-ip", "not one address per family"),
                f("node-ip: two IPv4 addresses", GOOD + " --node-ip=192.168.1.10,192.168.1.11",
                        "node-ip", Severity.ERROR, "--node-ip", "not one address per family"),
                f("node-ip: inside the pod range", GOOD + " --node-ip=10.244.0.5,fd00::1",
                        "node-ip", Severity.ERROR, "--node-ip", "inside pod range 10.244.0.0/16"),
                f("node-ip: inside the service range", GOOD + " --node-ip=192.168.1.10,fd00:10:96::5",
                        "node-ip", Severity.ERROR, "--node-ip", "inside service range fd00:10:96::/112"),
                f("node-ip: single family in a dual-stack cluster", GOOD + " --node-ip=192.168.1.10",
                        "node-ip", Severity.WARNING, "--node-ip", "names only IPv4"),
                f("node-ip: link-local node IP", GOOD + " --node-ip=192.168.1.10,fe80::1",
                        "node-ip", Severity.ERROR, "--node-ip", "link-local"),
                f("node-ip: IPv6 node IP in an IPv4-only cluster", "--service-cluster-ip-range=10.96.0.0/16 --cluster-cidr=10.244.0.0/16 --node-ip=fd00::1",
                        "node-ip", Severity.ERROR, "--node-ip", "no IPv6 pod range"),
                t("node-ip: outside the node networks",
                        planDoc("nodeNetworks: [172.18.0.0/16, \"fd00:172:18::/64\"]\nnodes: [{name: a, role: control-plane, nodeIps: [192.168.1.10, \"fd00:172:18::2\"]}]\n"),
                        "node-ip", Severity.WARNING, "nodes[0].nodeIps", "outside the node networks 172.18.0.0/16"),
                t("node-ip: two nodes with one address",
                        planDoc("nodes: [{name: a, role: control-plane, nodeIps: [192.168.1.10]}, {name: b, nodeIps: [192.168.1.10]}]\n"),
                        "node-ip", Severity.ERROR, "nodes[1].nodeIps", "also node a's"),
                f("proxy-mode: userspace is gone upstream", GOOD + " --proxy-mode=userspace",
                        "proxy-mode", Severity.ERROR, "--proxy-mode", "must be iptables, ipvs or nftables"),
                f("node-port-range: first after last", GOOD + " --service-node-port-range=32767-30000",
                        "node-port-range", Severity.ERROR, "--service-node-port-range", "32767-30000"),
                f("cluster-domain: not a DNS-1123 subdomain", GOOD + " --cluster-domain=Cluster_Local",
                        "cluster-domain", Severity.ERROR, "--cluster-domain", "Cluster_Local"),
                f("conflict: apiserver and controller-manager disagree on the service range",
                        PODS + " kube-apiserver " + SVC + " kube-controller-manager --service-cluster-ip-range=10.97.0.0/16,fd00:10:96::/112",
                        "conflict", Severity.ERROR, "kube-controller-manager --service-cluster-ip-range", "kube-apiserver --service-cluster-ip-range is used"),
                f("kube-proxy-cluster-cidr: kube-proxy clusterCIDR differs from the pod ranges",
                        GOOD + " kube-proxy --cluster-cidr=10.244.0.0/17,fd00:10:244::/56",
                        "kube-proxy-cluster-cidr", Severity.WARNING, "kube-proxy --cluster-cidr", "10.244.0.0/17"),
                t("unknown-field: nodeIP in KubeletConfiguration (the seed's example; upstream has no such field)",
                        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nnodeIP: \"192.168.1.11,fd00::2\"\n",
                        "unknown-field", Severity.WARNING, "KubeletConfiguration.nodeIP", "not a KubeletConfiguration field"),
                t("unknown-field: misspelled kind networking field",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnets: 10.1.0.0/16\n",
                        "unknown-field", Severity.WARNING, "Cluster.networking.podSubnets", "not a field"),
                t("unknown-field: misspelled KubeProxyConfiguration field",
                        "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDRs: 10.244.0.0/16\n",
                        "unknown-field", Severity.WARNING, "KubeProxyConfiguration.clusterCIDRs", "not a field"),
                t("ignored-document: a Service is not a plan format",
                        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
                        "ignored-document", Severity.WARNING, "in.yaml", "v1 Service"),
                f("ignored-flag: flags outside the plan are named, not checked", GOOD + " --v=2",
                        "ignored-flag", Severity.INFO, "--v", "not part of the network plan"),
                f("advertise-address: kube-apiserver requires the advertise address in the primary service family",
                        GOOD + " --advertise-address=fd00::1", "advertise-address", Severity.ERROR, "--advertise-address",
                        "service IP family \"10.96.0.0/16\" must match public address family \"fd00::1\""),
                t("advertise-address: kubeadm localAPIEndpoint.advertiseAddress IPv4 with IPv6-first services",
                        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: fd00:10:244::/56,10.244.0.0/16\n"
                                + "  serviceSubnet: fd00:10:96::/112,10.96.0.0/16\n---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n"
                                + "localAPIEndpoint:\n  advertiseAddress: 192.168.1.10\n",
                        "advertise-address", Severity.ERROR, "InitConfiguration.localAPIEndpoint.advertiseAddress", "must match public address family"),
                f("default-applied: no service range given, kube-apiserver's default applies", PODS,
                        "default-applied", Severity.INFO, "--service-cluster-ip-range", "10.0.0.0/24"));
    }

    private static Arguments f(String name, String flagLine, String id, Severity sev, String path, String message) {
        return Arguments.of(named(name, new String[]{"", flagLine}), id, sev, path, message);
    }

    private static Arguments t(String name, String text, String id, Severity sev, String path, String message) {
        return Arguments.of(named(name, new String[]{text, ""}), id, sev, path, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("findings")
    void reportsFinding(String[] input, String id, Severity severity, String path, String message) {
        PlanLoader.Loaded l = input[1].isEmpty() ? load(input[0]) : flags(input[1]);
        assertThat(l.findings())
                .as("findings: %s", l.findings())
                .anySatisfy(f -> {
                    assertThat(f.id()).isEqualTo(id);
                    assertThat(f.severity()).isEqualTo(severity);
                    assertThat(f.path()).contains(path);
                    assertThat(f.message()).contains(message);
                    if (severity != Severity.INFO) assertThat(f.fix()).isNotBlank();
                });
        assertThat(l.hasErrors()).isEqualTo(l.findings().stream().anyMatch(f -> f.severity() == Severity.ERROR));
    }

    @Test
    void aGoodDualStackPlanHasOnlyInfoFindings() {
        PlanLoader.Loaded l = flags(GOOD + " --node-ip=192.168.1.10,fd00::1 --proxy-mode=nftables --advertise-address=192.168.1.10");
        assertThat(ids(l.findings(), Severity.ERROR)).isEmpty();
        assertThat(ids(l.findings(), Severity.WARNING)).isEmpty();
        assertThat(ids(l.findings(), Severity.INFO)).containsExactly("node-capacity", "service-range");
    }

    @ParameterizedTest(name = "upstream limit boundary accepted: service range {0}")
    @CsvSource({"10.96.0.0/12, 10.244.0.0/16", "fd00:10:96::/108, fd00:10:244::/56", "10.96.0.0/28, 10.244.0.0/16"})
    void serviceRangeBoundariesAreAccepted(String svc, String pods) {
        PlanLoader.Loaded l = flags("--service-cluster-ip-range=" + svc + " --cluster-cidr=" + pods);
        assertThat(ids(l.findings(), Severity.ERROR)).isEmpty();
    }

    @ParameterizedTest(name = "IPv6 node mask {1} on {0}: accepted (difference at most 16)")
    @CsvSource({"fd00:10:244::/48, 64", "fd00:10:244::/56, 72", "fd00:10:244::/64, 64"})
    void ipv6NodeMaskBoundaries(String pods, int mask) {
        PlanLoader.Loaded l = flags("--service-cluster-ip-range=fd00:10:96::/112 --cluster-cidr=" + pods + " --node-cidr-mask-size-ipv6=" + mask);
        assertThat(ids(l.findings(), Severity.ERROR)).isEmpty();
    }

    @Test
    void checkerNamesUpstreamFlagsWhenThePlanIsBuiltInCode() {
        List<Finding> f = PlanChecker.check(Plans.labDefault("x"));
        assertThat(f).allSatisfy(x -> assertThat(x.severity()).isEqualTo(Severity.INFO));
        assertThat(f).extracting(Finding::path).contains("--cluster-cidr", "--service-cluster-ip-range");
    }
}
