package io.dualstack.controllers.integration;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A fabric8 client like the fixture's, but watching over plain HTTP (fabric8's
 * {@code onlyHttpWatches}, as {@code io.dualstack.client.Clients.forServer} configures it): the
 * API server answers WebSocket upgrades on watch URLs with 404, so the fixture's default client
 * cannot run informers.
 */
final class HttpWatchClients {
    private HttpWatchClients() {}

    static KubernetesClient from(KubernetesClient template) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(template.getConfiguration()).withOnlyHttpWatches(true).build())
                .build();
    }
}
