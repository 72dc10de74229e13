package io.dualstack.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.client.Clients;
import io.dualstack.controllers.ControllerManager;
import io.dualstack.core.Component;
import io.dualstack.core.plan.ClusterPlan;
import io.dualstack.dns.DnsServer;
import io.dualstack.node.NodeAgents;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One cluster's control plane in this process: the API server (HTTPS on 127.0.0.1 and ::1, SQLite
 * store in the state directory; it serves discovery, OpenAPI and upstream's tables itself), then — talking to it only
 * through the API — the controller manager, the node agents and the cluster DNS server. The API
 * and DNS ports are persisted in the state directory, so a restart keeps the URLs. {@link #close()}
 * stops everything in reverse order.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

    private final ClusterHome home;
    private final ClusterPlan plan;
    private final int requestedPort;
    private final List<Component> started = new ArrayList<>();
    private ApiServer api;
    private KubernetesClient client;
    private DnsServer dns;

    /** {@code port} 0: reuse the persisted port, else pick a free one. */
    public ControlPlane(ClusterHome home, ClusterPlan plan, int port) {
        this.home = home;
        this.plan = plan;
        this.requestedPort = port;
    }

    public void start() throws Exception {
        home.createStateDir();
        api = startApiServer();
        started.add(api);
        ClusterHome.writeAtomically(home.apiPortFile(), api.port() + "\n");
        // Generating OpenAPI from the model takes seconds on a cold JVM; do it now, not on kubectl's first create.
        Thread warm = new Thread(io.dualstack.apiserver.openapi.OpenApi::served, "openapi-warmup");
        warm.setDaemon(true);
        warm.start();
        client = Clients.forServer(api.url(), api.pki().caPem(), api.token());

        startComponent(new ControllerManager(client, plan));
        startComponent(new NodeAgents(client, plan));
        dns = startDns();
        started.add(dns);
        ClusterHome.writeAtomically(home.dnsPortFile(), dns.addresses().get(0).getPort() + "\n");

        ClusterHome.writeAtomically(home.kubeconfig(), api.kubeconfig(home.contextName()));
        ObjectNode ep = JsonNodeFactory.instance.objectNode();
        ep.put("apiServer", api.url());
        ep.put("apiServerIpv6", api.urlIpv6());
        var dnsArr = ep.putArray("dns");
        dnsAddresses().forEach(dnsArr::add);
        home.writeEndpoints(ep);
    }

    private ApiServer startApiServer() throws Exception {
        int port = requestedPort != 0 ? requestedPort : home.readPort(home.apiPortFile()).orElse(0);
        try {
            return apiServer(port);
        } catch (Exception e) {
            if (requestedPort != 0 || port == 0 || !portTaken(e)) {
                throw e;
            }
            LOG.warn("persisted API port {} is not usable ({}); picking a free port, the URL changes", port, e.getMessage());
            return apiServer(0);
        }
    }

    /** Whether starting failed because the port is in use (then a restart may move to another port). */
    static boolean portTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException
                    || (t.getMessage() != null && (t.getMessage().contains("cannot listen") || t.getMessage().contains("Address already in use")))) {
                return true;
            }
        }
        return false;
    }

    private ApiServer apiServer(int port) throws Exception {
        ApiServer s = new ApiServer(ApiServerConfig.of(home.stateDir(), plan, Stores::open).withPort(port));
        try {
            s.start();
            return s;
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    private DnsServer startDns() throws Exception {
        int port = home.readPort(home.dnsPortFile()).orElse(0);
        String domain = plan.clusterDomain() == null || plan.clusterDomain().isEmpty() ? "cluster.local" : plan.clusterDomain();
        DnsServer.Config cfg = DnsServer.Config.defaults(client).withDomain(domain);
        try {
            DnsServer d = new DnsServer(cfg.withListen(DnsServer.loopbacks(port)));
            d.start();
            return d;
        } catch (Exception e) {
            if (port == 0 || !portTaken(e)) {
                throw e;
            }
            LOG.warn("persisted DNS port {} is not usable ({}); picking a free port", port, e.getMessage());
            DnsServer d = new DnsServer(cfg.withListen(DnsServer.loopbacks(0)));
            d.start();
            return d;
        }
    }

    private void startComponent(Component c) throws Exception {
        c.start();
        started.add(c);
        LOG.info("{} started", c.name());
    }

    public ApiServer apiServer() {
        return api;
    }

    /** {@code 127.0.0.1:53053}, {@code [::1]:53053}. */
    public List<String> dnsAddresses() {
        List<String> out = new ArrayList<>();
        if (dns != null) {
            for (InetSocketAddress a : dns.addresses()) {
                String host = a.getAddress().getHostAddress();
                out.add(host.contains(":") ? "[" + (host.equals("0:0:0:0:0:0:0:1") ? "::1" : host) + "]:" + a.getPort()
                        : host + ":" + a.getPort());
            }
        }
        return out;
    }

    @Override
    public void close() {
        List<Component> reverse = new ArrayList<>(started);
        Collections.reverse(reverse);
        for (Component c : reverse) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", c.name(), e.toString());
            }
        }
        started.clear();
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
