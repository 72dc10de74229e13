package io.dualstack.dns;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** Serves {@code GET /metrics} in the Prometheus text format (CoreDNS's fixed path). */
final class MetricsHttpServer implements AutoCloseable {
    private final HttpServer server;

    MetricsHttpServer(InetSocketAddress bind, DnsMetrics metrics) throws IOException {
        server = HttpServer.create(bind, 16);
        server.createContext("/metrics", ex -> {
            try (ex) {
                if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, "HEAD".equals(ex.getRequestMethod()) ? -1 : body.length);
                if (!"HEAD".equals(ex.getRequestMethod())) {
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                }
            }
        });
        server.createContext("/", ex -> {
            try (ex) {
                ex.sendResponseHeaders(404, -1);
            }
        });
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
