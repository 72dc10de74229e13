package io.dualstack.controllers.endpointslice;

import io.dualstack.controllers.util.Fixtures;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.dualstack.controllers.util.Fixtures.labels;
import static io.dualstack.controllers.util.Fixtures.pod;
import static io.dualstack.controllers.util.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

class SliceReconcilerTest {
    static final List<String> DUAL = List.of("IPv4", "IPv6");
    static final Node WORKER = Fixtures.node("kind-worker", true, labels("topology.kubernetes.io/zone", "zone-a"));
    static final Node WORKER2 = Fixtures.node("kind-worker2", true, labels());
    static final Function<String, Optional<Node>> NODES = n -> Stream.of(WORKER, WORKER2)
            .filter(x -> x.getMetadata().getName().equals(n)).findFirst();
    static final SliceReconciler R = new SliceReconciler(100);

    static Service dual() {
        return service("web", DUAL, "10.96.0.10", "http").editSpec().withClusterIPs("10.96.0.10", "fd00:10:96::a").endSpec().build();
    }

    static List<Pod> pods(int n) {
        return IntStream.range(0, n).mapToObj(i -> Fixtures.numberedPod(i, i % 2 == 0 ? "kind-worker" : "kind-worker2")).toList();
    }

    /** Gives created slices names and resource versions, as the API server would. */
    static List<EndpointSlice> persist(List<EndpointSlice> created) {
        List<EndpointSlice> out = new ArrayList<>();
        int i = 0;
        for (EndpointSlice s : created) {
            out.add(new EndpointSliceBuilder(s).editMetadata().withName(s.getMetadata().getGenerateName() + "s" + (i++))
                    .withResourceVersion("1").withUid("uid-slice-" + i).endMetadata().build());
        }
        return out;
    }

    static List<String> addresses(EndpointSlice s) {
        return s.getEndpoints().stream().flatMap(e -> e.getAddresses().stream()).toList();
    }

