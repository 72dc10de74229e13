package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.IpFamily;
import io.dualstack.core.plan.ClusterPlan;
import io.dualstack.core.plan.ClusterPlan.NodePlan;
import io.dualstack.core.plan.ClusterPlan.Role;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The advertise address of default/kubernetes: the first control-plane node's InternalIP, as the node agent assigns it. */
class KubernetesEndpointsTest {
    static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static ClusterPlan plan(List<String> nodeNets, List<NodePlan> nodes) {
        List<IPAddress> svc = List.of(ip("10.96.0.0/16"), ip("fd00:10:96::/112"));
        List<IPAddress> pods = List.of(ip("10.244.0.0/16"), ip("fd00:10:244::/56"));
        return new ClusterPlan(svc, pods, 24, 64, nodeNets.stream().map(KubernetesEndpointsTest::ip).toList(), nodes, pods,
                "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");
    }

    static final List<String> KIND_NETS = List.of("172.18.0.0/16", "fc00:f853:ccd:e793::/64");
    static final NodePlan CP = new NodePlan("c-control-plane", Role.CONTROL_PLANE, List.of());
    static final NodePlan W = new NodePlan("c-worker", Role.WORKER, List.of());

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("kind: first node network address after the gateway", plan(KIND_NETS, List.of(CP, W)), IpFamily.IPv4, "172.18.0.2"),
                Arguments.of("IPv6 primary: the node's IPv6 InternalIP", plan(KIND_NETS, List.of(CP, W)), IpFamily.IPv6, "fc00:f853:ccd:e793::2"),
                Arguments.of("control plane listed after a worker: network + 2 + its index", plan(KIND_NETS, List.of(W, CP)), IpFamily.IPv4, "172.18.0.3"),
                Arguments.of("explicit node IPs win", plan(KIND_NETS, List.of(new NodePlan("cp", Role.CONTROL_PLANE,
                        List.of(ip("192.168.9.7"), ip("fd00::7"))))), IpFamily.IPv4, "192.168.9.7"),
                Arguments.of("no node networks (flags-only plan): the lab node address the node agent gives", plan(List.of(), List.of(CP)), IpFamily.IPv4, "172.18.0.2"),
                Arguments.of("no node networks, IPv6 primary: the lab IPv6 node address", plan(List.of(), List.of(CP)), IpFamily.IPv6, "fd00:172:18::2"),
                Arguments.of("no control-plane node: loopback", plan(KIND_NETS, List.of(W)), IpFamily.IPv4, "127.0.0.1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void advertiseAddress(String name, ClusterPlan plan, IpFamily family, String expected) {
        assertThat(KubernetesEndpoints.advertiseAddress(plan, family).toCanonicalString()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void objectsCarryTheAddressInItsFamily(String name, ClusterPlan plan, IpFamily family, String expected) {
        List<HasMetadata> objs = KubernetesEndpoints.objects(KubernetesEndpoints.advertiseAddress(plan, family));
        Endpoints ep = (Endpoints) objs.get(0);
        EndpointSlice slice = (EndpointSlice) objs.get(1);
        assertThat(ep.getSubsets().get(0).getAddresses().get(0).getIp()).isEqualTo(expected);
        assertThat(slice.getEndpoints().get(0).getAddresses()).containsExactly(expected);
        assertThat(slice.getAddressType()).isEqualTo(IpFamily.of(ip(expected)).name());
        assertThat(slice.getMetadata().getLabels()).containsOnlyKeys("kubernetes.io/service-name");
    }
}
