package io.dualstack.controllers.endpoints;

import io.dualstack.controllers.util.Fixtures;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.dualstack.controllers.util.Fixtures.labels;
import static io.dualstack.controllers.util.Fixtures.pod;
import static io.dualstack.controllers.util.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointsReconcilerTest {
    static List<String> ips(Endpoints e) {
        return e.getSubsets().stream().flatMap(s -> s.getAddresses() == null ? Stream.<EndpointAddress>empty() : s.getAddresses().stream())
                .map(EndpointAddress::getIp).toList();
    }

    static Stream<Arguments> families() {
        Pod v4first = pod("a", "kind-worker", true, "10.244.1.5", "fd00:10:244:1::5").build();
        Pod v6first = pod("a", "kind-worker", true, "fd00:10:244:1::5", "10.244.1.5").build();
        return Stream.of(
                Arguments.of("dual-stack IPv4-primary Service: the IPv4 address (ipFamilies[0])", List.of("IPv4", "IPv6"), "10.96.0.10", v4first, "10.244.1.5"),
                Arguments.of("dual-stack IPv6-primary Service: the IPv6 address", List.of("IPv6", "IPv4"), "fd00:10:96::a", v4first, "fd00:10:244:1::5"),
                Arguments.of("SingleStack IPv6 Service: the IPv6 address", List.of("IPv6"), "fd00:10:96::a", v4first, "fd00:10:244:1::5"),
                Arguments.of("no ipFamilies, IPv6 ClusterIP: the ClusterIP's family", List.of(), "fd00:10:96::a", v4first, "fd00:10:244:1::5"),
                Arguments.of("headless without ipFamilies: the family of status.podIP", List.of(), "None", v6first, "fd00:10:244:1::5"),
                Arguments.of("headless without ipFamilies, IPv4 podIP", List.of(), "None", v4first, "10.244.1.5"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void carriesOneFamily(String name, List<String> families, String clusterIp, Pod pod, String expected) {
        Service svc = service("web", families, clusterIp, "http").build();
        Endpoints e = EndpointsReconciler.desired(svc, List.of(pod), Optional.empty(), Optional.empty()).orElseThrow();
        assertThat(ips(e)).containsExactly(expected);
    }

    @Test
    void podWithoutAnAddressOfThePrimaryFamilyIsLeftOut() {
        Service svc = service("web", List.of("IPv6", "IPv4"), "fd00:10:96::a", "http").build();
        Pod v4only = pod("a", "kind-worker", true, "10.244.1.5").build();
        Endpoints e = EndpointsReconciler.desired(svc, List.of(v4only), Optional.empty(), Optional.empty()).orElseThrow();
        assertThat(e.getSubsets()).isEmpty();
    }

    @Test
    void readyAndNotReadyAddressesWithPortsAndTargets() {
        Service svc = service("web", List.of("IPv4", "IPv6"), "10.96.0.10", "http").editMetadata().withLabels(labels("team", "a")).endMetadata().build();
        List<Pod> pods = List.of(pod("b", "kind-worker2", false, "10.244.2.7", "fd00:10:244:2::7").build(),
                pod("a", "kind-worker", true, "10.244.1.5", "fd00:10:244:1::5").build(),
                new PodBuilder(pod("c", "kind-worker", true, "10.244.1.9").build()).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build());
        Endpoints e = EndpointsReconciler.desired(svc, pods, Optional.empty(), Optional.of(Instant.parse("2026-01-01T00:00:05Z"))).orElseThrow();
        assertThat(e.getMetadata().getName()).isEqualTo("web");
        assertThat(e.getMetadata().getLabels()).containsEntry("team", "a").doesNotContainKey("service.kubernetes.io/headless");
        assertThat(e.getMetadata().getAnnotations()).containsEntry("endpoints.kubernetes.io/last-change-trigger-time", "2026-01-01T00:00:05Z");
        assertThat(e.getSubsets()).hasSize(1);
        EndpointSubset s = e.getSubsets().get(0);
        assertThat(s.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.244.1.5");
        assertThat(s.getNotReadyAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.244.2.7");
        assertThat(s.getAddresses().get(0).getNodeName()).isEqualTo("kind-worker");
        assertThat(s.getAddresses().get(0).getTargetRef().getName()).isEqualTo("a");
        assertThat(s.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("web");
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
    }

    @Test
    void publishNotReadyAddressesPutsEveryoneInAddresses() {
        Service svc = service("web", List.of("IPv4"), "10.96.0.10", "http").editSpec().withPublishNotReadyAddresses(true).endSpec().build();
        List<Pod> pods = List.of(pod("b", "kind-worker2", false, "10.244.2.7").build(), pod("a", "kind-worker", true, "10.244.1.5").build());
        Endpoints e = EndpointsReconciler.desired(svc, pods, Optional.empty(), Optional.empty()).orElseThrow();
        assertThat(ips(e)).containsExactly("10.244.1.5", "10.244.2.7");
        assertThat(e.getSubsets().get(0).getNotReadyAddresses()).isNullOrEmpty();
    }

    @Test
    void headlessServiceIsLabelledAndMayHaveNoPorts() {
        Service svc = service("db", List.of("IPv4", "IPv6"), "None", "http").editSpec().withPorts(List.of()).endSpec().build();
        Pod p = new PodBuilder(pod("db-0", "kind-worker", true, "10.244.1.5", "fd00:10:244:1::5").build()).editSpec()
                .withHostname("db-0").withSubdomain("db").endSpec().build();
        Endpoints e = EndpointsReconciler.desired(svc, List.of(p), Optional.empty(), Optional.empty()).orElseThrow();
        assertThat(e.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
        assertThat(e.getSubsets().get(0).getPorts()).isNullOrEmpty();
        assertThat(e.getSubsets().get(0).getAddresses().get(0).getHostname()).isEqualTo("db-0");
    }

    @Test
    void noWriteWhenNothingChangedAndNoneWithoutSelector() {
        Service svc = service("web", List.of("IPv4", "IPv6"), "10.96.0.10", "http").build();
        List<Pod> pods = List.of(pod("a", "kind-worker", true, "10.244.1.5", "fd00:10:244:1::5").build());
        Endpoints first = EndpointsReconciler.desired(svc, pods, Optional.empty(), Optional.empty()).orElseThrow();
        Endpoints stored = new EndpointsBuilder(first).editMetadata().withResourceVersion("7").endMetadata().build();
        assertThat(EndpointsReconciler.desired(svc, pods, Optional.of(stored), Optional.empty())).isEmpty();
        Service noSelector = new ServiceBuilder(svc).editSpec().withSelector(null).endSpec().build();
        assertThat(EndpointsReconciler.desired(noSelector, pods, Optional.empty(), Optional.empty())).isEmpty();
    }

    static Stream<Arguments> capacity() {
        return Stream.of(
                Arguments.of("1000 ready addresses: not truncated", 1000, 0, 1000, 0, false),
                Arguments.of("1001 ready addresses: truncated to 1000, annotated over-capacity", 1001, 0, 1000, 0, true),
                Arguments.of("900 ready + 300 not ready: ready kept, not-ready cut to 100", 900, 300, 900, 100, true),
                Arguments.of("1100 ready + 50 not ready: 1000 ready, not-ready dropped", 1100, 50, 1000, 0, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("capacity")
    void overCapacity(String name, int ready, int notReady, int keptReady, int keptNotReady, boolean annotated) {
        Service svc = service("web", List.of("IPv4"), "10.96.0.10", 80).build();
        List<Pod> pods = IntStream.range(0, ready + notReady).mapToObj(i -> pod(String.format("p-%05d", i), "kind-worker", i < ready,
                "10." + (i / 60000) + "." + (i / 250 % 240) + "." + (i % 250 + 1)).build()).toList();
        Endpoints e = EndpointsReconciler.desired(svc, pods, Optional.empty(), Optional.empty()).orElseThrow();
        int r = e.getSubsets().stream().mapToInt(s -> s.getAddresses() == null ? 0 : s.getAddresses().size()).sum();
        int n = e.getSubsets().stream().mapToInt(s -> s.getNotReadyAddresses() == null ? 0 : s.getNotReadyAddresses().size()).sum();
        assertThat(r).isEqualTo(keptReady);
        assertThat(n).isEqualTo(keptNotReady);
        if (annotated) assertThat(e.getMetadata().getAnnotations()).containsEntry("endpoints.kubernetes.io/over-capacity", "truncated");
        else assertThat(e.getMetadata().getAnnotations()).doesNotContainKey("endpoints.kubernetes.io/over-capacity");
    }
}
