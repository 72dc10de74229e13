package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.service.Cluster.Layout;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.dualstack.apiserver.service.Cluster.Layout.V4;
import static io.dualstack.apiserver.service.Cluster.Layout.V4V6;
import static io.dualstack.apiserver.service.Cluster.Layout.V6V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Updates: upgrade/downgrade between single- and dual-stack, immutability of the primary family
 * and clusterIPs[0], unconditional PUTs, type changes — as upstream's {@code TestUpdateDualStack*},
 * {@code TestServiceRegistryUpdate*} and {@code validateUpgradeDowngrade*} pin them.
 */
class ServiceUpdateTableTest {

    static String s(String more) {
        return ServiceCreateTableTest.s(more);
    }

    /** Mutates the stored object (read-modify-write, as kubectl edit/patch do). */
    static Consumer<Service> edit(Consumer<Service> c) {
        return c;
    }

    static Stream<Arguments> errors() {
        return Stream.of(
                arguments("reduce families without SingleStack", V4V6, s("ipFamilyPolicy: RequireDualStack"),
                        edit(x -> { x.getSpec().setIpFamilies(new ArrayList<>(List.of("IPv4"))); x.getSpec().setClusterIPs(new ArrayList<>(x.getSpec().getClusterIPs().subList(0, 1))); }),
                        "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": must be 'SingleStack' to release the secondary cluster IP\n"
                                + "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": must be 'SingleStack' to release the secondary IP family"),
                arguments("primary family may not change (caught by pre-allocation check)", V4V6, s(""),
                        edit(x -> x.getSpec().setIpFamilies(new ArrayList<>(List.of("IPv6")))),
                        "spec.clusterIPs[0]: Invalid value: \"%IP0%\": expected an IPv6 value as indicated by `ipFamilies[0]`"),
                arguments("clusterIP may not change", V4V6, s(""),
                        edit(x -> x.getSpec().setClusterIP("10.96.200.200")),
                        "spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\"}: may not change once set"),
                arguments("clusterIPs[0] may not change on upgrade", V4V6, s(""),
                        edit(x -> { x.getSpec().setIpFamilyPolicy("PreferDualStack"); x.getSpec().setClusterIP("10.96.200.200");
                            x.getSpec().setClusterIPs(new ArrayList<>(List.of("10.96.200.200", "fd00:10:96::200"))); }),
                        "spec.clusterIPs[0]: Invalid value: []string{\"10.96.200.200\", \"fd00:10:96::200\"}: may not change once set"),
                arguments("RequireDualStack upgrade on a single-stack cluster", V4, s(""),
                        edit(x -> x.getSpec().setIpFamilyPolicy("RequireDualStack")),
                        "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
                arguments("loadBalancerClass may not change", V4V6, s("type: LoadBalancer, loadBalancerClass: example.com/a"),
                        edit(x -> x.getSpec().setLoadBalancerClass("example.com/b")),
                        "spec.loadBalancerClass: Invalid value: \"example.com/b\": may not change once set"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void updateRefused(String name, Layout layout, String yaml, Consumer<Service> change, String expect) {
        Cluster c = new Cluster(layout);
        Service created = c.create(yaml);
        Service next = c.get("web");
        change.accept(next);
        String want = expect.replace("%IP0%", created.getSpec().getClusterIPs().get(0));
        assertThatThrownBy(() -> c.update(next)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(422);
            assertThat(ServiceCreateTableTest.causes(e)).isEqualTo(want);
        });
        assertThat(c.get("web").getSpec()).isEqualTo(created.getSpec());
        assertHeldExactly(c);
    }

    static Stream<Arguments> policyChanges() {
        return Stream.of(
                arguments("v4: SingleStack -> PreferDualStack stays single", V4, "", "PreferDualStack", "[IPv4]"),
                arguments("v4: SingleStack -> RequireDualStack refused", V4, "", "RequireDualStack",
                        "ERR spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
                arguments("v6: SingleStack -> PreferDualStack stays single", Layout.V6, "", "PreferDualStack", "[IPv6]"),
                arguments("v6: PreferDualStack -> SingleStack", Layout.V6, "ipFamilyPolicy: PreferDualStack", "SingleStack", "[IPv6]"),
                arguments("v4v6: SingleStack -> PreferDualStack upgrades", V4V6, "", "PreferDualStack", "[IPv4, IPv6]"),
                arguments("v4v6: SingleStack -> RequireDualStack upgrades", V4V6, "", "RequireDualStack", "[IPv4, IPv6]"),
                arguments("v4v6: SingleStack [IPv6] -> RequireDualStack appends IPv4", V4V6, "ipFamilies: [IPv6]", "RequireDualStack", "[IPv6, IPv4]"),
                arguments("v4v6: RequireDualStack -> SingleStack downgrades", V4V6, "ipFamilyPolicy: RequireDualStack", "SingleStack", "[IPv4]"),
                arguments("v4v6: PreferDualStack [IPv6,IPv4] -> SingleStack keeps IPv6", V4V6, "ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv6, IPv4]", "SingleStack", "[IPv6]"),
                arguments("v4v6: RequireDualStack -> PreferDualStack keeps both", V4V6, "ipFamilyPolicy: RequireDualStack", "PreferDualStack", "[IPv4, IPv6]"),
                arguments("v6v4: SingleStack -> PreferDualStack upgrades", V6V4, "", "PreferDualStack", "[IPv6, IPv4]"),
                arguments("v6v4: RequireDualStack -> SingleStack downgrades", V6V4, "ipFamilyPolicy: RequireDualStack", "SingleStack", "[IPv6]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policyChanges")
    void policyChange(String name, Layout layout, String initial, String policy, String expect) {
        Cluster c = new Cluster(layout);
        Service before = c.create(s(initial));
        Service next = c.get("web");
        next.getSpec().setIpFamilyPolicy(policy);
        if (expect.startsWith("ERR ")) {
            assertThatThrownBy(() -> c.update(next)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(ServiceCreateTableTest.causes(e)).isEqualTo(expect.substring(4)));
        } else {
            Service after = c.update(next);
            assertThat(after.getSpec().getIpFamilyPolicy()).isEqualTo(policy);
            assertThat(after.getSpec().getIpFamilies().toString()).isEqualTo(expect);
            assertThat(after.getSpec().getClusterIPs()).hasSameSizeAs(after.getSpec().getIpFamilies());
            assertThat(after.getSpec().getClusterIP()).isEqualTo(before.getSpec().getClusterIP());
        }
        assertHeldExactly(c);
    }

    @Test
    void singleToPreferDualStackAllocatesTheSecondFamily() {
        Cluster c = new Cluster(V4V6);
        Service before = c.create(s(""));
        Service next = c.get("web");
        next.getSpec().setIpFamilyPolicy("PreferDualStack");
        Service after = c.update(next);
        assertThat(after.getSpec().getIpFamilies()).containsExactly("IPv4", "IPv6");
        assertThat(after.getSpec().getClusterIPs()).hasSize(2).startsWith(before.getSpec().getClusterIP());
        assertThat(after.getSpec().getClusterIP()).isEqualTo(before.getSpec().getClusterIP());
        assertThat(c.store.get(ResourceCatalog.IPADDRESSES, null, after.getSpec().getClusterIPs().get(1))).isPresent();
        assertHeldExactly(c);
    }

    @Test
    void ipv6FirstClusterUpgradeAddsIpv4Second() {
        Cluster c = new Cluster(V6V4);
        c.create(s(""));
        Service next = c.get("web");
        next.getSpec().setIpFamilyPolicy("RequireDualStack");
        Service after = c.update(next);
        assertThat(after.getSpec().getIpFamilies()).containsExactly("IPv6", "IPv4");
        assertHeldExactly(c);
    }

    @Test
    void dualToSingleStackKeepsPrimaryAndReleasesSecondaryOnCommit() {
        Cluster c = new Cluster(V4V6);
        Service before = c.create(s("ipFamilyPolicy: RequireDualStack"));
        String secondary = before.getSpec().getClusterIPs().get(1);
        Service next = c.get("web");
        next.getSpec().setIpFamilyPolicy("SingleStack");
        Service after = c.update(next);
        assertThat(after.getSpec().getClusterIPs()).containsExactly(before.getSpec().getClusterIP());
        assertThat(after.getSpec().getIpFamilies()).containsExactly("IPv4");
        assertThat(c.admission.allocators().clusterIps().get(IpFamily.IPv6).isAllocated(new IPAddressString(secondary).getAddress())).isFalse();
        assertThat(c.store.get(ResourceCatalog.IPADDRESSES, null, secondary)).isEmpty();
        assertHeldExactly(c);
    }

    @Test
    void preferDualStackIsNotUpgradedByAnUnrelatedUpdate() {
        // isMatchingPreferDualStackClusterIPFields: same policy/IPs/families -> no re-init
        Cluster c = new Cluster(V4);
        Service before = c.create(s("ipFamilyPolicy: PreferDualStack"));
        Service next = c.get("web");
        next.getMetadata().setLabels(java.util.Map.of("x", "y"));
        Service after = c.update(next);
        assertThat(after.getSpec().getIpFamilies()).isEqualTo(before.getSpec().getIpFamilies());
        assertThat(after.getSpec().getClusterIPs()).isEqualTo(before.getSpec().getClusterIPs());
    }

    @Test
    void unconditionalPutOfTheOriginalManifestKeepsAllocatedValues() {
        // patchAllocatedValues + policy inherited + families re-derived from the IPs
        Cluster c = new Cluster(V4V6);
        Service before = c.create(s("type: NodePort, ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv6, IPv4]"));
        Service put = Cluster.svc(s("type: NodePort"));
        Service after = c.update(put);
        assertThat(after.getSpec().getClusterIPs()).isEqualTo(before.getSpec().getClusterIPs());
        assertThat(after.getSpec().getClusterIP()).isEqualTo(before.getSpec().getClusterIP());
        assertThat(after.getSpec().getIpFamilyPolicy()).isEqualTo("PreferDualStack");
        assertThat(after.getSpec().getIpFamilies()).containsExactly("IPv6", "IPv4");
        assertThat(after.getSpec().getPorts().get(0).getNodePort()).isEqualTo(before.getSpec().getPorts().get(0).getNodePort());
        assertHeldExactly(c);
    }

    @Test
    void clusterIpToNodePortToLoadBalancerAndBack() {
        Cluster c = new Cluster(V4V6);
        c.create(s("ipFamilyPolicy: PreferDualStack"));
        Service np = c.get("web");
        np.getSpec().setType("NodePort");
        np = c.update(np);
        int port = np.getSpec().getPorts().get(0).getNodePort();
        assertThat(port).isBetween(30000, 32767);
        assertThat(np.getSpec().getExternalTrafficPolicy()).isEqualTo("Cluster");

        Service lb = c.get("web");
        lb.getSpec().setType("LoadBalancer");
        lb.getSpec().setExternalTrafficPolicy("Local");
        lb = c.update(lb);
        assertThat(lb.getSpec().getPorts().get(0).getNodePort()).isEqualTo(port);
        assertThat(lb.getSpec().getHealthCheckNodePort()).isBetween(30000, 32767);
        assertThat(lb.getStatus().getLoadBalancer().getIngress()).hasSize(2);
        assertHeldExactly(c);

        Service back = c.get("web");
        back.getSpec().setType("ClusterIP");
        back = c.update(back);
        assertThat(back.getSpec().getPorts().get(0).getNodePort()).isNull();
        assertThat(back.getSpec().getHealthCheckNodePort()).isNull();
        assertThat(back.getSpec().getExternalTrafficPolicy()).isNull();
        assertThat(back.getSpec().getAllocateLoadBalancerNodePorts()).isNull();
        assertThat(back.getStatus().getLoadBalancer().getIngress()).isEmpty();
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isZero();
        c.admission.allocators().lbPools().values().forEach(p -> assertThat(p.allocatedCount()).isZero());
        assertHeldExactly(c);
    }

    @Test
    void toExternalNameReleasesEverythingAndBackAllocatesAgain() {
        Cluster c = new Cluster(V4V6);
        c.create(s("type: NodePort, ipFamilyPolicy: RequireDualStack"));
        Service en = c.get("web");
        en.getSpec().setType("ExternalName");
        en.getSpec().setExternalName("db.example.com");
        en = c.update(en);
        assertThat(en.getSpec().getClusterIPs()).isEmpty();
        assertThat(en.getSpec().getClusterIP()).isNull();
        assertThat(en.getSpec().getIpFamilies()).isEmpty();
        assertThat(en.getSpec().getIpFamilyPolicy()).isNull();
        assertThat(c.store.list(ResourceCatalog.IPADDRESSES, null)).hasSize(1); // only kubernetes'
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isZero();
        assertHeldExactly(c);

        Service ci = c.get("web");
        ci.getSpec().setType("ClusterIP");
        ci.getSpec().setExternalName(null);
        ci = c.update(ci);
        assertThat(ci.getSpec().getIpFamilyPolicy()).isEqualTo("SingleStack");
        assertThat(ci.getSpec().getClusterIPs()).hasSize(1);
        assertHeldExactly(c);
    }

    @Test
    void failedUpdateReleasesWhatItAllocated() {
        Cluster c = new Cluster(V4V6);
        c.create(s(""));
        Service next = c.get("web");
        next.getSpec().setIpFamilyPolicy("PreferDualStack");
        next.getSpec().setSessionAffinity("Sticky"); // fails validation after allocation
        assertThatThrownBy(() -> c.update(next)).isInstanceOf(ApiException.class)
                .hasMessageContaining("spec.sessionAffinity: Unsupported value: \"Sticky\"");
        assertThat(c.admission.allocators().clusterIps().get(IpFamily.IPv6).allocatedCount()).isZero();
        assertHeldExactly(c);
    }

    /** Every held ClusterIP belongs to exactly one stored Service (or is kubernetes'), and vice versa. */
    static void assertHeldExactly(Cluster c) {
        List<String> want = new ArrayList<>();
        for (Service s : c.store.<Service>list(ResourceCatalog.SERVICES, null)) {
            if ("ExternalName".equals(s.getSpec().getType()) || ServiceValidation.isHeadless(s)) continue;
            s.getSpec().getClusterIPs().forEach(ip -> want.add(new IPAddressString(ip).getAddress().toCanonicalString()));
        }
        List<String> held = new ArrayList<>();
        c.admission.allocators().clusterIps().values().forEach(fa -> held.addAll(fa.allocated()));
        assertThat(held).containsExactlyInAnyOrderElementsOf(want);
        List<String> objects = c.store.<io.fabric8.kubernetes.api.model.networking.v1.IPAddress>list(ResourceCatalog.IPADDRESSES, null)
                .stream().map(o -> o.getMetadata().getName()).toList();
        assertThat(objects).containsExactlyInAnyOrderElementsOf(want);
    }
}
