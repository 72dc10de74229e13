package io.dualstack.dns;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link Zone} from Services, EndpointSlices, Pods and namespace names (fabric8 model
 * objects), following the Kubernetes DNS specification as CoreDNS's {@code kubernetes} plugin
 * implements it. A pure function: no I/O, the same input gives the same zone.
 */
public final class ZoneBuilder {

    /** The DNS schema version CoreDNS answers at {@code dns-version.<domain>} (TXT, TTL 28800). */
    public static final String DNS_SCHEMA_VERSION = "1.1.0";
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final ZoneConfig config;
    private final List<Service> services = new ArrayList<>();
    private final List<EndpointSlice> slices = new ArrayList<>();
    private final List<Pod> pods = new ArrayList<>();
    private final Set<String> namespaces = new HashSet<>();
    private long serial = System.currentTimeMillis() / 1000;

    public ZoneBuilder(ZoneConfig config) {
        this.config = Objects.requireNonNull(config);
    }

    public ZoneBuilder services(Collection<Service> s) {
        services.addAll(s);
        return this;
    }

    public ZoneBuilder endpointSlices(Collection<EndpointSlice> s) {
        slices.addAll(s);
        return this;
    }

    public ZoneBuilder pods(Collection<Pod> p) {
        pods.addAll(p);
        return this;
    }

    /** Namespaces that exist (those with a Service are added automatically). */
    public ZoneBuilder namespaces(Collection<String> n) {
        n.forEach(x -> namespaces.add(x.toLowerCase(Locale.ROOT)));
        return this;
    }

    public ZoneBuilder serial(long serial) {
        this.serial = serial;
        return this;
    }

    /** One ready endpoint address of a Service, with the name CoreDNS gives it. */
    record EndpointAddress(IPAddress ip, String hostname, List<PortSpec> ports) {
    }

    /** A port: {@code port == -1} is CoreDNS's sentinel for "no ports declared" (no SRV). */
    record PortSpec(String name, String protocol, int port) {
    }

    private final class NodeAcc {
        final LinkedHashSet<InetAddress> a = new LinkedHashSet<>();
        final LinkedHashSet<InetAddress> aaaa = new LinkedHashSet<>();
        final List<SrvEntry> srv = new ArrayList<>();
        final List<Record> txt = new ArrayList<>();
        Name cname;

        void address(IPAddress ip) {
            (ip.isIPv4() ? a : aaaa).add(ip.toInetAddress());
        }
    }

    private record SrvEntry(Name target, int port, IPAddress address) {
    }

