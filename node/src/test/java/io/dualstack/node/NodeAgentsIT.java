package io.dualstack.node;

import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.testing.TestApiServer;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node agents against a real API server: registration, pod addressing from the node's
 * podCIDRs (set here as node IPAM would), status, readiness annotation, graceful deletion,
 * exhaustion and restart. Node IPAM itself is the controllers' job; this test plays its part.
 */
class NodeAgentsIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static TestApiServer api;
    static KubernetesClient client;
    static ClusterPlan plan;

    @BeforeAll
    static void startApi() {
        ClusterPlan base = TestApiServer.defaultPlan();
        plan = new ClusterPlan(base.serviceCidrs(), base.clusterCidrs(), 24, 64, base.nodeNetworks(),
                List.of(new ClusterPlan.NodePlan("dualstack-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of()),
                        new ClusterPlan.NodePlan("dualstack-worker", ClusterPlan.Role.WORKER, List.of()),
                        new ClusterPlan.NodePlan("tiny", ClusterPlan.Role.WORKER,
                                List.of(new IPAddressString("fc00:f853:ccd:e793::99").getAddress(), new IPAddressString("172.18.0.99").getAddress()))),
                base.kubeProxyClusterCidrs(), base.kubeProxyMode(), base.nodePortRange(), base.clusterDomain());
        api = TestApiServer.start(plan);
        client = httpWatchClient(api);
    }

    @AfterAll
    static void stopApi() {
        if (client != null) client.close();
        if (api != null) api.close();
    }

    /** A client whose watches use plain HTTP (the API server answers WebSocket upgrades on watches with a fallback). */
    public static KubernetesClient httpWatchClient(TestApiServer api) {
        try {
            io.fabric8.kubernetes.client.Config cfg = io.fabric8.kubernetes.client.Config.fromKubeconfig(
                    java.nio.file.Files.readString(api.kubeconfigPath()));
            cfg.setOnlyHttpWatches(true);
            cfg.setNamespace("default");
            return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(cfg).build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static <T> T await(java.util.function.Supplier<T> get, Predicate<T> ok, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < end) {
            last = get.get();
            if (last != null && ok.test(last)) return last;
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
    }

    /** Plays node IPAM (retrying on conflict with the agent's heartbeat). */
    static void setPodCidrs(String node, String... cidrs) {
        for (int attempt = 0; ; attempt++) {
            Node n = client.nodes().withName(node).get();
            n.getSpec().setPodCIDR(cidrs[0]);
            n.getSpec().setPodCIDRs(List.of(cidrs));
            try {
                client.nodes().resource(n).update();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) throw e;
            }
        }
    }

    static Pod pod(String name, String node, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("nginx").withImage("nginx:1.27-alpine").endContainer().endSpec().build();
    }

    static Pod get(String name) {
        return client.pods().inNamespace("default").withName(name).get();
    }

    static boolean condition(Pod p, String type, String status) {
        return p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus()));
    }

    static void deleteAndAwait(String... names) throws InterruptedException {
        for (String n : names) client.pods().inNamespace("default").withName(n).delete();
        for (String n : names) await(() -> get(n) == null ? Boolean.TRUE : null, x -> true, "pod " + n + " gone");
    }

    @Test
    void registersNodesAddressesPodsAndFinishesDeletion() throws Exception {
        try (NodeAgents agents = new NodeAgents(client, plan)) {
            agents.start();
            Node cp = client.nodes().withName("dualstack-control-plane").get();
            assertThat(cp.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "dualstack-control-plane")
                    .containsEntry("kubernetes.io/os", "linux").containsEntry("node-role.kubernetes.io/control-plane", "")
                    .containsKey("kubernetes.io/arch");
            assertThat(cp.getSpec().getTaints()).extracting(t -> t.getKey() + ":" + t.getEffect())
                    .containsExactly("node-role.kubernetes.io/control-plane:NoSchedule");
            assertThat(cp.getStatus().getAddresses()).extracting(NodeAddress::getType, NodeAddress::getAddress).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("InternalIP", "172.18.0.2"),
                    org.assertj.core.groups.Tuple.tuple("InternalIP", "fc00:f853:ccd:e793::2"),
                    org.assertj.core.groups.Tuple.tuple("Hostname", "dualstack-control-plane"));
            assertThat(cp.getStatus().getCapacity().get("pods").getAmount()).isEqualTo("110");
            assertThat(cp.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")
                    && c.getReason().equals("KubeletReady"));
            Node worker = client.nodes().withName("dualstack-worker").get();
            assertThat(worker.getMetadata().getLabels()).doesNotContainKey("node-role.kubernetes.io/control-plane");
            assertThat(worker.getSpec().getTaints()).isNullOrEmpty();
            assertThat(worker.getStatus().getAddresses()).extracting(NodeAddress::getAddress)
                    .containsExactly("172.18.0.3", "fc00:f853:ccd:e793::3", "dualstack-worker");
            Node tiny = client.nodes().withName("tiny").get();
            assertThat(tiny.getStatus().getAddresses()).extracting(NodeAddress::getAddress).as("node IPs in the plan's family order")
                    .containsExactly("172.18.0.99", "fc00:f853:ccd:e793::99", "tiny");

            // A pod bound before the node has podCIDRs waits; then gets one address per family.
            client.pods().inNamespace("default").resource(pod("web-1", "dualstack-worker", Map.of())).create();
            TimeUnit.MILLISECONDS.sleep(300);
            assertThat(get("web-1").getStatus().getPhase()).isEqualTo("Pending");
            setPodCidrs("dualstack-worker", "10.244.1.0/24", "fd00:10:244:1::/64");
            Pod p = await(() -> get("web-1"), x -> "Running".equals(x.getStatus().getPhase()), "web-1 Running");
            assertThat(p.getStatus().getPodIPs()).extracting(PodIP::getIp).containsExactly("10.244.1.2", "fd00:10:244:1::2");
            assertThat(p.getStatus().getPodIP()).isEqualTo("10.244.1.2");
            assertThat(p.getStatus().getHostIP()).isEqualTo("172.18.0.3");
            assertThat(p.getStatus().getHostIPs()).extracting(h -> h.getIp()).containsExactly("172.18.0.3", "fc00:f853:ccd:e793::3");
            assertThat(p.getStatus().getConditions()).extracting(PodCondition::getType)
                    .contains("Initialized", "Ready", "ContainersReady", "PodScheduled");
            assertThat(condition(p, "Ready", "True")).isTrue();
            assertThat(p.getStatus().getContainerStatuses()).singleElement().satisfies(cs -> {
                assertThat(cs.getReady()).isTrue();
                assertThat(cs.getStarted()).isTrue();
                assertThat(cs.getState().getRunning()).isNotNull();
                assertThat(cs.getImage()).isEqualTo("docker.io/library/nginx:1.27-alpine");
                assertThat(cs.getContainerID()).startsWith("containerd://");
                assertThat(cs.getRestartCount()).isZero();
            });

            // Readiness follows the annotation.
            for (int attempt = 0; ; attempt++) { // the agent writes status concurrently: retry on conflict as a user would
                try {
                    client.pods().inNamespace("default").withName("web-1").edit(x -> {
                        x.getMetadata().setAnnotations(Map.of(PodStatuses.READY_ANNOTATION, "false"));
                        return x;
                    });
                    break;
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() != 409 || attempt >= 20) throw e;
                }
            }
            p = await(() -> get("web-1"), x -> condition(x, "Ready", "False"), "web-1 not ready");
            assertThat(p.getStatus().getContainerStatuses().get(0).getReady()).isFalse();
            assertThat(p.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                    .extracting(PodCondition::getReason).isEqualTo("ContainersNotReady");

            // A second pod gets the next address in each family.
            client.pods().inNamespace("default").resource(pod("web-2", "dualstack-worker", Map.of())).create();
            p = await(() -> get("web-2"), x -> "Running".equals(x.getStatus().getPhase()), "web-2 Running");
            assertThat(p.getStatus().getPodIPs()).extracting(PodIP::getIp).containsExactly("10.244.1.3", "fd00:10:244:1::3");

            // Graceful deletion: the API marks it, the agent finishes it.
            client.pods().inNamespace("default").withName("web-1").delete();
            await(() -> get("web-1") == null ? Boolean.TRUE : null, x -> true, "web-1 deleted by the agent");
            client.pods().inNamespace("default").resource(pod("web-3", "dualstack-worker", Map.of())).create();
            p = await(() -> get("web-3"), x -> "Running".equals(x.getStatus().getPhase()), "web-3 Running");
            assertThat(p.getStatus().getPodIPs()).extracting(PodIP::getIp).as("released address not reused before wrap-around")
                    .containsExactly("10.244.1.4", "fd00:10:244:1::4");
        }

        // Restart: a new agent re-adopts web-2 and web-3 and hands out neither address again.
        try (NodeAgents agents = new NodeAgents(client, plan)) {
            agents.start();
            client.pods().inNamespace("default").resource(pod("web-4", "dualstack-worker", Map.of())).create();
            Pod p = await(() -> get("web-4"), x -> "Running".equals(x.getStatus().getPhase()), "web-4 Running");
            assertThat(p.getStatus().getPodIPs()).extracting(PodIP::getIp)
                    .doesNotContain("10.244.1.3", "10.244.1.4", "fd00:10:244:1::3", "fd00:10:244:1::4");
            assertThat(get("web-2").getStatus().getPodIPs()).extracting(PodIP::getIp).containsExactly("10.244.1.3", "fd00:10:244:1::3");
            deleteAndAwait("web-2", "web-3", "web-4");
        }
    }

    static String heartbeat(Node n) {
        return n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getLastHeartbeatTime();
    }

    @Test
    void heartbeatKeepsReadyFreshAndADeletedNodeRegistersAgain() throws Exception {
        try (NodeAgents agents = new NodeAgents(client, plan, AllocatingPodNetwork::new, Duration.ofMillis(300), 1)) {
            agents.start();
            Node before = client.nodes().withName("dualstack-worker").get();
            String beat = heartbeat(before);
            String transition = before.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow()
                    .getLastTransitionTime();
            Node after = await(() -> client.nodes().withName("dualstack-worker").get(), x -> !heartbeat(x).equals(beat), "a newer heartbeat");
            assertThat(after.getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                    .satisfies(c -> assertThat(c.getLastTransitionTime()).as("transition time kept").isEqualTo(transition));

            String oldUid = client.nodes().withName("dualstack-control-plane").get().getMetadata().getUid();
            client.nodes().withName("dualstack-control-plane").delete();
            Node back = await(() -> client.nodes().withName("dualstack-control-plane").get(),
                    x -> !x.getMetadata().getUid().equals(oldUid) && x.getStatus() != null
                            && x.getStatus().getAddresses() != null && !x.getStatus().getAddresses().isEmpty(), "control-plane registered again");
            assertThat(back.getMetadata().getLabels()).containsEntry("node-role.kubernetes.io/control-plane", "");
            assertThat(back.getSpec().getTaints()).extracting(t -> t.getKey()).containsExactly("node-role.kubernetes.io/control-plane");
        }
    }

    @Test
    void exhaustedRangeKeepsPodPendingWithEventUntilAnAddressFrees() throws Exception {
        try (NodeAgents agents = new NodeAgents(client, plan)) {
            agents.start();
            setPodCidrs("tiny", "10.250.0.0/30", "fd00:250::/64"); // one usable IPv4 address
            client.pods().inNamespace("default").resource(pod("tiny-1", "tiny", Map.of())).create();
            Pod first = await(() -> get("tiny-1"), x -> "Running".equals(x.getStatus().getPhase()), "tiny-1 Running");
            assertThat(first.getStatus().getPodIPs()).extracting(PodIP::getIp).containsExactly("10.250.0.2", "fd00:250::2");
            client.pods().inNamespace("default").resource(pod("tiny-2", "tiny", Map.of())).create();
            Event ev = await(() -> client.v1().events().inNamespace("default").list().getItems().stream()
                            .filter(e -> "tiny-2".equals(e.getInvolvedObject().getName()) && "FailedCreatePodSandBox".equals(e.getReason()))
                            .findFirst().orElse(null), x -> true, "FailedCreatePodSandBox event");
            assertThat(ev.getType()).isEqualTo("Warning");
            assertThat(ev.getMessage()).contains("no IP addresses available in range set: 10.250.0.2-10.250.0.2");
            assertThat(get("tiny-2").getStatus().getPhase()).isEqualTo("Pending");
            assertThat(get("tiny-2").getStatus().getPodIPs()).isNullOrEmpty();
            deleteAndAwait("tiny-1");
            Pod second = await(() -> get("tiny-2"), x -> "Running".equals(x.getStatus().getPhase()), "tiny-2 Running after release");
            assertThat(second.getStatus().getPodIPs()).extracting(PodIP::getIp).containsExactly("10.250.0.2", "fd00:250::3");
            deleteAndAwait("tiny-2");
        }
    }
}
