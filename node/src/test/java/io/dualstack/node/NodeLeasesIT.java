package io.dualstack.node;

import io.dualstack.apiserver.testing.TestApiServer;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.dualstack.node.NodeAgentsIT.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Node agents keep a heartbeat Lease per node in kube-node-lease, which {@code kubectl describe node} shows. */
class NodeLeasesIT {
    static TestApiServer api;
    static KubernetesClient client;
    static ClusterPlan plan;

    @BeforeAll
    static void startApi() {
        ClusterPlan base = TestApiServer.defaultPlan();
        plan = new ClusterPlan(base.serviceCidrs(), base.clusterCidrs(), 24, 64, base.nodeNetworks(),
                List.of(new ClusterPlan.NodePlan("lease-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of()),
                        new ClusterPlan.NodePlan("lease-worker", ClusterPlan.Role.WORKER, List.of())),
                base.kubeProxyClusterCidrs(), base.kubeProxyMode(), base.nodePortRange(), base.clusterDomain());
        api = TestApiServer.start(plan);
        client = NodeAgentsIT.httpWatchClient(api);
    }

    @AfterAll
    static void stopApi() {
        if (client != null) client.close();
        if (api != null) api.close();
    }

    static Lease lease(String node) {
        return client.leases().inNamespace("kube-node-lease").withName(node).get();
    }

    @Test
    void eachNodeHoldsARenewedLeaseOwnedByTheNode() throws Exception {
        try (NodeAgents agents = new NodeAgents(client, plan, AllocatingPodNetwork::new, Duration.ofMillis(300), 1)) {
            agents.start();
            for (ClusterPlan.NodePlan n : plan.nodes()) {
                Lease l = await(() -> lease(n.name()), x -> true, "lease of " + n.name());
                String uid = client.nodes().withName(n.name()).get().getMetadata().getUid();
                assertThat(l.getSpec().getHolderIdentity()).isEqualTo(n.name());
                assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
                assertThat(l.getMetadata().getOwnerReferences()).singleElement()
                        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
                var first = l.getSpec().getRenewTime();
                await(() -> lease(n.name()), x -> x.getSpec().getRenewTime().isAfter(first), "a renewal of " + n.name());
            }
            Path kubectl = Path.of("/usr/bin/kubectl");
            if (Files.isExecutable(kubectl)) {
                Path cache = Files.createTempDirectory("kubectl-cache");
                Process p = new ProcessBuilder(kubectl.toString(), "--kubeconfig=" + api.kubeconfigPath(), "--cache-dir=" + cache,
                        "describe", "node", "lease-worker").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(out).contains("Lease:").containsPattern("HolderIdentity:\\s+lease-worker").containsPattern("RenewTime:\\s+\\w{3}, ");
                try (var s = Files.walk(cache)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }
}