    static Stream<Arguments> families() {
        return Stream.of(
                Arguments.of("RequireDualStack IPv4-primary: one IPv4 and one IPv6 slice", DUAL, "10.96.0.10", List.of("IPv4", "IPv6")),
                Arguments.of("IPv6-primary dual-stack: families in the Service's order", List.of("IPv6", "IPv4"), "fd00:10:96::a", List.of("IPv6", "IPv4")),
                Arguments.of("SingleStack IPv6 Service gets only IPv6 slices", List.of("IPv6"), "fd00:10:96::a", List.of("IPv6")),
                Arguments.of("SingleStack IPv4 Service gets only IPv4 slices", List.of("IPv4"), "10.96.0.10", List.of("IPv4")),
                Arguments.of("no ipFamilies: the ClusterIP's family (upstream legacy fallback)", List.of(), "fd00:10:96::a", List.of("IPv6")),
                Arguments.of("headless without ipFamilies: both families (upstream fallback)", List.of(), "None", List.of("IPv4", "IPv6")),
                Arguments.of("headless with ipFamilies [IPv4]: IPv4 only", List.of("IPv4"), "None", List.of("IPv4")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("families")
    void slicesPerAddressFamily(String name, List<String> families, String clusterIp, List<String> expectedTypes) {
        Service svc = service("web", families, clusterIp, "http").build();
        var changes = R.reconcile(svc, pods(3), NODES, List.of(), Optional.empty());
        assertThat(changes.create()).extracting(EndpointSlice::getAddressType).containsExactlyElementsOf(expectedTypes);
        for (EndpointSlice s : changes.create()) {
            boolean v6 = s.getAddressType().equals("IPv6");
            assertThat(addresses(s)).hasSize(3).allSatisfy(a -> assertThat(a.contains(":")).isEqualTo(v6));
        }
        assertThat(changes.update()).isEmpty();
        assertThat(changes.delete()).isEmpty();
    }

    @Test
    void newSliceCarriesUpstreamMetadata() {
        Service svc = new io.fabric8.kubernetes.api.model.ServiceBuilder(dual()).editMetadata().withLabels(labels("team", "a")).endMetadata().build();
        var changes = R.reconcile(svc, pods(2), NODES, List.of(), Optional.of(Instant.parse("2026-01-01T00:00:05Z")));
        EndpointSlice v4 = changes.create().get(0);
        assertThat(v4.getMetadata().getGenerateName()).isEqualTo("web-");
        assertThat(v4.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(v4.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "kubernetes.io/service-name", "web",
                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io",
                "team", "a"));
        assertThat(v4.getMetadata().getAnnotations()).containsEntry("endpoints.kubernetes.io/last-change-trigger-time", "2026-01-01T00:00:05Z");
        var owner = v4.getMetadata().getOwnerReferences().get(0);
        assertThat(List.of(owner.getApiVersion(), owner.getKind(), owner.getName(), owner.getUid()))
                .containsExactly("v1", "Service", "web", "uid-svc-web");
        assertThat(owner.getController()).isTrue();
        assertThat(owner.getBlockOwnerDeletion()).isTrue();
        EndpointPort port = v4.getPorts().get(0);
        assertThat(List.of(port.getName(), port.getProtocol(), String.valueOf(port.getPort()))).containsExactly("web", "TCP", "8080");
        Endpoint ep = v4.getEndpoints().get(0);
        assertThat(ep.getAddresses()).containsExactly("10.244.0.1");
        assertThat(ep.getNodeName()).isEqualTo("kind-worker");
        assertThat(ep.getZone()).isEqualTo("zone-a");
        assertThat(ep.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(ep.getTargetRef().getName()).isEqualTo("web-00000");
        assertThat(ep.getTargetRef().getUid()).isEqualTo("uid-web-00000");
        assertThat(v4.getEndpoints().get(1).getZone()).isNull();
    }

    static Stream<Arguments> splits() {
        return Stream.of(
                Arguments.of("100 endpoints fit one slice per family", 100, 100, List.of(100)),
                Arguments.of("101 endpoints: 100 + 1 per family", 101, 100, List.of(100, 1)),
                Arguments.of("250 endpoints: 100 + 100 + 50 per family", 250, 100, List.of(100, 100, 50)),
                Arguments.of("--max-endpoints-per-slice=10 with 25 endpoints: 10 + 10 + 5", 25, 10, List.of(10, 10, 5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("splits")
    void splitsAtMaxEndpointsPerSlice(String name, int podCount, int max, List<Integer> sizes) {
        var changes = new SliceReconciler(max).reconcile(dual(), pods(podCount), NODES, List.of(), Optional.empty());
        for (String type : DUAL) {
            assertThat(changes.create().stream().filter(s -> s.getAddressType().equals(type)).map(s -> s.getEndpoints().size()))
                    .as(type).containsExactlyElementsOf(sizes);
        }
    }

    record Cond(String name, Pod pod, boolean publishNotReady, boolean ready, boolean serving, boolean terminating) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Cond> conditions() {
        PodBuilder readyPod = pod("p", "kind-worker", true, "10.244.0.5", "fd00:10:244::5");
        PodBuilder notReady = pod("p", "kind-worker", false, "10.244.0.5", "fd00:10:244::5");
        return Stream.of(
                new Cond("ready pod: ready, serving, not terminating", readyPod.build(), false, true, true, false),
                new Cond("not-ready pod: included, not ready, not serving", notReady.build(), false, false, false, false),
                new Cond("terminating ready pod: not ready, still serving, terminating",
                        new PodBuilder(readyPod.build()).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build(),
                        false, false, true, true),
                new Cond("publishNotReadyAddresses: not-ready pod is ready", notReady.build(), true, true, false, false),
                new Cond("publishNotReadyAddresses: terminating pod stays ready",
                        new PodBuilder(notReady.build()).editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build(),
                        true, true, false, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conditions")
    void endpointConditions(Cond c) {
        Service svc = new io.fabric8.kubernetes.api.model.ServiceBuilder(dual()).editSpec().withPublishNotReadyAddresses(c.publishNotReady()).endSpec().build();
        var changes = R.reconcile(svc, List.of(c.pod()), NODES, List.of(), Optional.empty());
        assertThat(changes.create()).hasSize(2);
        for (EndpointSlice s : changes.create()) {
            var cond = s.getEndpoints().get(0).getConditions();
            assertThat(List.of(cond.getReady(), cond.getServing(), cond.getTerminating()))
                    .containsExactly(c.ready(), c.serving(), c.terminating());
        }
    }

    static Stream<Arguments> excluded() {
        return Stream.of(
                Arguments.of("pod without IPs is left out", pod("p", "kind-worker", true).build()),
                Arguments.of("Succeeded pod is left out", pod("p", "kind-worker", true, "10.244.0.5").editStatus().withPhase("Succeeded").endStatus().build()),
                Arguments.of("Failed pod is left out", pod("p", "kind-worker", true, "10.244.0.5").editStatus().withPhase("Failed").endStatus().build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("excluded")
    void excludedPodsLeaveAPlaceholder(String name, Pod p) {
        var changes = R.reconcile(dual(), List.of(p), NODES, List.of(), Optional.empty());
        assertThat(changes.create()).hasSize(2).allSatisfy(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
        });
    }

    @Test
    void podOnUnknownNodeIsSkippedAndReported() {
        Pod p = pod("p", "gone", true, "10.244.0.5", "fd00:10:244::5").build();
        var changes = R.reconcile(dual(), List.of(p, Fixtures.numberedPod(1, "kind-worker")), NODES, List.of(), Optional.empty());
        assertThat(changes.create()).allSatisfy(s -> assertThat(s.getEndpoints()).hasSize(1));
        assertThat(changes.skipped()).containsExactly("skipping Pod p for Service default/web: Node gone Not Found");
    }

    @Test
    void namedTargetPortResolvesPerPodAndSplitsSlicesByResolution() {
        Pod a = Fixtures.numberedPod(0, "kind-worker");
        Pod b = new PodBuilder(Fixtures.numberedPod(1, "kind-worker")).editSpec().editFirstContainer()
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(9090).withProtocol("TCP").build())
                .endContainer().endSpec().build();
        Pod none = new PodBuilder(Fixtures.numberedPod(2, "kind-worker")).editSpec().editFirstContainer().withPorts(List.of())
                .endContainer().endSpec().build();
        var changes = R.reconcile(dual(), List.of(a, b, none), NODES, List.of(), Optional.empty());
        List<EndpointSlice> v4 = changes.create().stream().filter(s -> s.getAddressType().equals("IPv4")).toList();
        assertThat(v4).hasSize(3);
        assertThat(v4).anySatisfy(s -> {
            assertThat(s.getPorts()).extracting(EndpointPort::getPort).containsExactly(8080);
            assertThat(addresses(s)).containsExactly("10.244.0.1");
        });
        assertThat(v4).anySatisfy(s -> {
            assertThat(s.getPorts()).extracting(EndpointPort::getPort).containsExactly(9090);
            assertThat(addresses(s)).containsExactly("10.244.0.2");
        });
        assertThat(v4).anySatisfy(s -> {
            assertThat(s.getPorts()).isEmpty();
            assertThat(addresses(s)).containsExactly("10.244.0.3");
        });
    }

    @Test
    void addressesAreRenderedCanonically() {
        Pod p = pod("p", "kind-worker", true, "10.244.0.5", "FD00:10:244:0:0:0:0:5").build();
        var changes = R.reconcile(dual(), List.of(p), NODES, List.of(), Optional.empty());
        assertThat(changes.create()).flatExtracting(SliceReconcilerTest::addresses).containsExactly("10.244.0.5", "fd00:10:244::5");
        assertThat(SliceReconciler.isCanonicalIpv4("10.244.0.5")).isTrue();
        assertThat(SliceReconciler.isCanonicalIpv4("10.244.00.5")).isFalse();
        assertThat(SliceReconciler.isCanonicalIpv4("10.244.0.256")).isFalse();
        assertThat(SliceReconciler.isCanonicalIpv4("10.244.0")).isFalse();
    }

    @Test
    void numericTargetPortIsUsedAsIs() {
        Service svc = service("web", DUAL, "10.96.0.10", 5678).build();
        var changes = R.reconcile(svc, pods(1), NODES, List.of(), Optional.empty());
        assertThat(changes.create().get(0).getPorts()).extracting(EndpointPort::getPort).containsExactly(5678);
    }

    @Test
    void headlessServiceGetsHeadlessLabelHostnamesAndNoPortsWhenItHasNone() {
        Service svc = service("db", DUAL, "None", "http").editSpec().withPorts(List.of()).endSpec().build();
        Pod withHostname = new PodBuilder(Fixtures.numberedPod(0, "kind-worker")).editSpec().withHostname("db-0").withSubdomain("db").endSpec().build();
        Pod otherSubdomain = new PodBuilder(Fixtures.numberedPod(1, "kind-worker")).editSpec().withHostname("x").withSubdomain("other").endSpec().build();
        var changes = R.reconcile(svc, List.of(withHostname, otherSubdomain), NODES, List.of(), Optional.empty());
        assertThat(changes.create()).hasSize(2).allSatisfy(s -> {
            assertThat(s.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
            assertThat(s.getPorts()).isEmpty();
            assertThat(s.getEndpoints()).extracting(Endpoint::getHostname).containsExactly("db-0", null);
        });
    }

    @Test
    void unchangedStateWritesNothing() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(150), NODES, List.of(), Optional.empty()).create());
        var again = R.reconcile(dual(), pods(150), NODES, existing, Optional.empty());
        assertThat(again.isEmpty()).isTrue();
    }

    @Test
    void oneMoreEndpointFillsTheSliceWithRoomInsteadOfCreating() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(150), NODES, List.of(), Optional.empty()).create());
        var changes = R.reconcile(dual(), pods(151), NODES, existing, Optional.empty());
        assertThat(changes.create()).isEmpty();
        assertThat(changes.delete()).isEmpty();
        assertThat(changes.update()).hasSize(2).allSatisfy(s -> assertThat(s.getEndpoints()).hasSize(51));
    }

    @Test
    void readinessChangeUpdatesOnlyTheSliceHoldingThePod() {
        List<Pod> before = pods(150);
        List<EndpointSlice> existing = persist(R.reconcile(dual(), before, NODES, List.of(), Optional.empty()).create());
        List<Pod> after = new ArrayList<>(before);
        after.set(120, new PodBuilder(before.get(120)).editStatus().editFirstCondition().withStatus("False").endCondition().endStatus().build());
        var changes = R.reconcile(dual(), after, NODES, existing, Optional.empty());
        assertThat(changes.create()).isEmpty();
        assertThat(changes.delete()).isEmpty();
        assertThat(changes.update()).hasSize(2).allSatisfy(s -> {
            assertThat(s.getMetadata().getName()).isIn(existing.stream().map(x -> x.getMetadata().getName()).toList());
            assertThat(s.getEndpoints()).hasSize(50);
            assertThat(s.getEndpoints().stream().filter(e -> !e.getConditions().getReady()).count()).isEqualTo(1);
        });
    }

    @Test
    void selectorChangeReplacesEndpointsInPlace() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(3), NODES, List.of(), Optional.empty()).create());
        List<Pod> others = IntStream.range(10, 12).mapToObj(i -> Fixtures.numberedPod(i, "kind-worker")).toList();
        var changes = R.reconcile(dual(), others, NODES, existing, Optional.empty());
        // upstream finalize: a create paired with a delete becomes an update of the doomed slice
        assertThat(changes.create()).isEmpty();
        assertThat(changes.delete()).isEmpty();
        assertThat(changes.update()).hasSize(2);
        assertThat(changes.update()).filteredOn(s -> s.getAddressType().equals("IPv4")).singleElement()
                .satisfies(s -> assertThat(addresses(s)).containsExactly("10.244.0.11", "10.244.0.12"));
    }

    @Test
    void allPodsGoneLeavesOnePlaceholderPerFamily() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(250), NODES, List.of(), Optional.empty()).create());
        var changes = R.reconcile(dual(), List.of(), NODES, existing, Optional.empty());
        assertThat(changes.create()).isEmpty();
        assertThat(changes.update()).hasSize(2).allSatisfy(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
        });
        assertThat(changes.delete()).hasSize(4);
        List<EndpointSlice> placeholders = changes.update();
        assertThat(R.reconcile(dual(), List.of(), NODES, placeholders, Optional.empty()).isEmpty()).isTrue();
    }

