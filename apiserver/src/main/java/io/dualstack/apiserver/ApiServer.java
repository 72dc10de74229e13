package io.dualstack.apiserver;

import com.fasterxml.jackson.databind.node.ObjectNode;
import inet.ipaddr.IPAddress;
import io.dualstack.apiserver.auth.TokenAuthenticator;
import io.dualstack.apiserver.http.ApiHandler;
import io.dualstack.apiserver.discovery.Discovery;
import io.dualstack.apiserver.http.DiscoveryEndpoint;
import io.dualstack.apiserver.http.Endpoint;
import io.dualstack.apiserver.http.OpenApiEndpoint;
import io.dualstack.apiserver.openapi.OpenApi;
import io.dualstack.apiserver.http.Json;
import io.dualstack.apiserver.http.Tables;
import io.dualstack.apiserver.pki.ClusterPki;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.GenericRegistry;
import io.dualstack.apiserver.registry.NetworkPolicyStrategy;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.apiserver.service.ServiceAdmission;
import io.dualstack.apiserver.storage.Store;
import io.dualstack.apiserver.strategy.WorkloadStrategies;
import io.dualstack.core.Component;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.HandlerType;
import io.javalin.websocket.WsHandlerType;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Kubernetes-compatible API server: HTTPS only, on 127.0.0.1 and ::1 with one port, bearer
 * token authentication, the generic registry over the configured {@link Store}. On start it
 * creates (if absent) the namespaces {@code default}, {@code kube-system}, {@code kube-public},
 * {@code kube-node-lease} and the services engineer's bootstrap objects (the {@code kubernetes}
 * ServiceCIDR and Service).
 */
public final class ApiServer implements Component {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    private final ApiServerConfig config;
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private Store store;
    private GenericRegistry registry;
    private ClusterPki pki;
    private TokenAuthenticator auth;
    private Javalin app;
    private ApiHandler handler;
    private int port;
    private Tables.RowPrinter printer = Tables.DEFAULT;
    private final List<Route> routes = new ArrayList<>();
    private final List<WsRoute> wsRoutes = new ArrayList<>();

    private record Route(HandlerType method, String path, io.javalin.http.Handler handler) {}

    private record WsRoute(String path, java.util.regex.Pattern pattern, java.util.function.Consumer<io.javalin.websocket.WsConfig> ws) {}

    /**
     * Adds an HTTP route (Javalin path syntax, e.g. {@code /api/v1/namespaces/{namespace}/pods/{name}/log})
     * served before the generic resource routes, behind the same token authentication. Call before
     * {@link #start()}. For other components' subresources (pod logs).
     */
    public ApiServer httpRoute(HandlerType method, String path, io.javalin.http.Handler h) {
        routes.add(new Route(method, path, h));
        return this;
    }

    /**
     * Adds a WebSocket route (e.g. {@code /api/v1/namespaces/{namespace}/pods/{name}/exec}) behind the
     * token authentication. Call before {@link #start()}. For other components' streams (exec).
     */
    public ApiServer webSocketRoute(String path, java.util.function.Consumer<io.javalin.websocket.WsConfig> ws) {
        String regex = "^" + path.replaceAll("\\{[^/}]+\\}", "[^/]+") + "$";
        wsRoutes.add(new WsRoute(path, java.util.regex.Pattern.compile(regex), ws));
        return this;
    }

    public ApiServer(ApiServerConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "kube-apiserver";
    }

    /** Adds a GET endpoint (discovery, OpenAPI ...); call before or after {@link #start()}. */
    public ApiServer mount(Endpoint e) {
        endpoints.add(e);
        return this;
    }

    /** Sets the server-side table printer (upstream's columns); the default is upstream's columns (TableConvertor). */
    public ApiServer printer(Tables.RowPrinter p) {
        this.printer = p;
        if (handler != null) handler.setPrinter(p);
        return this;
    }

