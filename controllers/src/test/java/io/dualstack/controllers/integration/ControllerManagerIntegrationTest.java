package io.dualstack.controllers.integration;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.testing.TestApiServer;
import io.dualstack.controllers.ControllerManager;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controllers against a real API server (the apiserver's TestApiServer fixture), through
 * fabric8 only. Pod IPs are written by the test the way the node agent would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerManagerIntegrationTest {
    static final Set<String> CONTROLLERS = Set.of("nodeipam", "scheduler", "endpointslice", "endpoints");

    TestApiServer api;
    KubernetesClient client;
    KubernetesClient controllerClient;
    ControllerManager manager;

    @BeforeAll
    void start() throws Exception {
        api = TestApiServer.start();
        client = api.client();
        controllerClient = HttpWatchClients.from(client);
        manager = new ControllerManager(controllerClient, api.plan(), ControllerManager.Options.defaults().withControllers(CONTROLLERS));
        manager.start();
        createNode("kind-control-plane", true);
        createNode("kind-worker", false);
        createNode("kind-worker2", false);
    }

    @AfterAll
    void stop() throws Exception {
        if (manager != null) manager.close();
        if (controllerClient != null) controllerClient.close();
        if (api != null) api.close();
    }

    void createNode(String name, boolean controlPlane) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata().withNewSpec().endSpec();
        if (controlPlane) {
            b.editMetadata().addToLabels("node-role.kubernetes.io/control-plane", "").endMetadata()
                    .editSpec().withTaints(new Taint("NoSchedule", "node-role.kubernetes.io/control-plane", null, null)).endSpec();
        }
        client.nodes().resource(b.build()).create();
        // the node IPAM controller may patch the node at the same time: retry on conflict
        Await.until("Ready status on " + name, () -> {
            client.nodes().withName(name).editStatus(n -> new NodeBuilder(n).withNewStatus()
                    .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition().endStatus().build());
            return true;
        }, ok -> ok);
    }

    List<String> podCidrs(String node) {
        Node n = client.nodes().withName(node).get();
        return n == null || n.getSpec().getPodCIDRs() == null ? List.of() : n.getSpec().getPodCIDRs();
    }

    @Test
    @Order(1)
    void everyNodeGetsOnePodCidrPerFamilyInClusterCidrOrder() {
        Set<String> seen = new HashSet<>();
        for (String node : List.of("kind-control-plane", "kind-worker", "kind-worker2")) {
            List<String> cidrs = Await.until("podCIDRs of " + node, () -> podCidrs(node), l -> l.size() == 2);
            Node n = client.nodes().withName(node).get();
            assertThat(n.getSpec().getPodCIDR()).isEqualTo(cidrs.get(0));
            IPAddress v4 = new IPAddressString(cidrs.get(0)).getAddress();
            IPAddress v6 = new IPAddressString(cidrs.get(1)).getAddress();
            assertThat(v4.isIPv4()).isTrue();
            assertThat(v4.getNetworkPrefixLength()).isEqualTo(24);
            assertThat(new IPAddressString("10.244.0.0/16").getAddress().contains(v4)).isTrue();
            assertThat(v6.isIPv6()).isTrue();
            assertThat(v6.getNetworkPrefixLength()).isEqualTo(64);
            assertThat(new IPAddressString("fd00:10:244::/56").getAddress().contains(v6)).isTrue();
            assertThat(seen.add(cidrs.get(0))).isTrue();
            assertThat(seen.add(cidrs.get(1))).isTrue();
        }
    }

    Pod webPod(String name, Map<String, String> nodeSelector) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").addToLabels("app", "web").endMetadata()
                .withNewSpec().withNodeSelector(nodeSelector).addNewContainer().withName("c").withImage("nginx")
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).withProtocol("TCP").build())
                .endContainer().endSpec().build();
    }

    /** What the node agent does: one address per family from the node's podCIDRs, Running, Ready as given. */
    void runPod(String name, int host, boolean ready) {
        Pod pod = client.pods().inNamespace("default").withName(name).get();
        List<String> cidrs = podCidrs(pod.getSpec().getNodeName());
        String v4 = new IPAddressString(cidrs.get(0)).getAddress().getLower().increment(host).withoutPrefixLength().toCanonicalString();
        String v6 = new IPAddressString(cidrs.get(1)).getAddress().getLower().increment(host).withoutPrefixLength().toCanonicalString();
        setStatus(name, v4, v6, ready);
    }

    void setStatus(String name, String v4, String v6, boolean ready) {
        Await.until("status of " + name + " written", () -> {
            client.pods().inNamespace("default").withName(name).editStatus(p -> {
                List<PodCondition> conditions = new ArrayList<>();
                if (p.getStatus().getConditions() != null) {
                    for (PodCondition c : p.getStatus().getConditions()) if (!"Ready".equals(c.getType())) conditions.add(c);
                }
                conditions.add(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()).build());
                return new PodBuilder(p).editStatus().withPhase("Running").withPodIP(v4)
                        .withPodIPs(new PodIPBuilder().withIp(v4).build(), new PodIPBuilder().withIp(v6).build())
                        .withConditions(conditions).endStatus().build();
            });
            return true;
        });
    }

    Service service(String name, String policy, List<String> families, boolean withSelector) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withIpFamilyPolicy(policy).withIpFamilies(families)
                .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").withTargetPort(new IntOrString("http")).build())
                .endSpec();
        if (withSelector) b.editSpec().withSelector(Map.of("app", "web")).endSpec();
        return client.services().inNamespace("default").resource(b.build()).create();
    }

    List<EndpointSlice> slicesOf(String service) {
        return client.resources(EndpointSlice.class).inNamespace("default")
                .withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    static List<String> addresses(EndpointSlice s) {
        return s.getEndpoints() == null ? List.of() : s.getEndpoints().stream().flatMap(e -> e.getAddresses().stream()).sorted().toList();
    }

    @Test
    @Order(2)
    void podsAreScheduledOffTheControlPlaneAndSpread() {
        for (int i = 0; i < 4; i++) client.pods().inNamespace("default").resource(webPod("web-" + i, Map.of())).create();
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String name = "web-" + i;
            Pod p = Await.until(name + " scheduled", () -> client.pods().inNamespace("default").withName(name).get(),
                    x -> x.getSpec().getNodeName() != null && !x.getSpec().getNodeName().isEmpty());
            nodes.add(p.getSpec().getNodeName());
            Pod withCondition = Await.until(name + " PodScheduled=True", () -> client.pods().inNamespace("default").withName(name).get(),
                    x -> x.getStatus().getConditions() != null && x.getStatus().getConditions().stream()
                            .anyMatch(c -> "PodScheduled".equals(c.getType()) && "True".equals(c.getStatus())));
            assertThat(withCondition.getSpec().getNodeName()).isEqualTo(p.getSpec().getNodeName());
        }
        assertThat(nodes).doesNotContain("kind-control-plane");
        assertThat(nodes.stream().filter("kind-worker"::equals).count()).isEqualTo(2);
        assertThat(nodes.stream().filter("kind-worker2"::equals).count()).isEqualTo(2);
    }

    @Test
    @Order(3)
    void podThatFitsNowhereIsUnschedulableWithUpstreamMessage() {
        client.pods().inNamespace("default").resource(webPod("nowhere", Map.of("disk", "ssd"))).create();
        Pod p = Await.until("nowhere PodScheduled=False", () -> client.pods().inNamespace("default").withName("nowhere").get(),
                x -> x.getStatus().getConditions() != null && x.getStatus().getConditions().stream()
                        .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())));
        PodCondition c = p.getStatus().getConditions().stream().filter(x -> "PodScheduled".equals(x.getType())).findFirst().orElseThrow();
        assertThat(c.getReason()).isEqualTo("Unschedulable");
        assertThat(c.getMessage()).startsWith("0/3 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, "
                + "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.");
        List<Event> events = Await.until("FailedScheduling event", () -> client.v1().events().inNamespace("default").list().getItems(),
                l -> l.stream().anyMatch(e -> "FailedScheduling".equals(e.getReason()) && "nowhere".equals(e.getInvolvedObject().getName())));
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("FailedScheduling");
            assertThat(e.getType()).isEqualTo("Warning");
        });
        client.pods().inNamespace("default").withName("nowhere").delete();
    }

    @Test
    @Order(4)
    void dualStackServiceGetsOneSlicePerFamilyAndEndpointsCarryThePrimaryFamily() {
        for (int i = 0; i < 4; i++) runPod("web-" + i, 10 + i, true);
        service("web", "RequireDualStack", List.of("IPv4", "IPv6"), true);
        List<EndpointSlice> slices = Await.until("two slices with 4 endpoints each", () -> slicesOf("web"),
                l -> l.size() == 2 && l.stream().allMatch(s -> addresses(s).size() == 4));
        assertThat(slices).extracting(EndpointSlice::getAddressType).containsExactlyInAnyOrder("IPv4", "IPv6");
        List<Pod> pods = client.pods().inNamespace("default").withLabel("app", "web").list().getItems();
        for (EndpointSlice s : slices) {
            int family = s.getAddressType().equals("IPv4") ? 0 : 1;
            assertThat(addresses(s)).containsExactlyInAnyOrderElementsOf(pods.stream().map(p -> p.getStatus().getPodIPs().get(family).getIp()).toList());
            assertThat(s.getMetadata().getName()).startsWith("web-");
            assertThat(s.getMetadata().getLabels()).containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
            assertThat(s.getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getPort()).isEqualTo(8080);
            });
            assertThat(s.getEndpoints()).allSatisfy(e -> {
                assertThat(e.getConditions().getReady()).isTrue();
                assertThat(e.getNodeName()).startsWith("kind-worker");
                assertThat(e.getTargetRef().getKind()).isEqualTo("Pod");
            });
        }
        Endpoints ep = Await.until("Endpoints web with 4 addresses", () -> client.endpoints().inNamespace("default").withName("web").get(),
                e -> e != null && e.getSubsets() != null && e.getSubsets().size() == 1 && e.getSubsets().get(0).getAddresses() != null
                        && e.getSubsets().get(0).getAddresses().size() == 4);
        assertThat(ep.getSubsets().get(0).getAddresses()).allSatisfy(a -> assertThat(a.getIp()).doesNotContain(":"));
        assertThat(ep.getSubsets().get(0).getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
    }

    @Test
    @Order(5)
    void readinessChangeReachesSlicesInPlaceAndEndpoints() {
        Set<String> namesBefore = new HashSet<>(slicesOf("web").stream().map(s -> s.getMetadata().getName()).toList());
        Pod p = client.pods().inNamespace("default").withName("web-1").get();
        setStatus("web-1", p.getStatus().getPodIPs().get(0).getIp(), p.getStatus().getPodIPs().get(1).getIp(), false);
        List<EndpointSlice> slices = Await.until("web-1 not ready in both slices", () -> slicesOf("web"), l -> l.size() == 2 && l.stream().allMatch(s ->
                s.getEndpoints().stream().anyMatch(e -> "web-1".equals(e.getTargetRef().getName()) && Boolean.FALSE.equals(e.getConditions().getReady()))));
        assertThat(slices).extracting(s -> s.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(namesBefore);
        for (EndpointSlice s : slices) {
            Endpoint e = s.getEndpoints().stream().filter(x -> "web-1".equals(x.getTargetRef().getName())).findFirst().orElseThrow();
            assertThat(e.getConditions().getServing()).isFalse();
            assertThat(e.getConditions().getTerminating()).isFalse();
        }
        Endpoints ep = Await.until("web-1 in notReadyAddresses", () -> client.endpoints().inNamespace("default").withName("web").get(),
                e -> e.getSubsets().stream().anyMatch(s -> s.getNotReadyAddresses() != null && s.getNotReadyAddresses().size() == 1));
        assertThat(ep.getSubsets().stream().mapToInt(s -> s.getAddresses() == null ? 0 : s.getAddresses().size()).sum()).isEqualTo(3);
    }

    @Test
    @Order(6)
    void singleStackIpv6ServiceGetsOnlyAnIpv6SliceAndIpv6Endpoints() {
        service("web6", "SingleStack", List.of("IPv6"), true);
        List<EndpointSlice> slices = Await.until("one IPv6 slice", () -> slicesOf("web6"), l -> l.size() == 1 && addresses(l.get(0)).size() == 4);
        assertThat(slices.get(0).getAddressType()).isEqualTo("IPv6");
        Endpoints ep = Await.until("Endpoints web6", () -> client.endpoints().inNamespace("default").withName("web6").get(),
                e -> e != null && e.getSubsets() != null && !e.getSubsets().isEmpty());
        assertThat(ep.getSubsets()).allSatisfy(s -> {
            if (s.getAddresses() != null) assertThat(s.getAddresses()).allSatisfy(a -> assertThat(a.getIp()).contains(":"));
            if (s.getNotReadyAddresses() != null) assertThat(s.getNotReadyAddresses()).allSatisfy(a -> assertThat(a.getIp()).contains(":"));
        });
    }

    @Test
    @Order(7)
    void serviceWithoutSelectorGetsNoManagedSlices() {
        service("external", "SingleStack", List.of("IPv4"), false);
        // a later Service with a selector converging proves the controller has processed the earlier one
        service("web-late", "SingleStack", List.of("IPv4"), true);
        Await.until("slice for web-late", () -> slicesOf("web-late"), l -> l.size() == 1 && addresses(l.get(0)).size() == 4);
        Await.until("controllers idle", manager::idle);
        assertThat(slicesOf("external")).isEmpty();
        assertThat(client.endpoints().inNamespace("default").withName("external").get()).isNull();
    }

    @Test
    @Order(8)
    void selectorChangeEmptiesTheSlicesAndServiceDeletionRemovesSlicesAndEndpoints() {
        client.services().inNamespace("default").withName("web-late")
                .edit(s -> new ServiceBuilder(s).editSpec().withSelector(Map.of("app", "nothing")).endSpec().build());
        Await.until("web-late slice emptied", () -> slicesOf("web-late"),
                l -> l.size() == 1 && (l.get(0).getEndpoints() == null || l.get(0).getEndpoints().isEmpty()));
        Await.until("web-late Endpoints emptied", () -> client.endpoints().inNamespace("default").withName("web-late").get(),
                e -> e != null && (e.getSubsets() == null || e.getSubsets().isEmpty()));
        client.services().inNamespace("default").withName("web6").delete();
        Await.until("web6 slices and Endpoints gone", () -> slicesOf("web6").isEmpty()
                && client.endpoints().inNamespace("default").withName("web6").get() == null);
    }

    @Test
    @Order(9)
    void deletingPodsShrinksTheSlicesToAPlaceholder() {
        for (int i = 0; i < 4; i++) client.pods().inNamespace("default").withName("web-" + i).withGracePeriod(0).delete();
        List<EndpointSlice> slices = Await.until("web slices empty", () -> slicesOf("web"),
                l -> l.size() == 2 && l.stream().allMatch(s -> s.getEndpoints() == null || s.getEndpoints().isEmpty()));
        assertThat(slices).extracting(EndpointSlice::getAddressType).containsExactlyInAnyOrder("IPv4", "IPv6");
    }

    @Test
    @Order(10)
    void restartedManagerRebuildsTheAllocationFromNodes() throws Exception {
        manager.close();
        manager = new ControllerManager(controllerClient, api.plan(), ControllerManager.Options.defaults().withControllers(CONTROLLERS));
        manager.start();
        createNode("kind-worker3", false);
        List<String> cidrs = Await.until("podCIDRs of kind-worker3", () -> podCidrs("kind-worker3"), l -> l.size() == 2);
        for (String other : List.of("kind-control-plane", "kind-worker", "kind-worker2")) {
            assertThat(podCidrs(other)).doesNotContainAnyElementsOf(cidrs);
        }
    }

    @Test
    @Order(11)
    void exhaustedRangeLeavesTheNodeWithoutCidrsAndRecordsCidrNotAvailable() throws Exception {
        ClusterPlan base = TestApiServer.defaultPlan();
        ClusterPlan tiny = new ClusterPlan(base.serviceCidrs(),
                List.of(new IPAddressString("10.244.0.0/24").getAddress(), new IPAddressString("fd00:10:244::/64").getAddress()),
                24, 64, base.nodeNetworks(), base.nodes(), base.kubeProxyClusterCidrs(), base.kubeProxyMode(), base.nodePortRange(),
                base.clusterDomain());
        try (TestApiServer small = TestApiServer.start(tiny);
             KubernetesClient cc = HttpWatchClients.from(small.client());
             ControllerManager cm = new ControllerManager(cc, tiny, ControllerManager.Options.defaults().withControllers(Set.of("nodeipam")))) {
            KubernetesClient c = small.client();
            cm.start();
            c.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
            Await.until("n1 gets the only block", () -> c.nodes().withName("n1").get().getSpec().getPodCIDRs(), l -> l != null && l.size() == 2);
            c.nodes().resource(new NodeBuilder().withNewMetadata().withName("n2").endMetadata().build()).create();
            List<Event> events = Await.until("CIDRNotAvailable event", () -> c.v1().events().inNamespace("default").list().getItems(),
                    l -> l.stream().anyMatch(e -> "CIDRNotAvailable".equals(e.getReason())));
            Event e = events.stream().filter(x -> "CIDRNotAvailable".equals(x.getReason())).findFirst().orElseThrow();
            assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
            assertThat(e.getInvolvedObject().getName()).isEqualTo("n2");
            assertThat(e.getMessage()).isEqualTo("Node n2 status is now: CIDRNotAvailable");
            assertThat(e.getSource().getComponent()).isEqualTo("cidrAllocator");
            Await.until("controllers idle", cm::idle);
            Node n2 = c.nodes().withName("n2").get();
            assertThat(n2.getSpec() == null ? null : n2.getSpec().getPodCIDRs()).isNullOrEmpty();
            // releasing on delete gives the block to the waiting node on its next update
            c.nodes().withName("n1").delete();
            Await.until("n1 gone", () -> c.nodes().withName("n1").get() == null);
            c.nodes().withName("n2").edit(n -> new NodeBuilder(n).editMetadata().addToLabels("retry", "1").endMetadata().build());
            List<String> cidrs = Await.until("n2 gets the released block", () -> c.nodes().withName("n2").get().getSpec().getPodCIDRs(),
                    l -> l != null && l.size() == 2);
            assertThat(cidrs).containsExactly("10.244.0.0/24", "fd00:10:244::/64");
        }
    }

    @Test
    @Order(12)
    void podOnANodeThatAppearsLaterJoinsItsSliceWhenTheNodeArrives() {
        client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("ghost-0").withNamespace("default")
                .addToLabels("app", "ghost").endMetadata().withNewSpec().withNodeName("kind-worker9").addNewContainer().withName("c")
                .withImage("nginx").withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).withProtocol("TCP").build())
                .endContainer().endSpec().build()).create();
        setStatus("ghost-0", "10.244.200.5", "fd00:10:244:c8::5", true);
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName("ghost").withNamespace("default").endMetadata()
                .withNewSpec().withIpFamilyPolicy("SingleStack").withIpFamilies("IPv4").withSelector(Map.of("app", "ghost"))
                .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").withTargetPort(new IntOrString("http")).build())
                .endSpec();
        client.services().inNamespace("default").resource(b.build()).create();
        // upstream: a pod whose node is unknown is left out (and the Service retried)
        Await.until("placeholder slice for ghost", () -> slicesOf("ghost"), l -> l.size() == 1);
        assertThat(addresses(slicesOf("ghost").get(0))).isEmpty();
        createNode("kind-worker9", false);
        Await.until("ghost-0 in its slice once kind-worker9 exists", () -> slicesOf("ghost"),
                l -> l.size() == 1 && addresses(l.get(0)).equals(List.of("10.244.200.5")));
    }
}