    @Test
    void familyRemovedFromServiceDeletesItsSlices() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(2), NODES, List.of(), Optional.empty()).create());
        Service v4only = service("web", List.of("IPv4"), "10.96.0.10", "http").build();
        var changes = R.reconcile(v4only, pods(2), NODES, existing, Optional.empty());
        assertThat(changes.create()).isEmpty();
        assertThat(changes.update()).isEmpty();
        assertThat(changes.delete()).extracting(EndpointSlice::getAddressType).containsExactly("IPv6");
    }

    @Test
    void slicesOwnedByAnEarlierServiceWithTheSameNameAreReplaced() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(2), NODES, List.of(), Optional.empty()).create());
        Service recreated = new io.fabric8.kubernetes.api.model.ServiceBuilder(dual()).editMetadata().withUid("uid-new").endMetadata().build();
        var changes = R.reconcile(recreated, pods(2), NODES, existing, Optional.empty());
        assertThat(changes.create()).hasSize(2).allSatisfy(s -> assertThat(s.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("uid-new"));
        assertThat(changes.delete()).hasSize(2);
    }

    @Test
    void serviceLabelChangeIsMirroredOntoSlices() {
        List<EndpointSlice> existing = persist(R.reconcile(dual(), pods(2), NODES, List.of(), Optional.empty()).create());
        Service relabelled = new io.fabric8.kubernetes.api.model.ServiceBuilder(dual()).editMetadata().withLabels(labels("tier", "front")).endMetadata().build();
        var changes = R.reconcile(relabelled, pods(2), NODES, existing, Optional.empty());
        assertThat(changes.update()).hasSize(2).allSatisfy(s -> assertThat(s.getMetadata().getLabels()).containsEntry("tier", "front"));
    }

    @Test
    void maxEndpointsPerSliceIsBounded() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SliceReconciler(1001)).hasMessageContaining("between 1 and 1000");
    }
}
