package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;
import io.javalin.http.HandlerType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Routes other components mount (pod logs, exec) sit behind the same authentication. */
class MountedRoutesTest {
    static TestApiServer api;

    @BeforeAll
    static void up() {
        api = TestApiServer.start(TestApiServer.defaultPlan(), false, s -> s
                .httpRoute(HandlerType.GET, "/api/v1/namespaces/{namespace}/pods/{name}/log",
                        ctx -> ctx.contentType("text/plain").result("log of " + ctx.pathParam("name")))
                .webSocketRoute("/api/v1/namespaces/{namespace}/pods/{name}/exec",
                        ws -> ws.onMessage(ctx -> ctx.send("echo:" + ctx.message()))));
    }

    @AfterAll
    static void down() {
        api.close();
    }

    @Test
    void httpRouteNeedsTheToken() {
        RawHttp http = RawHttp.of(api);
        RawHttp.Response ok = http.get("/api/v1/namespaces/default/pods/p1/log", "*/*", true);
        assertThat(ok.code()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("log of p1");
        assertThat(http.get("/api/v1/namespaces/default/pods/p1/log", "*/*", false).code()).isEqualTo(401);
    }

    @Test
    void webSocketRouteUpgradesWithTheToken() throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(api.server().pki().trustStore());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        HttpClient c = HttpClient.newBuilder().sslContext(ssl).build();
        CompletableFuture<String> got = new CompletableFuture<>();
        WebSocket ws = c.newWebSocketBuilder().header("Authorization", "Bearer " + api.token())
                .subprotocols("v5.channel.k8s.io", "v4.channel.k8s.io")
                .buildAsync(URI.create(api.url().replace("https", "wss") + "/api/v1/namespaces/default/pods/p1/exec"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        got.complete(data.toString());
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
        assertThat(ws.getSubprotocol()).as("kubectl needs the subprotocol echoed").isEqualTo("v5.channel.k8s.io");
        ws.sendText("hi", true);
        assertThat(got.get(30, TimeUnit.SECONDS)).isEqualTo("echo:hi");
        ws.abort();
    }
}