    public Zone build() {
        Name domain = config.domain();
        long ttl = config.ttl();
        Map<String, NodeAcc> acc = new HashMap<>();
        Map<String, Name> names = new HashMap<>();
        Map<String, List<Name>> ptrFromServices = new LinkedHashMap<>();
        Map<String, LinkedHashSet<Name>> ptrFromEndpoints = new LinkedHashMap<>();

        Set<String> ns = new HashSet<>(namespaces);
        for (Service s : services) ns.add(lower(s.getMetadata().getNamespace()));

        // Names that always exist (NODATA rather than NXDOMAIN), as CoreDNS answers them.
        node(acc, names, name("svc", domain));
        node(acc, names, name("pod", domain));
        node(acc, names, name("dns", domain));
        node(acc, names, name("dns-version", domain)).txt.add(
                new TXTRecord(name("dns-version", domain), DClass.IN, 28800, DNS_SCHEMA_VERSION));
        for (String n : ns) {
            node(acc, names, name(n + ".svc", domain));
            if (config.pods() != PodsMode.DISABLED) node(acc, names, name(n + ".pod", domain));
        }

        Map<String, List<EndpointAddress>> endpointsByService = readyEndpoints();

        List<Service> sorted = new ArrayList<>(services);
        sorted.sort(Comparator.comparing((Service s) -> s.getMetadata().getNamespace())
                .thenComparing(s -> s.getMetadata().getName()));
        List<IPAddress> nsAddresses = new ArrayList<>();
        for (Service svc : sorted) {
            String namespace = lower(svc.getMetadata().getNamespace());
            String svcName = lower(svc.getMetadata().getName());
            Name base = name(svcName + "." + namespace + ".svc", domain);
            var spec = svc.getSpec();
            if (spec == null) continue;
            List<EndpointAddress> eps = endpointsByService.getOrDefault(namespace + "/" + svcName, List.of());

            if ("ExternalName".equals(spec.getType())) {
                String ext = spec.getExternalName();
                if (ext == null || ext.isEmpty() || parseIp(ext).isPresent()) continue;
                try {
                    node(acc, names, base).cname = ZoneConfig.absolute(ext);
                } catch (IllegalArgumentException e) {
                    // not a valid name: CoreDNS cannot answer it either
                }
                continue;
            }
            boolean headless = "None".equals(spec.getClusterIP());
            if (headless) {
                if (eps.isEmpty()) continue; // no ready endpoint: NXDOMAIN, as CoreDNS
                NodeAcc b = node(acc, names, base);
                for (EndpointAddress ep : eps) {
                    Name epName = name(ep.hostname(), base);
                    NodeAcc e = node(acc, names, epName);
                    b.address(ep.ip());
                    e.address(ep.ip());
                    for (PortSpec p : ep.ports()) {
                        SrvEntry entry = new SrvEntry(epName, p.port(), ep.ip());
                        b.srv.add(entry);
                        e.srv.add(entry);
                        if (!p.name().isEmpty() && p.port() >= 0) {
                            NodeAcc pn = node(acc, names, name("_" + p.name() + "._" + p.protocol(), base));
                            pn.address(ep.ip());
                            pn.srv.add(entry);
                        }
                    }
                    ptrFromEndpoints.computeIfAbsent(reverseKey(ep.ip()), k -> new LinkedHashSet<>()).add(epName);
                }
                continue;
            }
            List<IPAddress> clusterIps = clusterIps(svc);
            if (clusterIps.isEmpty()) continue;
            if ("kube-system".equals(namespace) && "kube-dns".equals(svcName)) nsAddresses.addAll(clusterIps);
            List<PortSpec> ports = new ArrayList<>();
            if (spec.getPorts() != null) {
                for (ServicePort p : spec.getPorts()) {
                    if (p.getPort() == null) continue;
                    ports.add(new PortSpec(lower(p.getName()), lower(p.getProtocol() == null ? "TCP" : p.getProtocol()),
                            p.getPort()));
                }
            }
            if (ports.isEmpty()) continue; // CoreDNS finds no (port, address) pair: NXDOMAIN
            NodeAcc b = node(acc, names, base);
            for (IPAddress ip : clusterIps) {
                b.address(ip);
                ptrFromServices.computeIfAbsent(reverseKey(ip), k -> new ArrayList<>()).add(base);
            }
            for (PortSpec p : ports) {
                NodeAcc pn = p.name().isEmpty() ? null : node(acc, names, name("_" + p.name() + "._" + p.protocol(), base));
                for (IPAddress ip : clusterIps) {
                    SrvEntry entry = new SrvEntry(base, p.port(), ip);
                    b.srv.add(entry);
                    if (pn != null) {
                        pn.address(ip);
                        pn.srv.add(entry);
                    }
                }
            }
            // Endpoint names of a ClusterIP Service answer too (CoreDNS's endpoint query).
            for (EndpointAddress ep : eps) {
                Name epName = name(ep.hostname(), base);
                NodeAcc e = node(acc, names, epName);
                e.address(ep.ip());
                for (PortSpec p : ep.ports()) e.srv.add(new SrvEntry(epName, p.port(), ep.ip()));
                ptrFromEndpoints.computeIfAbsent(reverseKey(ep.ip()), k -> new LinkedHashSet<>()).add(epName);
            }
        }

        // ns.dns.<domain>: the kube-dns Service's ClusterIPs, else the configured addresses.
        NodeAcc nsNode = node(acc, names, name("ns.dns", domain));
        if (nsAddresses.isEmpty()) {
            for (InetAddress a : config.nameservers()) nsNode.address(new IPAddressString(a.getHostAddress()).getAddress());
        } else {
            nsAddresses.forEach(nsNode::address);
        }

        Map<String, Zone.Node> nodes = new HashMap<>(acc.size() * 2);
        for (var e : acc.entrySet()) nodes.put(e.getKey(), freeze(names.get(e.getKey()), e.getValue(), ttl));

        Map<String, List<Name>> ptr = new HashMap<>();
        for (var e : ptrFromEndpoints.entrySet()) ptr.put(e.getKey(), List.copyOf(e.getValue()));
        // A ClusterIP names its (first) Service only; it wins over endpoint names.
        for (var e : ptrFromServices.entrySet()) ptr.put(e.getKey(), List.of(e.getValue().get(0)));

        Map<String, Set<String>> podIps = new HashMap<>();
        if (config.pods() == PodsMode.VERIFIED) {
            for (Pod p : pods) {
                if (p.getStatus() == null) continue;
                Set<String> ips = podIps.computeIfAbsent(lower(p.getMetadata().getNamespace()), k -> new HashSet<>());
                List<String> all = new ArrayList<>();
                if (p.getStatus().getPodIP() != null) all.add(p.getStatus().getPodIP());
                if (p.getStatus().getPodIPs() != null) {
                    for (PodIP ip : p.getStatus().getPodIPs()) all.add(ip.getIp());
                }
                for (String s : all) parseIp(s).ifPresent(ip -> ips.add(ip.toCanonicalString()));
            }
        }
        return new Zone(config, serial, Map.copyOf(nodes), Map.copyOf(ptr), Set.copyOf(ns), podIps);
    }