    @Override
    public void start() throws Exception {
        Path dir = config.stateDir();
        java.nio.file.Files.createDirectories(dir);
        pki = ClusterPki.loadOrCreate(dir, dnsNames(config.plan()), ipSans(config.plan()));
        auth = TokenAuthenticator.loadOrCreate(dir.resolve("token"), config.token());
        store = config.store().open(dir);
        Map<ResourceType, ResourceStrategy<?>> strategies = new HashMap<>();
        List<HasMetadata> bootstrap = new ArrayList<>();
        if (config.discoverAdmission()) discoverAdmission(config.plan(), strategies, bootstrap);
        strategies.putAll(config.strategies());
        registry = new GenericRegistry(store, strategies, Clock.systemUTC());
        bootstrap(bootstrap);
        registry.startStrategies();
        endpoints.add(0, new DiscoveryEndpoint(Discovery.served(), () -> "127.0.0.1:" + port));
        endpoints.add(1, new OpenApiEndpoint(OpenApi::served));
        handler = new ApiHandler(registry, auth, endpoints);
        handler.setPrinter(printer);
        startHttp();
        handler.setReady(true);
        LOG.info("API server serving on https://127.0.0.1:{} and https://[::1]:{}", port, port);
    }

    private void startHttp() throws Exception {
        char[] pw = new char[24];
        byte[] r = new byte[24];
        new SecureRandom().nextBytes(r);
        String pws = Base64.getEncoder().encodeToString(r);
        pw = pws.toCharArray();
        var ks = pki.keyStore(pw);
        Exception last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int p = config.port() != 0 ? config.port() : freePortOnBoth();
            final char[] password = pw;
            try {
                Javalin j = Javalin.create(cfg -> {
                    cfg.startup.showJavalinBanner = false;
                    cfg.startup.showOldJavalinVersionWarning = false;
                    cfg.http.compressionStrategy = CompressionStrategy.NONE;
                    cfg.http.maxRequestSize = 3 * 1024 * 1024;
                    cfg.http.generateEtags = false;
                    QueuedThreadPool pool = new QueuedThreadPool(400, 8, 60_000);
                    pool.setName("apiserver");
                    cfg.jetty.threadPool = pool;
                    for (String host : List.of("127.0.0.1", "::1")) {
                        cfg.jetty.addConnector((server, httpCfg) -> connector(server, httpCfg, ks, password, host, p));
                    }
                    List<java.util.regex.Pattern> extraWs = wsRoutes.stream().map(WsRoute::pattern).toList();
                    cfg.routes.addHttpHandler(HandlerType.WEBSOCKET_BEFORE_UPGRADE, "/<path>", ctx -> handler.beforeUpgrade(ctx, extraWs));
                    for (WsRoute w : wsRoutes) cfg.routes.addWsHandler(WsHandlerType.WEBSOCKET, w.path(), w.ws());
                    for (Route rt : routes) {
                        cfg.routes.addHttpHandler(rt.method(), rt.path(), ctx -> {
                            if (handler.authenticated(ctx)) rt.handler().handle(ctx);
                        });
                    }
                    cfg.routes.addWsHandler(WsHandlerType.WEBSOCKET, "/<path>", ws -> {
                        ws.onConnect(ctx -> handler.wsConnect(ctx));
                        ws.onClose(ctx -> handler.wsClose(ctx));
                        ws.onError(ctx -> handler.wsClose(ctx));
                    });
                    for (HandlerType h : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE)) {
                        cfg.routes.addHttpHandler(h, "/", ctx -> handler.handle(ctx));
                        cfg.routes.addHttpHandler(h, "/<path>", ctx -> handler.handle(ctx));
                    }
                });
                j.start();
                app = j;
                port = p;
                return;
            } catch (Exception e) {
                last = e;
                LOG.debug("port {} not usable on both families: {}", p, e.toString());
                if (config.port() != 0) break;
            }
        }
        throw new IOException("cannot listen on 127.0.0.1 and ::1 port " + config.port(), last);
    }

    private static ServerConnector connector(Server server, HttpConfiguration base, java.security.KeyStore ks, char[] pw, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(ks);
        ssl.setKeyStorePassword(new String(pw));
        ssl.setSniRequired(false);
        HttpConfiguration hc = new HttpConfiguration(base);
        hc.setSendServerVersion(false);
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false);
        hc.addCustomizer(src);
        ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(hc));
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(3_600_000); // watches without bookmarks may stay silent for long
        return c;
    }

    private static int freePortOnBoth() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                p = s.getLocalPort();
            }
            try (ServerSocket s6 = new ServerSocket()) {
                s6.bind(new InetSocketAddress(InetAddress.getByName("::1"), p));
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no port free on both 127.0.0.1 and ::1");
    }

    /** The services engineer's admission (services, servicecidrs, ipaddresses) and the workload strategies. */
    private static void discoverAdmission(ClusterPlan plan, Map<ResourceType, ResourceStrategy<?>> strategies, List<HasMetadata> bootstrap) {
        ServiceAdmission sa = new ServiceAdmission(plan);
        strategies.putAll(sa.strategies());
        bootstrap.addAll(sa.bootstrapObjects());
        strategies.putAll(WorkloadStrategies.all());
        strategies.put(ResourceCatalog.NETWORKPOLICIES, new NetworkPolicyStrategy());
    }

    private void bootstrap(List<HasMetadata> objects) {
        for (String ns : SYSTEM_NAMESPACES) {
            if (registry.find(ResourceCatalog.NAMESPACES, "", ns).isEmpty()) {
                ObjectNode o = Json.NODES.objectNode();
                Json.meta(o).put("name", ns);
                createIgnoringExists(ResourceCatalog.NAMESPACES, "", o);
            }
        }
        for (HasMetadata obj : objects) {
            ResourceType t = ResourceCatalog.forClass(obj.getClass())
                    .orElseThrow(() -> new IllegalStateException("bootstrap object of unserved kind " + obj.getKind()));
            String ns = t.namespaced() ? (obj.getMetadata().getNamespace() == null ? "default" : obj.getMetadata().getNamespace()) : "";
            ObjectNode o = Json.tree(obj);
            if (t.namespaced()) Json.meta(o).put("namespace", ns);
            registry.createIfAbsentRaw(t, o);
        }
    }

    private void createIgnoringExists(ResourceType t, String ns, ObjectNode o) {
        try {
            registry.create(t, ns, o, false);
        } catch (ApiException e) {
            if (e.code() != 409) throw e;
        }
    }

    /** The HTTPS port (valid after {@link #start()}). */
    public int port() {
        return port;
    }

    /** {@code https://127.0.0.1:PORT}. */
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    /** {@code https://[::1]:PORT}. */
    public String urlIpv6() {
        return "https://[::1]:" + port;
    }

    public String token() {
        return auth.token();
    }

    public ClusterPki pki() {
        return pki;
    }

    public GenericRegistry registry() {
        return registry;
    }

    public ApiServerConfig config() {
        return config;
    }

    /**
     * A kubeconfig (YAML) for this server with cluster, user and context named {@code name}.
     */
    public String kubeconfig(String name) {
        String ca = Base64.getEncoder().encodeToString(pki.caPem().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: " + name + "\n  cluster:\n    server: " + url()
                + "\n    certificate-authority-data: " + ca + "\nusers:\n- name: " + name + "\n  user:\n    token: " + auth.token()
                + "\ncontexts:\n- name: " + name + "\n  context:\n    cluster: " + name + "\n    user: " + name
                + "\n    namespace: default\ncurrent-context: " + name + "\npreferences: {}\n";
    }

    /** The serving certificate's DNS SANs. */
    static List<String> dnsNames(ClusterPlan plan) {
        String domain = plan.clusterDomain() == null || plan.clusterDomain().isEmpty() ? "cluster.local" : plan.clusterDomain();
        return List.of("localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc." + domain);
    }

    /** The serving certificate's IP SANs: loopback of both families and the {@code kubernetes} Service ClusterIPs. */
    static List<String> ipSans(ClusterPlan plan) {
        List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
        for (IPAddress cidr : plan.serviceCidrs()) {
            IPAddress first = cidr.toPrefixBlock().getLower().withoutPrefixLength().increment(1);
            ips.add(first.toCanonicalString());
        }
        return ips;
    }

    @Override
    public void close() {
        if (handler != null) handler.setReady(false);
        if (app != null) {
            app.stop();
            app = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
