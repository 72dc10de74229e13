package io.dualstack.core.plan;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.dualstack.core.plan.PlanTestSupport.inputError;
import static io.dualstack.core.plan.PlanTestSupport.load;
import static io.dualstack.core.plan.PlanTestSupport.summary;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

/** Every input format reads into the plan its upstream consumer would run with. */
class PlanReaderTest {

    static final String DEFAULTS_TAIL = " ports=30000-32767 domain=cluster.local";

    static Stream<Arguments> formats() {
        return Stream.of(
                row("kind dual: kind's own defaults when podSubnet/serviceSubnet absent (IPv4 first); nodes named <name>-control-plane, <name>-worker2",
                        """
                        kind: Cluster
                        apiVersion: kind.x-k8s.io/v1alpha4
                        name: lab
                        networking:
                          ipFamily: dual
                        nodes:
                        - role: control-plane
                        - role: worker
                        - role: worker
                        """, new String[0],
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64"
                                + " nets=172.18.0.0/16,fd00:172:18::/64 proxy=10.244.0.0/16,fd00:10:244::/56 mode=iptables"
                                + DEFAULTS_TAIL + " nodes=lab-control-plane:cp:;lab-worker:w:;lab-worker2:w:"),
                row("kind ipv6: IPv6 defaults, name defaults to kind, one control-plane node when nodes absent",
                        """
                        kind: Cluster
                        apiVersion: kind.x-k8s.io/v1alpha4
                        networking:
                          ipFamily: ipv6
                          kubeProxyMode: nftables
                        """, new String[0],
                        "svc=fd00:10:96::/112 pods=fd00:10:244::/56 masks=24/64 nets=fd00:172:18::/64 proxy=fd00:10:244::/56"
                                + " mode=nftables" + DEFAULTS_TAIL + " nodes=kind-control-plane:cp:"),
                row("kind without networking: ipFamily ipv4",
                        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n", new String[0],
                        "svc=10.96.0.0/16 pods=10.244.0.0/16 masks=24/64 nets=172.18.0.0/16 proxy=10.244.0.0/16 mode=iptables"
                                + DEFAULTS_TAIL + " nodes=kind-control-plane:cp:"),
                row("kind kubeadmConfigPatches carry node masks, NodePort range, domain and per-node node-ip (v1beta3 map shape)",
                        """
                        kind: Cluster
                        apiVersion: kind.x-k8s.io/v1alpha4
                        networking:
                          ipFamily: dual
                          podSubnet: "10.244.0.0/16,fd00:10:244::/56"
                        kubeadmConfigPatches:
                        - |
                          kind: ClusterConfiguration
                          networking:
                            dnsDomain: lab.example
                          apiServer:
                            extraArgs:
                              service-node-port-range: "31000-31999"
                          controllerManager:
                            extraArgs:
                              node-cidr-mask-size-ipv4: "26"
                              node-cidr-mask-size-ipv6: "72"
                        nodes:
                        - role: control-plane
                          kubeadmConfigPatches:
                          - |
                            kind: InitConfiguration
                            nodeRegistration:
                              kubeletExtraArgs:
                                node-ip: "172.18.0.2,fd00:172:18::2"
                        """, new String[0],
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=26/72"
                                + " nets=172.18.0.0/16,fd00:172:18::/64 proxy=10.244.0.0/16,fd00:10:244::/56 mode=iptables"
                                + " ports=31000-31999 domain=lab.example nodes=kind-control-plane:cp:172.18.0.2,fd00:172:18::2"),
                row("kubeadm v1beta3: podSubnet/serviceSubnet comma lists, extraArgs map, kubeletExtraArgs node-ip map",
                        """
                        apiVersion: kubeadm.k8s.io/v1beta3
                        kind: ClusterConfiguration
                        networking:
                          podSubnet: "fd00:10:244::/56,10.244.0.0/16"
                          serviceSubnet: "fd00:10:96::/112,10.96.0.0/16"
                        controllerManager:
                          extraArgs:
                            node-cidr-mask-size-ipv6: "64"
                            node-cidr-mask-size-ipv4: "25"
                        ---
                        apiVersion: kubeadm.k8s.io/v1beta3
                        kind: InitConfiguration
                        nodeRegistration:
                          name: cp1
                          kubeletExtraArgs:
                            node-ip: "fd00::1,192.168.1.10"
                        ---
                        apiVersion: kubeadm.k8s.io/v1beta3
                        kind: JoinConfiguration
                        nodeRegistration:
                          name: w1
                          kubeletExtraArgs:
                            node-ip: "fd00::2,192.168.1.11"
                        """, new String[0],
                        "svc=fd00:10:96::/112,10.96.0.0/16 pods=fd00:10:244::/56,10.244.0.0/16 masks=25/64 nets="
                                + " proxy=fd00:10:244::/56,10.244.0.0/16 mode=iptables" + DEFAULTS_TAIL
                                + " nodes=cp1:cp:fd00::1,192.168.1.10;w1:w:fd00::2,192.168.1.11"),
                row("kubeadm v1beta4: extraArgs is a list of name/value; JoinConfiguration with controlPlane is a control-plane node",
                        """
                        apiVersion: kubeadm.k8s.io/v1beta4
                        kind: ClusterConfiguration
                        networking:
                          podSubnet: 10.244.0.0/16,fd00:10:244::/56
                          serviceSubnet: 10.96.0.0/16,fd00:10:96::/112
                          dnsDomain: corp.local
                        apiServer:
                          extraArgs:
                          - name: service-node-port-range
                            value: "30000-30999"
                        controllerManager:
                          extraArgs:
                          - name: node-cidr-mask-size-ipv4
                            value: "24"
                          - name: node-cidr-mask-size-ipv6
                            value: "80"
                        ---
                        apiVersion: kubeadm.k8s.io/v1beta4
                        kind: JoinConfiguration
                        controlPlane: {}
                        nodeRegistration:
                          name: cp2
                          kubeletExtraArgs:
                          - name: node-ip
                            value: 192.168.1.12,fd00::3
                        """, new String[0],
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/80 nets="
                                + " proxy=10.244.0.0/16,fd00:10:244::/56 mode=iptables ports=30000-30999 domain=corp.local"
                                + " nodes=cp2:cp:192.168.1.12,fd00::3"),
                row("kubeadm ClusterConfiguration without serviceSubnet: kubeadm's default 10.96.0.0/12",
                        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n",
                        new String[0],
                        "svc=10.96.0.0/12 pods=10.244.0.0/16 masks=24/64 nets= proxy=10.244.0.0/16 mode=iptables" + DEFAULTS_TAIL + " nodes="),
                row("KubeProxyConfiguration clusterCIDR and mode alongside flags",
                        """
                        apiVersion: kubeproxy.config.k8s.io/v1alpha1
                        kind: KubeProxyConfiguration
                        mode: ipvs
                        clusterCIDR: "10.244.0.0/16,fd00:10:244::/56"
                        """, new String[]{"--cluster-cidr=10.244.0.0/16,fd00:10:244::/56", "--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112"},
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64 nets="
                                + " proxy=10.244.0.0/16,fd00:10:244::/56 mode=ipvs" + DEFAULTS_TAIL + " nodes="),
                row("flags file: one component per line; kube-proxy --cluster-cidr is kube-proxy's own; kubelet names a node",
                        """
                        # flags
                        kube-apiserver --service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112 --service-node-port-range=30000-32767
                        kube-controller-manager --cluster-cidr=10.244.0.0/16,fd00:10:244::/56 --node-cidr-mask-size-ipv4=24 --node-cidr-mask-size-ipv6=64
                        kube-proxy --proxy-mode=nftables --cluster-cidr=10.244.0.0/16
                        kubelet --hostname-override=lab-control-plane --node-ip=172.18.0.2,fd00:172:18::2 --cluster-domain=cluster.local
                        """, new String[0],
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64 nets="
                                + " proxy=10.244.0.0/16 mode=nftables" + DEFAULTS_TAIL + " nodes=lab-control-plane:cp:172.18.0.2,fd00:172:18::2"),
                row("unscoped flags: --flag value form, --node-cidr-mask-size applies to the single family",
                        "", new String[]{"--cluster-cidr", "fd00:10:244::/56", "--service-cluster-ip-range=fd00:10:96::/112",
                                "--node-cidr-mask-size=72", "--proxy-mode=nftables"},
                        "svc=fd00:10:96::/112 pods=fd00:10:244::/56 masks=24/72 nets= proxy=fd00:10:244::/56 mode=nftables"
                                + DEFAULTS_TAIL + " nodes="),
                row("dualstack ClusterPlan document (render --to plan) carries every field",
                        """
                        apiVersion: dualstack.io/v1alpha1
                        kind: ClusterPlan
                        serviceCidrs: [10.96.0.0/16]
                        clusterCidrs: [10.244.0.0/16]
                        nodeMaskIpv4: 26
                        nodeNetworks: [172.18.0.0/16]
                        nodes:
                        - {name: a, role: control-plane, nodeIps: [172.18.0.2]}
                        kubeProxyMode: nftables
                        nodePortRange: 30000-30100
                        clusterDomain: x.local
                        """, new String[0],
                        "svc=10.96.0.0/16 pods=10.244.0.0/16 masks=26/64 nets=172.18.0.0/16 proxy=10.244.0.0/16 mode=nftables"
                                + " ports=30000-30100 domain=x.local nodes=a:cp:172.18.0.2"),
                row("YAML starting with a --- document marker is YAML, not a flags file",
                        "---\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\n",
                        new String[]{"--cluster-cidr=10.244.0.0/16", "--service-cluster-ip-range=10.96.0.0/16"},
                        "svc=10.96.0.0/16 pods=10.244.0.0/16 masks=24/64 nets= proxy=10.244.0.0/16 mode=nftables" + DEFAULTS_TAIL + " nodes="),
                row("kubeadm-flags.env (seed): KUBELET_KUBEADM_ARGS carries kubelet flags; backslash continues a line",
                        """
                        KUBELET_KUBEADM_ARGS="--hostname-override=w1 --node-ip=192.168.1.11,fd00::2"
                        kube-controller-manager \\
                          --cluster-cidr=10.244.0.0/16,fd00:10:244::/48 \\
                          --service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112
                        """, new String[0],
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/48 masks=24/64 nets="
                                + " proxy=10.244.0.0/16,fd00:10:244::/48 mode=iptables" + DEFAULTS_TAIL + " nodes=w1:w:192.168.1.11,fd00::2"),
                row("plan check -o json output reads back (its plan object)",
                        "{\"plan\": {\"serviceCidrs\": [\"10.96.0.0/16\"], \"clusterCidrs\": [\"10.244.0.0/16\"], \"kubeProxyMode\": \"nftables\"},"
                                + " \"findings\": []}", new String[0],
                        "svc=10.96.0.0/16 pods=10.244.0.0/16 masks=24/64 nets= proxy=10.244.0.0/16 mode=nftables" + DEFAULTS_TAIL + " nodes="),
                row("Calico IPPools: pod ranges in document order",
                        """
                        apiVersion: projectcalico.org/v3
                        kind: IPPool
                        metadata: {name: v4}
                        spec: {cidr: 10.244.0.0/16}
                        ---
                        apiVersion: projectcalico.org/v3
                        kind: IPPool
                        metadata: {name: v6}
                        spec: {cidr: "fd00:10:244::/56"}
                        """, new String[]{"--service-cluster-ip-range=10.96.0.0/16,fd00:10:96::/112"},
                        "svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64 nets="
                                + " proxy=10.244.0.0/16,fd00:10:244::/56 mode=iptables" + DEFAULTS_TAIL + " nodes="));
    }