    private Zone.Node freeze(Name owner, NodeAcc n, long ttl) {
        List<Record> a = new ArrayList<>();
        for (InetAddress ip : n.a) a.add(Records.address(owner, ttl, ip));
        List<Record> aaaa = new ArrayList<>();
        for (InetAddress ip : n.aaaa) aaaa.add(Records.address(owner, ttl, ip));
        List<Record> srv = new ArrayList<>();
        List<Record> extra = new ArrayList<>();
        if (!n.srv.isEmpty()) {
            // CoreDNS: every (address, port) pair counts for the weight; equal records then merge.
            int weight = Math.max(1, (int) Math.floor(100.0 / (100.0 * n.srv.size()) * 100));
            Set<String> seenSrv = new HashSet<>();
            Set<String> seenAddr = new HashSet<>();
            for (SrvEntry e : n.srv) {
                if (e.port() < 0) continue;
                if (seenSrv.add(Zone.key(e.target()) + " " + e.port())) {
                    srv.add(new SRVRecord(owner, DClass.IN, ttl, 0, weight, e.port(), e.target()));
                }
                if (seenAddr.add(Zone.key(e.target()) + " " + e.address())) {
                    extra.add(Records.address(e.target(), ttl, e.address().toInetAddress()));
                }
            }
        }
        return new Zone.Node(List.copyOf(a), List.copyOf(aaaa), List.copyOf(srv), List.copyOf(extra),
                List.copyOf(n.txt), Optional.ofNullable(n.cname));
    }

