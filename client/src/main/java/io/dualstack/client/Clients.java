package io.dualstack.client;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/**
 * fabric8 {@link KubernetesClient}s on the JDK HTTP client, built from an explicit kubeconfig file
 * or from an API URL, CA certificate and bearer token. Nothing is read from the environment
 * ({@code KUBECONFIG}, {@code ~/.kube/config}, system properties): callers say which cluster.
 * Watches use plain HTTP streaming ({@code ?watch=true}, as kubectl and client-go do), not
 * fabric8's default WebSocket upgrade.
 */
public final class Clients {
    private Clients() {}

    /** A client for {@code context} (or the file's current context when empty) of {@code kubeconfig}. */
    public static KubernetesClient fromKubeconfig(Path kubeconfig, Optional<String> context) {
        if (!Files.isRegularFile(kubeconfig)) {
            throw new IllegalArgumentException("kubeconfig " + kubeconfig + " does not exist");
        }
        Config config = Config.fromKubeconfig(context.orElse(null), kubeconfig.toFile());
        config.setOnlyHttpWatches(true);
        return build(config);
    }

    public static KubernetesClient fromKubeconfig(Path kubeconfig) {
        return fromKubeconfig(kubeconfig, Optional.empty());
    }

    /** A client for {@code url} trusting only {@code caPem}, authenticating with {@code token}. */
    public static KubernetesClient forServer(String url, String caPem, String token) {
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withCaCertData(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)))
                .withOauthToken(token)
                .withNamespace("default")
                .withOnlyHttpWatches(true)
                .build();
        return build(config);
    }

    private static KubernetesClient build(Config config) {
        return new KubernetesClientBuilder()
                .withConfig(config)
                .withHttpClientFactory(new JdkHttpClientFactory())
                .build();
    }
}
