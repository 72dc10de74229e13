package io.dualstack.apiserver.http;

import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.apiserver.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** A restarted server on the same state dir keeps its CA, token and (SQLite) objects. */
class RestartTest {
    static KubernetesClient client(ApiServer s) {
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(s.url())
                .withCaCertData(Base64.getEncoder().encodeToString(s.pki().caPem().getBytes(StandardCharsets.UTF_8)))
                .withOauthToken(s.token()).withNamespace("default").build();
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    @Test
    void restartKeepsIdentityAndData(@TempDir Path dir) throws Exception {
        ApiServerConfig cfg = ApiServerConfig.of(dir, TestApiServer.defaultPlan(), Stores::open);
        String ca, token, uid;
        ApiServer first = new ApiServer(cfg);
        first.start();
        try (KubernetesClient c = client(first)) {
            uid = c.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName("kept").endMetadata().addToData("a", "b").build())
                    .create().getMetadata().getUid();
            ca = first.pki().caPem();
            token = first.token();
        } finally {
            first.close();
        }
        ApiServer second = new ApiServer(cfg);
        second.start();
        try (KubernetesClient c = client(second)) {
            assertThat(second.pki().caPem()).isEqualTo(ca);
            assertThat(second.token()).isEqualTo(token);
            assertThat(c.configMaps().withName("kept").get().getMetadata().getUid()).isEqualTo(uid);
            assertThat(c.services().withName("kubernetes").get().getSpec().getClusterIPs()).isNotEmpty();
        } finally {
            second.close();
        }
    }
}
