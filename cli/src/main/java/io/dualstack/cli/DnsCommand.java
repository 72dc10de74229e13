package io.dualstack.cli;

import io.dualstack.client.Clients;
import io.dualstack.dns.DnsServer;
import io.dualstack.dns.PodsMode;
import io.dualstack.dns.ZoneConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code dualstack dns --kubeconfig FILE}: the cluster DNS server in the foreground against any
 * Kubernetes API server (ours or a real cluster's), until interrupted.
 */
@Command(name = "dns",
        mixinStandardHelpOptions = true,
        description = {"Serve cluster DNS (CoreDNS kubernetes-plugin answers: A, AAAA, SRV, PTR, CNAME) for the",
                "cluster behind a kubeconfig, over UDP and TCP, in the foreground until interrupted."})
public final class DnsCommand implements Callable<Integer> {
    static final String DEFAULT_LISTEN = "127.0.0.1:1053,[::1]:1053";

    @Option(names = "--kubeconfig", required = true, paramLabel = "FILE", description = "Kubeconfig of the cluster to serve.")
    Path kubeconfig;

    @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: its current context).")
    String context;

    @Option(names = "--domain", defaultValue = "cluster.local", paramLabel = "DOMAIN",
            description = "Cluster domain (default: ${DEFAULT-VALUE}).")
    String domain;

    @Option(names = "--listen", defaultValue = DEFAULT_LISTEN, paramLabel = "ADDR:PORT[,ADDR:PORT...]",
            description = "UDP and TCP listen addresses; IPv6 in brackets; port 0 picks a free port (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--ttl", defaultValue = "5", paramLabel = "SECONDS",
            description = "TTL of answers, 0..3600 (default: ${DEFAULT-VALUE}, as CoreDNS).")
    long ttl;

    @Option(names = "--pods", defaultValue = "insecure", paramLabel = "disabled|insecure|verified",
            description = "Pod records a-b-c-d.NS.pod.DOMAIN, as CoreDNS's 'pods' option (default: ${DEFAULT-VALUE}).")
    String pods;

    @Option(names = "--upstream", paramLabel = "ADDR:PORT",
            description = "Forward names outside the cluster zones to this resolver (default: none, REFUSED).")
    String upstream;

    @Option(names = "--metrics", defaultValue = "127.0.0.1:9153", paramLabel = "ADDR:PORT|off",
            description = "Where /metrics is served (default: ${DEFAULT-VALUE}, as CoreDNS); 'off' disables it.")
    String metrics;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DnsServer.Config config;
        KubernetesClient client;
        try {
            List<InetSocketAddress> addrs = parseAddresses(listen, "--listen");
            Optional<InetSocketAddress> up = upstream == null ? Optional.empty()
                    : Optional.of(parseAddresses(upstream, "--upstream").get(0));
            Optional<InetSocketAddress> met = "off".equals(metrics) ? Optional.empty()
                    : Optional.of(parseAddresses(metrics, "--metrics").get(0));
            PodsMode mode = PodsMode.parse(pods).orElseThrow(() -> new IllegalArgumentException(
                    "--pods '" + pods + "' is not a mode; use disabled, insecure or verified"));
            if (ttl < 0 || ttl > ZoneConfig.MAX_TTL) {
                throw new IllegalArgumentException("--ttl " + ttl + " is out of range; use 0..3600 seconds");
            }
            try {
                ZoneConfig.absolute(domain);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--domain '" + domain + "' is not a valid DNS name; use e.g. cluster.local");
            }
            try {
                client = Clients.fromKubeconfig(kubeconfig, Optional.ofNullable(context));
            } catch (RuntimeException e) {
                err.println("dualstack dns: cannot use kubeconfig " + kubeconfig + ": " + e.getMessage()
                        + "; check the file and --context");
                err.flush();
                return 2;
            }
            config = new DnsServer.Config(client, domain, addrs, ttl, mode, up, met);
        } catch (IllegalArgumentException e) {
            err.println("dualstack dns: " + e.getMessage());
            err.flush();
            return 2;
        }
        DnsServer server = new DnsServer(config);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            server.start();
        } catch (java.net.BindException e) {
            err.println("dualstack dns: cannot listen on " + listen + ": " + e.getMessage()
                    + "; pick another --listen port (0 picks a free one)");
            err.flush();
            client.close();
            return 1;
        } catch (Exception e) {
            err.println("dualstack dns: could not start: " + e.getMessage());
            err.flush();
            client.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            client.close();
            stopped.countDown();
        }, "dns-shutdown"));
        out.println("dns: serving " + config.domain() + " on " + server.addresses().stream()
                .map(DnsCommand::format).collect(Collectors.joining(" ")) + " (udp+tcp)"
                + server.metricsAddress().map(m -> ", metrics on http://" + format(m) + "/metrics").orElse(""));
        out.flush();
        stopped.await();
        return 0;
    }

    /** {@code 127.0.0.1:53} or {@code [::1]:53}. */
    static String format(InetSocketAddress a) {
        String h = new inet.ipaddr.IPAddressString(a.getAddress().getHostAddress().replaceAll("%.*", ""))
                .getAddress().toCanonicalString();
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + a.getPort();
    }

    /**
     * Parses {@code HOST:PORT[,HOST:PORT...]} with literal addresses only (IPv6 in brackets), so
     * nothing is resolved through DNS.
     */
    static List<InetSocketAddress> parseAddresses(String list, String flag) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String raw : list.split(",")) {
            String s = raw.trim();
            int colon = s.lastIndexOf(':');
            String host;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0 || close + 1 != colon) throw bad(flag, s);
                host = s.substring(1, close);
            } else {
                if (colon <= 0 || s.indexOf(':') != colon) throw bad(flag, s);
                host = s.substring(0, colon);
            }
            int port;
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw bad(flag, s);
            }
            if (port < 0 || port > 65535) throw bad(flag, s);
            var ip = new inet.ipaddr.IPAddressString(host).getAddress();
            if (ip == null || ip.isPrefixed() || ip.isMultiple()) throw bad(flag, s);
            InetAddress addr = ip.toInetAddress();
            if (s.startsWith("[") != ip.isIPv6()) throw bad(flag, s);
            out.add(new InetSocketAddress(addr, port));
        }
        if (out.isEmpty()) throw bad(flag, list);
        return out;
    }

    private static IllegalArgumentException bad(String flag, String value) {
        return new IllegalArgumentException(flag + " '" + value + "' is not ADDR:PORT; use e.g. 127.0.0.1:1053 or [::1]:1053");
    }
}
