package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.service.Cluster.Layout;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.dualstack.apiserver.service.ServiceCreateTableTest.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** NodePorts (one range for both families), healthCheckNodePort, and the built-in LB IPAM. */
class NodePortAndLoadBalancerTest {

    static Stream<Arguments> nodePortErrors() {
        return Stream.of(
                arguments("user nodePort out of range", "type: NodePort, ports: [{port: 80, nodePort: 29999}]",
                        "spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767"),
                arguments("user nodePort taken", "type: NodePort, ports: [{port: 80, nodePort: 30080}]",
                        "spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"),
                arguments("nodePort on ClusterIP is forbidden", "ports: [{port: 80, nodePort: 30081}]",
                        "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
                arguments("healthCheckNodePort without Local", "type: LoadBalancer, healthCheckNodePort: 30500",
                        "spec.healthCheckNodePort: Invalid value: 30500: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
                arguments("externalTrafficPolicy on ClusterIP", "externalTrafficPolicy: Local",
                        "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nodePortErrors")
    void refused(String name, String spec, String expect) {
        Cluster c = new Cluster(Layout.V4V6);
        c.create(Cluster.svc("{metadata: {name: first}, spec: {selector: {app: a}, type: NodePort, ports: [{port: 80, nodePort: 30080}]}}"), false);
        int before = c.admission.allocators().nodePorts().allocatedCount();
        assertThatThrownBy(() -> c.create("{spec: {selector: {app: web}, ports: [{port: 80}], " + spec + "}}"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(ServiceCreateTableTest.causes(e)).isEqualTo(expect));
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isEqualTo(before);
    }

    @Test
    void dualStackNodePortGetsOnePortPerServicePortSharedByProtocol() {
        Cluster c = new Cluster(Layout.V4V6);
        Service svc = c.create("{spec: {selector: {app: dns}, type: NodePort, ipFamilyPolicy: RequireDualStack, ports: ["
                + "{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}, {name: metrics, port: 9153}]}}");
        int udp = svc.getSpec().getPorts().get(0).getNodePort();
        assertThat(svc.getSpec().getPorts().get(1).getNodePort()).isEqualTo(udp);
        assertThat(svc.getSpec().getPorts().get(2).getNodePort()).isNotEqualTo(udp);
        assertThat(svc.getSpec().getClusterIPs()).hasSize(2);
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isEqualTo(2);
        c.delete("web");
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isZero();
    }

    @Test
    void loadBalancerLocalGetsHealthCheckNodePortReleasedOnDelete() {
        Cluster c = new Cluster(Layout.V4);
        Service svc = c.create(s("type: LoadBalancer, externalTrafficPolicy: Local"));
        assertThat(svc.getSpec().getHealthCheckNodePort()).isBetween(30000, 32767);
        assertThat(svc.getSpec().getAllocateLoadBalancerNodePorts()).isTrue();
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isEqualTo(2);
        c.delete("web");
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isZero();
    }

    @Test
    void allocateLoadBalancerNodePortsFalseAllocatesNone() {
        Cluster c = new Cluster(Layout.V4);
        Service svc = c.create(s("type: LoadBalancer, allocateLoadBalancerNodePorts: false"));
        assertThat(svc.getSpec().getPorts().get(0).getNodePort()).isNull();
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isZero();
    }

    @Test
    void loadBalancerIngressPerFamilyInIpFamiliesOrderWithVipMode() {
        Cluster c = new Cluster(Layout.V4V6);
        Service svc = c.create(s("type: LoadBalancer, ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv6, IPv4]"));
        var ingress = svc.getStatus().getLoadBalancer().getIngress();
        assertThat(ingress).hasSize(2);
        assertThat(new IPAddressString(ingress.get(0).getIp()).getAddress().isIPv6()).isTrue();
        assertThat(new IPAddressString(ingress.get(1).getIp()).getAddress().isIPv4()).isTrue();
        assertThat(ingress).extracting(LoadBalancerIngress::getIpMode).containsOnly("VIP");
        for (var in : ingress) {
            var a = new IPAddressString(in.getIp()).getAddress();
            assertThat(c.admission.loadBalancerPools().stream().anyMatch(p -> p.contains(a))).isTrue();
        }
        // downgrade releases the IPv4 ingress on commit
        Service next = c.get("web");
        next.getSpec().setIpFamilyPolicy("SingleStack");
        next = c.update(next);
        assertThat(next.getStatus().getLoadBalancer().getIngress()).extracting(LoadBalancerIngress::getIp).containsExactly(ingress.get(0).getIp());
        assertThat(c.admission.allocators().lbPools().get(IpFamily.IPv4).allocatedCount()).isZero();
        c.delete("web");
        assertThat(c.admission.allocators().lbPools().get(IpFamily.IPv6).allocatedCount()).isZero();
    }

    @Test
    void foreignLoadBalancerClassIsLeftAlone() {
        Cluster c = new Cluster(Layout.V4V6);
        Service svc = c.create(s("type: LoadBalancer, loadBalancerClass: example.com/metal"));
        assertThat(svc.getStatus().getLoadBalancer() == null || svc.getStatus().getLoadBalancer().getIngress().isEmpty()).isTrue();
        c.admission.allocators().lbPools().values().forEach(p -> assertThat(p.allocatedCount()).isZero());
        Service ours = c.create(Cluster.svc("{metadata: {name: ours}, spec: {selector: {app: a}, ports: [{port: 80}], type: LoadBalancer, loadBalancerClass: "
                + ServiceAdmission.LOAD_BALANCER_CLASS + "}}"), false);
        assertThat(ours.getStatus().getLoadBalancer().getIngress()).hasSize(1);
    }

    @Test
    void aForeignControllerWritesStatusThroughTheStatusSubresource() {
        Cluster c = new Cluster(Layout.V4V6);
        c.create(s("type: LoadBalancer, loadBalancerClass: example.com/metal"));
        Service st = c.get("web");
        st.getStatus().setLoadBalancer(new io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder()
                .addNewIngress().withIp("203.0.113.7").endIngress().build());
        Service after = c.update(st);
        assertThat(after.getStatus().getLoadBalancer().getIngress()).singleElement().satisfies(i -> {
            assertThat(i.getIp()).isEqualTo("203.0.113.7");
            assertThat(i.getIpMode()).isEqualTo("VIP"); // defaulted as upstream
        });
        Service bad = c.get("web");
        bad.getStatus().setLoadBalancer(new io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder()
                .addNewIngress().withIp("not-an-ip").endIngress().build());
        assertThatThrownBy(() -> c.update(bad)).isInstanceOfSatisfying(ApiException.class, e -> assertThat(ServiceCreateTableTest.causes(e))
                .isEqualTo("status.loadBalancer.ingress[0].ip: Invalid value: \"not-an-ip\": must be a valid IP address"));
    }

    @Test
    void defaultPoolsAvoidThePlansRanges() {
        var plan = Cluster.plan("172.31.250.0/24", "fd00:5ca1:ab1e::/112");
        var pools = ServiceAdmission.defaultLoadBalancerPools(plan);
        assertThat(pools).extracting(p -> p.toCanonicalString()).containsExactly("192.168.250.0/24", "fd00:5ca1:ab1e:1::/112");
    }

    @Test
    void dryRunAllocatesNothing() {
        Cluster c = new Cluster(Layout.V4V6);
        Service svc = c.create(Cluster.svc(s("type: LoadBalancer, ipFamilyPolicy: RequireDualStack")), true);
        assertThat(svc.getSpec().getClusterIPs()).hasSize(2);
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isZero();
        assertThat(c.admission.allocators().clusterIps().get(IpFamily.IPv6).allocatedCount()).isZero();
        c.admission.allocators().lbPools().values().forEach(p -> assertThat(p.allocatedCount()).isZero());
        ServiceUpdateTableTest.assertHeldExactly(c);
    }
}
