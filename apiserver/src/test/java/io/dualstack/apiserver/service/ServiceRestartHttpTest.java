package io.dualstack.apiserver.service;

import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.apiserver.testing.TestApiServer;
import io.dualstack.client.Clients;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real server on SQLite, stopped and started again on the same state: allocations survive. */
class ServiceRestartHttpTest {

    static Service svc(String name, String policy, String type, String clusterIP) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withType(type).withIpFamilyPolicy(policy).addToSelector("app", "x").addNewPort().withPort(80).endPort().endSpec();
        if (clusterIP != null) b.editSpec().withClusterIP(clusterIP).endSpec();
        return b.build();
    }

    @Test
    void allocationsAreRebuiltFromTheStoreAfterARestart(@TempDir Path dir) throws Exception {
        // the SQLite store lives in one folder across both runs; each run gets a fresh state dir
        // (PKI) because reloading an existing state dir's key currently fails in ClusterPki
        Path storeDir = java.nio.file.Files.createDirectories(dir.resolve("store"));
        List<Service> before = new ArrayList<>();
        ApiServer first = new ApiServer(ApiServerConfig.of(java.nio.file.Files.createDirectories(dir.resolve("run1")),
                TestApiServer.defaultPlan(), d -> Stores.open(storeDir)));
        first.start();
        try (KubernetesClient c = Clients.forServer(first.url(), first.pki().caPem(), first.token())) {
            for (int i = 0; i < 10; i++) {
                String policy = i % 2 == 0 ? "RequireDualStack" : "SingleStack";
                before.add(c.resource(svc("r" + i, policy, i % 3 == 0 ? "NodePort" : "ClusterIP", null)).create());
            }
            c.services().inNamespace("default").withName("r1").delete();
        } finally {
            first.close();
        }
        Service taken = before.get(0);
        ApiServer second = new ApiServer(ApiServerConfig.of(java.nio.file.Files.createDirectories(dir.resolve("run2")),
                TestApiServer.defaultPlan(), d -> Stores.open(storeDir)));
        second.start();
        try (KubernetesClient c = Clients.forServer(second.url(), second.pki().caPem(), second.token())) {
            // an address held before the restart is still held
            assertThatThrownBy(() -> c.resource(svc("dup", "SingleStack", "ClusterIP", taken.getSpec().getClusterIP())).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getStatus().getMessage()).contains("provided IP is already allocated");
                    });
            // the deleted Service's address is free again
            String freed = before.get(1).getSpec().getClusterIP();
            assertThat(c.resource(svc("reuse", "SingleStack", "ClusterIP", freed)).create().getSpec().getClusterIP()).isEqualTo(freed);
            // new allocations never collide with rebuilt ones
            for (int i = 0; i < 10; i++) c.resource(svc("n" + i, "PreferDualStack", "NodePort", null)).create();
            Set<String> ips = new HashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (Service s : c.services().inNamespace("default").list().getItems()) {
                for (String ip : s.getSpec().getClusterIPs()) assertThat(ips.add(ip)).as("IP %s twice", ip).isTrue();
                s.getSpec().getPorts().stream().filter(p -> p.getNodePort() != null).forEach(p -> assertThat(ports.add(p.getNodePort())).isTrue());
            }
            Set<String> objects = new HashSet<>();
            c.network().v1().ipAddresses().list().getItems().forEach(o -> objects.add(o.getMetadata().getName()));
            assertThat(objects).isEqualTo(ips);
        } finally {
            second.close();
        }
    }
}
