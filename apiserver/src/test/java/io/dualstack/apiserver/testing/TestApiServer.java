package io.dualstack.apiserver.testing;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real {@link ApiServer} for tests: HTTPS on 127.0.0.1 and ::1 (free port), an in-memory
 * store, a temporary state directory, the default admission (services, workloads) when on the
 * class path. Use it with try-with-resources:
 *
 * <pre>{@code
 * try (TestApiServer api = TestApiServer.start()) {
 *     api.client().configMaps().inNamespace("default").resource(cm).create();
 *     // kubectl --kubeconfig api.kubeconfigPath() get cm
 * }
 * }</pre>
 */
public final class TestApiServer implements AutoCloseable {
    private final ApiServer server;
    private final ClusterPlan plan;
    private final Path stateDir;
    private final Path kubeconfig;
    private final List<KubernetesClient> clients = new ArrayList<>();
    private KubernetesClient client;

    private TestApiServer(ApiServer server, ClusterPlan plan, Path stateDir, Path kubeconfig) {
        this.server = server;
        this.plan = plan;
        this.stateDir = stateDir;
        this.kubeconfig = kubeconfig;
    }

    /** A server with {@link #defaultPlan()} and an in-memory store. */
    public static TestApiServer start() {
        return start(defaultPlan());
    }

    public static TestApiServer start(ClusterPlan plan) {
        return start(plan, false);
    }

    /** With {@code sqlite} true the server uses the durable SQLite store in its temp state dir. */
    public static TestApiServer start(ClusterPlan plan, boolean sqlite) {
        return start(plan, sqlite, s -> { });
    }

    /**
     * {@code configure} runs before the server starts: mount routes ({@link ApiServer#httpRoute},
     * {@link ApiServer#webSocketRoute}) or endpoints.
     */
    public static TestApiServer start(ClusterPlan plan, boolean sqlite, java.util.function.Consumer<ApiServer> configure) {
        Path dir;
        try {
            dir = Files.createTempDirectory("dualstack-api-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ApiServerConfig cfg = ApiServerConfig.of(dir, plan, sqlite ? Stores::open : d -> Stores.memory());
        ApiServer s = new ApiServer(cfg);
        try {
            configure.accept(s);
            s.start();
            Path kc = dir.resolve("kubeconfig");
            Files.writeString(kc, s.kubeconfig("dualstack-test"), StandardCharsets.UTF_8);
            return new TestApiServer(s, plan, dir, kc);
        } catch (Exception e) {
            s.close();
            deleteTree(dir);
            throw new IllegalStateException("test API server did not start: " + e, e);
        }
    }

    /**
     * dual-stack, IPv4 primary: services 10.96.0.0/16 + fd00:10:96::/112, pods 10.244.0.0/16 +
     * fd00:10:244::/56, one control-plane node, cluster.local.
     */
    public static ClusterPlan defaultPlan() {
        List<IPAddress> svc = List.of(ip("10.96.0.0/16"), ip("fd00:10:96::/112"));
        List<IPAddress> pods = List.of(ip("10.244.0.0/16"), ip("fd00:10:244::/56"));
        return new ClusterPlan(svc, pods, 24, 64, List.of(ip("172.18.0.0/16"), ip("fc00:f853:ccd:e793::/64")),
                List.of(new ClusterPlan.NodePlan("dualstack-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of())),
                pods, "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");
    }

    private static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    /** A fabric8 client (namespace {@code default}) trusting the cluster CA with the admin token; closed by {@link #close()}. */
    public synchronized KubernetesClient client() {
        if (client == null) client = newClient();
        return client;
    }

    /** A new client of its own (e.g. for concurrent watchers); closed by {@link #close()}. */
    public synchronized KubernetesClient newClient() {
        Config cfg = new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url())
                .withCaCertData(Base64.getEncoder().encodeToString(server.pki().caPem().getBytes(StandardCharsets.UTF_8)))
                .withOauthToken(server.token())
                .withNamespace("default")
                .withRequestTimeout(30_000)
                .withConnectionTimeout(10_000)
                .build();
        KubernetesClient c = new KubernetesClientBuilder().withConfig(cfg).build();
        clients.add(c);
        return c;
    }

    /** {@code https://127.0.0.1:PORT}. */
    public String url() {
        return server.url();
    }

    /** {@code https://[::1]:PORT}. */
    public String urlIpv6() {
        return server.urlIpv6();
    }

    public String token() {
        return server.token();
    }

    /** A kubeconfig file (context {@code dualstack-test}, namespace default) for {@code kubectl --kubeconfig}. */
    public Path kubeconfigPath() {
        return kubeconfig;
    }

    public ClusterPlan plan() {
        return plan;
    }

    public Path stateDir() {
        return stateDir;
    }

    public ApiServer server() {
        return server;
    }

    @Override
    public synchronized void close() {
        for (KubernetesClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        clients.clear();
        server.close();
        deleteTree(stateDir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