    /** Ready endpoint addresses per "namespace/service", merged over that Service's slices. */
    private Map<String, List<EndpointAddress>> readyEndpoints() {
        Map<String, Map<String, EndpointAddress>> out = new HashMap<>();
        List<EndpointSlice> sorted = new ArrayList<>(slices);
        sorted.sort(Comparator.comparing((EndpointSlice s) -> s.getMetadata().getNamespace())
                .thenComparing(s -> s.getMetadata().getName()));
        for (EndpointSlice slice : sorted) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (svc == null || slice.getEndpoints() == null) continue;
            if (!"IPv4".equals(slice.getAddressType()) && !"IPv6".equals(slice.getAddressType())) continue;
            List<PortSpec> ports = new ArrayList<>();
            if (slice.getPorts() != null) {
                for (EndpointPort p : slice.getPorts()) {
                    if (p.getPort() == null) continue;
                    ports.add(new PortSpec(lower(p.getName()), lower(p.getProtocol() == null ? "TCP" : p.getProtocol()),
                            p.getPort()));
                }
            }
            if (ports.isEmpty()) ports.add(new PortSpec("", "", -1));
            Map<String, EndpointAddress> byIp = out.computeIfAbsent(
                    lower(slice.getMetadata().getNamespace()) + "/" + lower(svc), k -> new LinkedHashMap<>());
            for (Endpoint ep : slice.getEndpoints()) {
                // CoreDNS: an endpoint is served unless conditions.ready is explicitly false.
                if (ep.getConditions() != null && Boolean.FALSE.equals(ep.getConditions().getReady())) continue;
                if (ep.getAddresses() == null) continue;
                for (String addr : ep.getAddresses()) {
                    Optional<IPAddress> ip = parseIp(addr);
                    if (ip.isEmpty()) continue;
                    String hostname = ep.getHostname() != null && !ep.getHostname().isEmpty()
                            ? lower(ep.getHostname()) : dashed(ip.get());
                    EndpointAddress prev = byIp.get(ip.get().toCanonicalString() + " " + hostname);
                    List<PortSpec> merged = new ArrayList<>(prev == null ? List.of() : prev.ports());
                    for (PortSpec p : ports) if (!merged.contains(p)) merged.add(p);
                    byIp.put(ip.get().toCanonicalString() + " " + hostname, new EndpointAddress(ip.get(), hostname, merged));
                }
            }
        }
        Map<String, List<EndpointAddress>> result = new HashMap<>();
        out.forEach((k, v) -> result.put(k, List.copyOf(v.values())));
        return result;
    }

    /** The endpoint name CoreDNS uses when there is no hostname: the address with dashes. */
    static String dashed(IPAddress ip) {
        return ip.toCanonicalString().replace('.', '-').replace(':', '-');
    }

    static List<IPAddress> clusterIps(Service svc) {
        List<String> raw = new ArrayList<>();
        if (svc.getSpec().getClusterIPs() != null && !svc.getSpec().getClusterIPs().isEmpty()) {
            raw.addAll(svc.getSpec().getClusterIPs());
        } else if (svc.getSpec().getClusterIP() != null) {
            raw.add(svc.getSpec().getClusterIP());
        }
        List<IPAddress> out = new ArrayList<>();
        for (String r : raw) parseIp(r).ifPresent(out::add);
        return out;
    }

    static Optional<IPAddress> parseIp(String s) {
        if (s == null || s.isEmpty() || "None".equals(s)) return Optional.empty();
        IPAddressString str = new IPAddressString(s);
        IPAddress a = str.getAddress();
        if (a == null || !str.isIPAddress() || a.isPrefixed() || a.isMultiple()) return Optional.empty();
        return Optional.of(a.withoutPrefixLength());
    }

    static String reverseKey(IPAddress ip) {
        return Zone.key(ReverseMap.fromAddress(ip.toInetAddress()));
    }

    private NodeAcc node(Map<String, NodeAcc> acc, Map<String, Name> names, Name n) {
        String k = Zone.key(n);
        names.putIfAbsent(k, n);
        return acc.computeIfAbsent(k, x -> new NodeAcc());
    }

    private static Name name(String relative, Name origin) {
        return ZoneConfig.absolute(relative + "." + origin);
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
