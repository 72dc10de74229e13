package io.dualstack.controllers.integration;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.http.WebSocketUpgradeResponse;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * A fabric8 client that never opens WebSockets: every WebSocket upgrade fails as if the server
 * had answered 200, which makes fabric8 fall back to its plain HTTP (chunked) watch. Test-only:
 * the API server currently answers fabric8's WebSocket upgrade on watch URLs with 404 (Javalin
 * routes upgrade requests to its WebSocket servlet, which has no routes), so informers could not
 * start otherwise. Remove once the API server handles the upgrade.
 */
final class HttpWatchClients {
    private HttpWatchClients() {}

    static KubernetesClient from(KubernetesClient template) {
        Config config = template.getConfiguration();
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new HttpClient.Factory() {
            final JdkHttpClientFactory jdk = new JdkHttpClientFactory();

            @Override
            public HttpClient.Builder newBuilder() {
                return wrap(jdk.newBuilder(), HttpClient.Builder.class);
            }

            @Override
            public HttpClient.Builder newBuilder(Config c) {
                return wrap(jdk.newBuilder(c), HttpClient.Builder.class);
            }
        }).build();
    }

    /** Proxies a builder: fluent calls return the proxy, build() returns a wrapped client. */
    @SuppressWarnings("unchecked")
    static <T> T wrap(Object delegate, Class<T> type) {
        Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            Object out = invoke(m, delegate, args);
            if (out == delegate) return proxy;
            if (out instanceof HttpClient client) return client(client);
            return out;
        });
        return (T) self[0];
    }

    static HttpClient client(HttpClient delegate) {
        return (HttpClient) Proxy.newProxyInstance(HttpClient.class.getClassLoader(), new Class<?>[] {HttpClient.class}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "newWebSocketBuilder":
                    return refusingWebSocketBuilder(delegate);
                case "newBuilder":
                    return wrap(delegate.newBuilder(), HttpClient.DerivedClientBuilder.class);
                default:
                    return invoke(m, delegate, args);
            }
        });
    }

    static WebSocket.Builder refusingWebSocketBuilder(HttpClient delegate) {
        URI[] uri = new URI[1];
        return (WebSocket.Builder) Proxy.newProxyInstance(WebSocket.Builder.class.getClassLoader(), new Class<?>[] {WebSocket.Builder.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("uri")) uri[0] = (URI) args[0];
                    if (m.getName().equals("buildAsync")) {
                        var request = delegate.newHttpRequestBuilder().uri(uri[0]).build();
                        return CompletableFuture.failedFuture(new WebSocketHandshakeException(new WebSocketUpgradeResponse(request, 200)));
                    }
                    return proxy;
                });
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
