package io.dualstack.node;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.plan.ClusterPlan;
import io.dualstack.core.plan.Plans;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class NodeObjectsTest {

    static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static ClusterPlan plan(List<String> pods, List<String> nodeNets, List<String> nodeIps) {
        ClusterPlan lab = Plans.labDefault("t");
        return new ClusterPlan(lab.serviceCidrs(), pods.stream().map(NodeObjectsTest::ip).toList(), 24, 64,
                nodeNets.stream().map(NodeObjectsTest::ip).toList(),
                List.of(new ClusterPlan.NodePlan("t-control-plane", ClusterPlan.Role.CONTROL_PLANE, nodeIps.stream().map(NodeObjectsTest::ip).toList()),
                        new ClusterPlan.NodePlan("t-worker", ClusterPlan.Role.WORKER, List.of())),
                lab.kubeProxyClusterCidrs(), lab.kubeProxyMode(), lab.nodePortRange(), lab.clusterDomain());
    }

    static Stream<Arguments> cases() {
        List<String> v4first = List.of("10.244.0.0/16", "fd00:10:244::/56");
        List<String> v6first = List.of("fd00:10:244::/56", "10.244.0.0/16");
        return Stream.of(
                argumentSet("node networks: network + 2 + index per family, in their order", plan(v4first, List.of("172.18.0.0/16", "fd00:172:18::/64"), List.of()), 1,
                        List.of("172.18.0.3", "fd00:172:18::3")),
                argumentSet("explicit --node-ip pair wins", plan(v4first, List.of("172.18.0.0/16", "fd00:172:18::/64"), List.of("192.168.1.10", "fd00:1::10")), 0,
                        List.of("192.168.1.10", "fd00:1::10")),
                argumentSet("flags-only plan (no node networks): lab networks, IPv4 first", plan(v4first, List.of(), List.of()), 0,
                        List.of("172.18.0.2", "fd00:172:18::2")),
                argumentSet("flags-only IPv6-first plan: lab networks, IPv6 first", plan(v6first, List.of(), List.of()), 1,
                        List.of("fd00:172:18::3", "172.18.0.3")),
                argumentSet("flags-only IPv6-only plan: one IPv6 address", plan(List.of("fd00:10:244::/56"), List.of(), List.of()), 0,
                        List.of("fd00:172:18::2")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void internalIpsPerFamilyInPlanOrder(ClusterPlan plan, int index, List<String> expected) {
        assertThat(NodeObjects.internalIps(plan, index)).isEqualTo(expected.stream().map(NodeObjectsTest::ip).toList());
    }
}
