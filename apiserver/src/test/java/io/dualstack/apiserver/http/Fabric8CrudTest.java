package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Fabric8CrudTest {
    static TestApiServer api;
    static KubernetesClient c;

    @BeforeAll
    static void up() {
        api = TestApiServer.start();
        c = api.client();
    }

    @AfterAll
    static void down() {
        api.close();
    }

    @Test
    void systemNamespacesExistFromTheStart() {
        assertThat(c.namespaces().list().getItems()).extracting(n -> n.getMetadata().getName())
                .contains("default", "kube-system", "kube-public", "kube-node-lease");
    }

    @Test
    void createGetUpdateDeleteConfigMap() {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("crud").withLabels(Map.of("app", "x")).endMetadata()
                .withData(Map.of("k", "v")).build();
        ConfigMap created = c.configMaps().inNamespace("default").resource(cm).create();
        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getMetadata().getCreationTimestamp()).endsWith("Z");
        ConfigMap got = c.configMaps().inNamespace("default").withName("crud").get();
        assertThat(got.getData()).containsEntry("k", "v");
        got.getData().put("k", "v2");
        ConfigMap updated = c.configMaps().inNamespace("default").resource(got).update();
        assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
                .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        assertThat(c.configMaps().inNamespace("default").withLabel("app", "x").list().getItems()).hasSize(1);
        c.configMaps().inNamespace("default").withName("crud").delete();
        assertThat(c.configMaps().inNamespace("default").withName("crud").get()).isNull();
    }

    @Test
    void staleResourceVersionIsConflict() {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("conflict").endMetadata().withData(Map.of("a", "1")).build();
        ConfigMap created = c.configMaps().inNamespace("default").resource(cm).create();
        ConfigMap first = new ConfigMapBuilder(created).withData(Map.of("a", "2")).build();
        c.configMaps().inNamespace("default").resource(first).update();
        ConfigMap stale = new ConfigMapBuilder(created).withData(Map.of("a", "3")).build();
        assertThatThrownBy(() -> c.configMaps().inNamespace("default").resource(stale).update())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getStatus().getMessage()).isEqualTo("Operation cannot be fulfilled on configmaps \"conflict\": "
                            + "the object has been modified; please apply your changes to the latest version and try again");
                });
        c.configMaps().inNamespace("default").withName("conflict").delete();
    }
}
