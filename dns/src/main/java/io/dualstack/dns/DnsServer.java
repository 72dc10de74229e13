package io.dualstack.dns;

import io.dualstack.core.Component;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster DNS server: CoreDNS's {@code kubernetes} plugin behaviour for the cluster domain,
 * fed by informers through any {@link KubernetesClient} (ours or a real cluster's), served over
 * UDP and TCP on every listen address, with CoreDNS-named metrics on {@code /metrics}.
 */
public final class DnsServer implements Component {

    /**
     * @param client   API client the informers use
     * @param domain   cluster domain ({@code cluster.local})
     * @param listen   bind addresses; port 0 picks one free port shared by all of them
     * @param ttl      TTL of answers, 0..3600 (default 5)
     * @param pods     pod-record mode (default {@code insecure}, as the kubeadm Corefile)
     * @param upstream resolver for names outside the served zones; empty: REFUSED (no recursion)
     * @param metrics  where {@code /metrics} is served; empty: not served
     */
    public record Config(KubernetesClient client, String domain, List<InetSocketAddress> listen, long ttl,
                         PodsMode pods, Optional<InetSocketAddress> upstream, Optional<InetSocketAddress> metrics) {
        public Config {
            Objects.requireNonNull(client, "client");
            listen = List.copyOf(listen);
            if (listen.isEmpty()) throw new IllegalArgumentException("at least one listen address is needed");
            if (ttl < 0 || ttl > ZoneConfig.MAX_TTL) {
                throw new IllegalArgumentException("ttl must be between 0 and 3600 seconds, got " + ttl);
            }
            ZoneConfig.absolute(domain);
        }

        /** cluster.local on 127.0.0.1 and [::1] with a free port, TTL 5, pods insecure, no upstream, no metrics. */
        public static Config defaults(KubernetesClient client) {
            return new Config(client, "cluster.local", loopbacks(0), ZoneConfig.DEFAULT_TTL, PodsMode.INSECURE,
                    Optional.empty(), Optional.empty());
        }

        public Config withListen(List<InetSocketAddress> l) {
            return new Config(client, domain, l, ttl, pods, upstream, metrics);
        }

        public Config withDomain(String d) {
            return new Config(client, d, listen, ttl, pods, upstream, metrics);
        }

        public Config withTtl(long t) {
            return new Config(client, domain, listen, t, pods, upstream, metrics);
        }

        public Config withPods(PodsMode p) {
            return new Config(client, domain, listen, ttl, p, upstream, metrics);
        }

        public Config withUpstream(Optional<InetSocketAddress> u) {
            return new Config(client, domain, listen, ttl, pods, u, metrics);
        }

        public Config withMetrics(Optional<InetSocketAddress> m) {
            return new Config(client, domain, listen, ttl, pods, upstream, m);
        }
    }

    /** {@code 127.0.0.1:port} and {@code [::1]:port}. */
    public static List<InetSocketAddress> loopbacks(int port) {
        return List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                new InetSocketAddress(ipv6Loopback(), port));
    }

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Config config;
    private final DnsMetrics metrics = new DnsMetrics();
    private ZoneWatcher watcher;
    private DnsListener listener;
    private MetricsHttpServer http;

    public DnsServer(Config config) {
        this.config = Objects.requireNonNull(config);
    }

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public synchronized void start() throws Exception {
        if (listener != null) throw new IllegalStateException("already started");
        List<InetAddress> ns = new ArrayList<>();
        for (InetSocketAddress a : config.listen()) if (!a.getAddress().isAnyLocalAddress()) ns.add(a.getAddress());
        ZoneConfig zc = ZoneConfig.of(config.domain()).withTtl(config.ttl()).withPods(config.pods()).withNameservers(ns);
        try {
            watcher = new ZoneWatcher(config.client(), zc);
            watcher.start(Duration.ofSeconds(5));
            listener = new DnsListener(watcher::zone, watcher::synced, metrics, config.listen(), config.upstream());
            listener.start();
            if (config.metrics().isPresent()) http = new MetricsHttpServer(config.metrics().get(), metrics);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The bound DNS addresses (UDP and TCP on each), after {@link #start()}. */
    public synchronized List<InetSocketAddress> addresses() {
        return listener == null ? List.of() : listener.addresses();
    }

    /** The bound {@code /metrics} address, when configured. */
    public synchronized Optional<InetSocketAddress> metricsAddress() {
        return http == null ? Optional.empty() : Optional.of(http.address());
    }

    /** The current zone snapshot (what queries are answered from). */
    public synchronized Zone zone() {
        if (watcher == null) throw new IllegalStateException("not started");
        return watcher.zone();
    }

    public DnsMetrics metrics() {
        return metrics;
    }

    public Config config() {
        return config;
    }

    @Override
    public synchronized void close() {
        if (http != null) http.close();
        if (listener != null) listener.close();
        if (watcher != null) watcher.close();
        http = null;
        listener = null;
    }
}