    private static Arguments row(String name, String text, String[] flags, String expected) {
        return Arguments.of(named(name, text), flags, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void readsEachFormat(String text, String[] flags, String expected) {
        assertThat(summary(load(text, flags).plan())).isEqualTo(expected);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of(named("YAML syntax error names line and column", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: [oops\n"),
                        new String[0], "in.yaml:5:1: YAML syntax error: while parsing a flow sequence"),
                Arguments.of(named("bad indentation", "apiVersion: v1\n  kind: x\n"), new String[0],
                        "in.yaml:2:7: YAML syntax error: mapping values are not allowed here"),
                Arguments.of(named("unparsable podSubnet names the field and value",
                                "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/33\n"),
                        new String[0], "in.yaml: ClusterConfiguration.networking.podSubnet: invalid CIDR address: 10.244.0.0/33"),
                Arguments.of(named("unparsable kind serviceSubnet", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  serviceSubnet: 10.96.0/16\n"),
                        new String[0], "in.yaml: Cluster.networking.serviceSubnet: invalid CIDR address: 10.96.0/16"),
                Arguments.of(named("unparsable flag names the flag", ""), new String[]{"--service-cluster-ip-range=10.96.0.0"},
                        "--service-cluster-ip-range: invalid CIDR address: 10.96.0.0"),
                Arguments.of(named("bad --node-ip", ""), new String[]{"--node-ip=192.168.1.300"},
                        "--node-ip: invalid IP address: 192.168.1.300"),
                Arguments.of(named("v1beta4 extraArgs as a map is rejected",
                                "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    node-cidr-mask-size-ipv4: \"24\"\n"),
                        new String[0], "kubeadm v1beta4 extraArgs is a list of {name, value}, got a map"),
                Arguments.of(named("v1beta3 extraArgs as a list is rejected",
                                "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n  - name: a\n    value: b\n"),
                        new String[0], "kubeadm v1beta3 extraArgs is a map of flag: value, got a list"),
                Arguments.of(named("unsupported kubeadm version", "apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n"),
                        new String[0], "kubeadm kubeadm.k8s.io/v1beta2 is not supported"),
                Arguments.of(named("kind ipFamily typo", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  ipFamily: dualstack\n"),
                        new String[0], "invalid ipFamily 'dualstack'; kind accepts ipv4, ipv6 or dual"),
                Arguments.of(named("document without apiVersion/kind", "networking:\n  podSubnet: 10.244.0.0/16\n"),
                        new String[0], "document 1 has no apiVersion/kind"),
                Arguments.of(named("empty file", "# nothing\n"), new String[0], "in.yaml: no documents"),
                Arguments.of(named("bad port range", ""), new String[]{"--service-node-port-range=30000:32767"},
                        "--service-node-port-range: invalid port range '30000:32767'"),
                Arguments.of(named("bad mask", ""), new String[]{"--node-cidr-mask-size-ipv4=big"},
                        "--node-cidr-mask-size-ipv4: invalid mask size 'big'"),
                Arguments.of(named("unknown flag (no component has it) is an input error, not an ignored flag", ""),
                        new String[]{"--cluster-cidr=10.244.0.0/16", "--bogus"},
                        "unknown flag '--bogus': not a flag of kube-apiserver, kube-controller-manager, kube-proxy or kubelet"),
                Arguments.of(named("unknown flag with a value names the flag, not the value", ""),
                        new String[]{"--clustr-cidr=10.244.0.0/16"}, "unknown flag '--clustr-cidr'"),
                Arguments.of(named("kubeadm init's --pod-network-cidr points to --cluster-cidr", ""),
                        new String[]{"--pod-network-cidr=10.244.0.0/16"}, "kubeadm init's flag; give the pod ranges as --cluster-cidr"),
                Arguments.of(named("unknown flag in a flags file names file and line",
                        "kube-apiserver --service-cluster-ip-range=10.96.0.0/16\nkube-proxy --proxy-mod=nftables\n"),
                        new String[0], "in.yaml:2: unknown flag '--proxy-mod'"));
    }

    /** {@code plan check ARGS...}: how command-line tokens split into files and flags. */
    static Stream<Arguments> args() {
        return Stream.of(
                Arguments.of(named("unknown flag before a file does not take the file as its value",
                        List.of("--bogus", "examples/kind-dualstack.yaml")), "unknown flag '--bogus'"),
                Arguments.of(named("unknown single-dash flag", List.of("-x", "10.0.0.0/8")), "unknown flag '-x'"),
                Arguments.of(named("known value flag takes the next token; the unknown one after it is still found",
                        List.of("--cluster-cidr", "10.244.0.0/16", "--frob=1")), "unknown flag '--frob'"),
                Arguments.of(named("boolean flag does not take the next token: it is read as a file",
                        List.of("--allocate-node-cidrs", "no-such-plan.yaml")), "no-such-plan.yaml: cannot read file"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("args")
    void commandLineArgumentsSplitIntoFilesAndFlags(List<String> args, String expected) {
        PlanLoader.Result r = PlanLoader.loadArgs(args);
        assertThat(r).isInstanceOf(PlanLoader.InputError.class);
        assertThat(((PlanLoader.InputError) r).message()).contains(expected).doesNotContain("\n");
    }

    @org.junit.jupiter.api.Test
    void knownFlagsOutsideThePlanStayIgnoredFindings() {
        PlanLoader.Result r = PlanLoader.loadArgs(List.of("kube-apiserver", "--authorization-mode=Node,RBAC",
                "--service-cluster-ip-range=10.96.0.0/16", "kubelet", "--container-runtime-endpoint", "unix:///run/containerd.sock"));
        assertThat(r).isInstanceOf(PlanLoader.Loaded.class);
        assertThat(((PlanLoader.Loaded) r).findings()).anyMatch(f -> f.id().equals("ignored-flag")
                && f.path().equals("kube-apiserver --authorization-mode"));
        assertThat(((PlanLoader.Loaded) r).plan().serviceCidrs().toString()).contains("10.96.0.0/16");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedInputIsAnInputErrorNamingWhere(String text, String[] flags, String expected) {
        String message = inputError(text, flags);
        assertThat(message).contains(expected).doesNotContain("\n");
    }
}
