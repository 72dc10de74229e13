package io.dualstack.apiserver.service;

import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.service.Cluster.Layout;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The multi-CIDR allocator's objects: ServiceCIDR, IPAddress, bootstrap objects. */
class ServiceCidrAndIpAddressTest {

    static ServiceCIDR cidr(String name, String... cidrs) {
        return new ServiceCIDRBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withCidrs(cidrs).endSpec().build();
    }

    @Test
    void bootstrapObjectsMatchUpstreamsKubernetesServiceAndServiceCidr() {
        Cluster c = new Cluster(Layout.V6V4);
        List<HasMetadata> objs = c.admission.bootstrapObjects();
        ServiceCIDR sc = (ServiceCIDR) objs.get(0);
        assertThat(sc.getMetadata().getName()).isEqualTo("kubernetes");
        assertThat(sc.getSpec().getCidrs()).containsExactly("fd00:10:96::/112", "10.96.0.0/16");
        assertThat(sc.getMetadata().getFinalizers()).containsExactly("networking.k8s.io/service-cidr-finalizer");
        Service k = (Service) objs.get(1);
        assertThat(k.getMetadata().getNamespace() + "/" + k.getMetadata().getName()).isEqualTo("default/kubernetes");
        assertThat(k.getSpec().getClusterIP()).isEqualTo("fd00:10:96::1");
        assertThat(k.getSpec().getIpFamilyPolicy()).isEqualTo("SingleStack");
        assertThat(k.getSpec().getIpFamilies()).containsExactly("IPv6");
        assertThat(k.getSpec().getSelector()).isNullOrEmpty();
        assertThat(k.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("https");
            assertThat(p.getPort()).isEqualTo(443);
            assertThat(p.getTargetPort().getIntVal()).isEqualTo(6443);
        });
        assertThat(ServiceValidation.validateCreate(k)).isEmpty();
        IPAddress ip = (IPAddress) objs.get(2);
        assertThat(ip.getMetadata().getName()).isEqualTo("fd00:10:96::1");
        assertThat(ip.getSpec().getParentRef().getResource()).isEqualTo("services");
    }

    static Stream<Arguments> invalidCidrs() {
        return Stream.of(
                arguments("no cidrs", new String[0], "spec.cidrs: Required value: at least one CIDR required"),
                arguments("not a CIDR", new String[]{"10.0.0.1"}, "spec.cidrs[0]: Invalid value: \"10.0.0.1\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
                arguments("two of one family", new String[]{"10.0.0.0/24", "10.1.0.0/24"},
                        "spec.cidrs: Invalid value: networking.ServiceCIDRSpec{CIDRs:[]string{\"10.0.0.0/24\", \"10.1.0.0/24\"}}: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64"),
                arguments("three", new String[]{"10.0.0.0/24", "fd00::/112", "10.1.0.0/24"},
                        "spec.cidrs: Invalid value: networking.ServiceCIDRSpec{CIDRs:[]string{\"10.0.0.0/24\", \"fd00::/112\", \"10.1.0.0/24\"}}: may only hold up to 2 values"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCidrs")
    void serviceCidrValidation(String name, String[] cidrs, String expect) {
        Cluster c = new Cluster(Layout.V4V6);
        assertThatThrownBy(() -> c.write(ResourceCatalog.SERVICECIDRS, cidr("extra", cidrs), null, false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(ServiceCreateTableTest.causes(e)).isEqualTo(expect));
    }

    @Test
    void anAddedServiceCidrExtendsTheRangeAndIsHeldByItsFinalizerWhileInUse() {
        Cluster c = new Cluster(Layout.V4);
        ServiceCIDR extra = c.write(ResourceCatalog.SERVICECIDRS, cidr("extra", "10.100.0.0/24"), null, false);
        assertThat(extra.getMetadata().getFinalizers()).contains(ServiceCidrStrategy.FINALIZER);
        Service svc = c.create(ServiceCreateTableTest.s("clusterIP: 10.100.0.20"));
        assertThat(svc.getSpec().getClusterIPs()).containsExactly("10.100.0.20");

        // deletion requested: the finalizer stays while 10.100.0.20 is in use
        ServiceCIDR terminating = new ServiceCIDRBuilder(extra).editMetadata().withDeletionTimestamp("2030-01-01T00:00:00Z").endMetadata().build();
        ServiceCIDR kept = c.write(ResourceCatalog.SERVICECIDRS, terminating, extra, false);
        assertThat(kept.getMetadata().getFinalizers()).contains(ServiceCidrStrategy.FINALIZER);

        // deleting the last Service in it drops the finalizer in the same transaction
        FakeContext del = c.delete("web");
        assertThat(del.staged).anySatisfy(st -> {
            assertThat(st.op()).isEqualTo("update");
            assertThat(st.type()).isEqualTo(ResourceCatalog.SERVICECIDRS);
            assertThat(st.obj().getMetadata().getFinalizers()).doesNotContain(ServiceCidrStrategy.FINALIZER);
        });
        // and once removed the range no longer serves
        c.strategy(ResourceCatalog.SERVICECIDRS).prepareForDelete(kept, null);
        assertThatThrownBy(() -> c.create(ServiceCreateTableTest.s("clusterIP: 10.100.0.21")))
                .hasMessageContaining("is not in the valid range");
    }

    @Test
    void aTerminatingServiceCidrHandsOutNoNewAddresses() {
        // a /28 kubernetes range (13 free after the kubernetes IP) plus a terminating extra range
        Cluster c = new Cluster(Cluster.plan("10.96.0.0/28"), new MemStore(), 7);
        ServiceCIDR extra = c.write(ResourceCatalog.SERVICECIDRS, cidr("extra", "10.100.0.0/24"), null, false);
        c.store.put(ResourceCatalog.SERVICECIDRS, new ServiceCIDRBuilder(extra).editMetadata().withDeletionTimestamp("2030-01-01T00:00:00Z").endMetadata().build());
        for (int i = 0; i < 13; i++) {
            Service s = c.create(Cluster.svc("{metadata: {name: s" + i + "}, spec: {selector: {app: x}, ports: [{port: 80}]}}"), false);
            assertThat(s.getSpec().getClusterIP()).startsWith("10.96.0.");
        }
        assertThatThrownBy(() -> c.create(ServiceCreateTableTest.s(""))).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(500)).hasMessageContaining("failed to allocate a serviceIP: range is full");
    }

    @Test
    void userCreatedIpAddressReservesTheAddress() {
        Cluster c = new Cluster(Layout.V4);
        IPAddress reserved = new IPAddressBuilder().withNewMetadata().withName("10.96.3.3").endMetadata()
                .withNewSpec().withNewParentRef().withGroup("gateway.networking.k8s.io").withResource("gateways").withNamespace("default").withName("gw")
                .endParentRef().endSpec().build();
        c.write(ResourceCatalog.IPADDRESSES, reserved, null, false);
        assertThatThrownBy(() -> c.create(ServiceCreateTableTest.s("clusterIP: 10.96.3.3")))
                .hasMessageContaining("failed to allocate IP 10.96.3.3: provided IP is already allocated");
        c.strategy(ResourceCatalog.IPADDRESSES).prepareForDelete(reserved, null);
        assertThat(c.create(ServiceCreateTableTest.s("clusterIP: 10.96.3.3")).getSpec().getClusterIP()).isEqualTo("10.96.3.3");
    }

    static Stream<Arguments> invalidIpAddresses() {
        return Stream.of(
                arguments("non-canonical name", "fd00:0:0::5", "services", "web",
                        "metadata.name: Invalid value: \"fd00:0:0::5\": must be a canonical format IP address"),
                arguments("not an IP", "web", "services", "web", "metadata.name: Invalid value: \"web\": ParseAddr(\"web\"): unable to parse IP"),
                arguments("parentRef without resource and name", "10.96.4.4", "", "",
                        "spec.parentRef.resource: Required value\nspec.parentRef.name: Required value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidIpAddresses")
    void ipAddressValidation(String name, String ip, String resource, String parent, String expect) {
        Cluster c = new Cluster(Layout.V4V6);
        IPAddress obj = new IPAddressBuilder().withNewMetadata().withName(ip).endMetadata()
                .withNewSpec().withNewParentRef().withResource(resource).withName(parent).endParentRef().endSpec().build();
        assertThatThrownBy(() -> c.write(ResourceCatalog.IPADDRESSES, obj, null, false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(ServiceCreateTableTest.causes(e)).isEqualTo(expect));
    }
}
