package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Plain HTTPS requests to the test server (JDK client trusting only the cluster CA). */
final class RawHttp {
    record Response(int code, String body, Map<String, List<String>> headers) {}

    private final HttpClient http;
    private final String base;
    private final String token;

    private RawHttp(HttpClient http, String base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    static RawHttp of(TestApiServer api) {
        return of(api, api.url());
    }

    static RawHttp of(TestApiServer api, String base) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(api.server().pki().trustStore());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient c = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(20)).build();
            return new RawHttp(c, base, api.token());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Response get(String path, String accept, boolean withToken) {
        return send("GET", path, null, null, withToken, accept);
    }

    Response send(String method, String path, String contentType, String body, boolean withToken) {
        return send(method, path, contentType, body, withToken, "application/json");
    }

    Response send(String method, String path, String contentType, String body, boolean withToken, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        if (accept != null) b.header("Accept", accept);
        if (withToken) b.header("Authorization", "Bearer " + token);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().map());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Opens a streaming GET (watch); the caller closes the stream. */
    InputStream stream(String path) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token).GET().build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream()).body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
