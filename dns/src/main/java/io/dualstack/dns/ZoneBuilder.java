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
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;

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
 * implements it. A pure function: the same input gives the same zone. Each Service's records
 * are computed as one fragment; a {@link FragmentCache} passed in reuses the fragments of
 * Services whose objects (and EndpointSlice objects) are the very same as in the last build, so
 * an update rebuilds only what changed.
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
    private FragmentCache cache = new FragmentCache();

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

    /** Reuse (and refresh) per-Service fragments across builds; must be used with one config only. */
    public ZoneBuilder cache(FragmentCache c) {
        this.cache = Objects.requireNonNull(c);
        return this;
    }

    /**
     * Per-Service fragments of the previous build, keyed by namespace/name and valid while the
     * Service object and its EndpointSlice objects are identical (informer caches replace
     * objects on every change, so identity means unchanged).
     */
    public static final class FragmentCache {
        private Map<String, Cached> entries = new HashMap<>();

        private record Cached(Service service, List<EndpointSlice> slices, Fragment fragment) {
            boolean matches(Service s, List<EndpointSlice> sl) {
                if (service != s || slices.size() != sl.size()) return false;
                for (int i = 0; i < sl.size(); i++) if (slices.get(i) != sl.get(i)) return false;
                return true;
            }
        }

        public int size() {
            return entries.size();
        }
    }

    /** One ready endpoint address of a Service, with the name CoreDNS gives it. */
    record EndpointAddress(IPAddress ip, InetAddress inet, String hostname, List<PortSpec> ports) {
    }

    /** A port: {@code port == -1} is CoreDNS's sentinel for "no ports declared" (no SRV). */
    record PortSpec(String name, String protocol, int port) {
    }

    /** The records one Service contributes. Names are all under the Service's own name. */
    record Fragment(Optional<Name> base, Map<Name, Zone.Node> nodes, Map<Name, List<Name>> servicePtr,
                    Map<Name, List<Name>> endpointPtr, List<IPAddress> clusterIps) {
        static final Fragment EMPTY = new Fragment(Optional.empty(), Map.of(), Map.of(), Map.of(), List.of());
    }

    private static final class NodeAcc {
        final Name owner;
        final LinkedHashSet<InetAddress> a = new LinkedHashSet<>();
        final LinkedHashSet<InetAddress> aaaa = new LinkedHashSet<>();
        final List<SrvEntry> srv = new ArrayList<>();
        final List<Record> txt = new ArrayList<>();
        Name cname;

        NodeAcc(Name owner) {
            this.owner = owner;
        }

        void address(InetAddress ip) {
            (ip instanceof java.net.Inet4Address ? a : aaaa).add(ip);
        }
    }

    private record SrvEntry(Name target, int port, InetAddress address) {
    }

    public Zone build() {
        Name domain = config.domain();
        long ttl = config.ttl();

        Set<String> ns = new HashSet<>(namespaces);
        for (Service s : services) ns.add(s.getMetadata().getNamespace());

        // Names that always exist (NODATA rather than NXDOMAIN), as CoreDNS answers them.
        Map<Name, NodeAcc> fixed = new LinkedHashMap<>();
        node(fixed, name("svc", domain));
        node(fixed, name("pod", domain));
        node(fixed, name("dns", domain));
        node(fixed, name("dns-version", domain)).txt.add(
                new TXTRecord(name("dns-version", domain), DClass.IN, 28800, DNS_SCHEMA_VERSION));
        for (String n : ns) {
            node(fixed, name(n + ".svc", domain));
            if (config.pods() != PodsMode.DISABLED) node(fixed, name(n + ".pod", domain));
        }

        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        List<EndpointSlice> sortedSlices = new ArrayList<>(slices);
        sortedSlices.sort(Comparator.comparing((EndpointSlice s) -> s.getMetadata().getNamespace())
                .thenComparing(s -> s.getMetadata().getName()));
        for (EndpointSlice slice : sortedSlices) {
            Map<String, String> labels = slice.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (svc == null) continue;
            slicesByService.computeIfAbsent(slice.getMetadata().getNamespace() + "/" + svc,
                    k -> new ArrayList<>()).add(slice);
        }

        List<Service> sorted = new ArrayList<>(services);
        sorted.sort(Comparator.comparing((Service s) -> s.getMetadata().getNamespace())
                .thenComparing(s -> s.getMetadata().getName()));
        Map<String, FragmentCache.Cached> nextCache = new HashMap<>(sorted.size() * 2);
        List<Fragment> fragments = new ArrayList<>(sorted.size());
        for (Service svc : sorted) {
            String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
            List<EndpointSlice> own = slicesByService.getOrDefault(key, List.of());
            FragmentCache.Cached c = cache.entries.get(key);
            Fragment f;
            if (c != null && c.matches(svc, own)) {
                f = c.fragment();
            } else {
                f = fragment(svc, readyEndpoints(own), domain, ttl);
            }
            nextCache.put(key, new FragmentCache.Cached(svc, own, f));
            fragments.add(f);
        }
        cache.entries = nextCache;

        Map<Name, Zone.Node> nodes = new HashMap<>(fixed.size() * 2 + 2);
        for (var e : fixed.entrySet()) nodes.put(e.getKey(), freeze(e.getValue(), ttl));
        Map<Name, Map<Name, Zone.Node>> byService = new HashMap<>(fragments.size() * 2);
        // A ClusterIP names its first Service only (services are in namespace/name order), and
        // wins over endpoint names; endpoint names of one address are merged over Services.
        Map<Name, List<Name>> ptr = new HashMap<>(fragments.size() * 4);
        Map<Name, List<Name>> endpointPtr = new HashMap<>();
        List<IPAddress> nsAddresses = new ArrayList<>();
        for (int i = 0; i < fragments.size(); i++) {
            Fragment f = fragments.get(i);
            if (f.base().isPresent() && !f.nodes().isEmpty()) byService.put(f.base().get(), f.nodes());
            for (var e : f.servicePtr().entrySet()) ptr.putIfAbsent(e.getKey(), e.getValue());
            for (var e : f.endpointPtr().entrySet()) {
                endpointPtr.merge(e.getKey(), e.getValue(), (x, y) -> {
                    List<Name> m = new ArrayList<>(x);
                    for (Name n : y) if (!m.contains(n)) m.add(n);
                    return m;
                });
            }
            Service s = sorted.get(i);
            if ("kube-system".equals(s.getMetadata().getNamespace()) && "kube-dns".equals(s.getMetadata().getName())) {
                nsAddresses.addAll(f.clusterIps());
            }
        }
        for (var e : endpointPtr.entrySet()) ptr.putIfAbsent(e.getKey(), e.getValue());

        // ns.dns.<domain>: the kube-dns Service's ClusterIPs, else the configured addresses.
        NodeAcc nsNode = new NodeAcc(name("ns.dns", domain));
        if (nsAddresses.isEmpty()) {
            config.nameservers().forEach(nsNode::address);
        } else {
            nsAddresses.forEach(ip -> nsNode.address(ip.toInetAddress()));
        }
        nodes.put(nsNode.owner, freeze(nsNode, ttl));

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
        return new Zone(config, serial, nodes, byService, ptr, Set.copyOf(ns), podIps);
    }

    /** The records of one Service (with its ready endpoints). */
    private Fragment fragment(Service svc, List<EndpointAddress> eps, Name domain, long ttl) {
        var spec = svc.getSpec();
        if (spec == null) return Fragment.EMPTY;
        String namespace = lower(svc.getMetadata().getNamespace());
        String svcName = lower(svc.getMetadata().getName());
        Name base;
        try {
            base = name(svcName + "." + namespace + ".svc", domain);
        } catch (IllegalArgumentException e) {
            return Fragment.EMPTY;
        }
        Map<Name, NodeAcc> acc = new LinkedHashMap<>();
        Map<Name, List<Name>> servicePtr = new LinkedHashMap<>();
        Map<Name, List<Name>> endpointPtr = new LinkedHashMap<>();

        if ("ExternalName".equals(spec.getType())) {
            String ext = spec.getExternalName();
            if (ext == null || ext.isEmpty() || parseIp(ext).isPresent()) return Fragment.EMPTY;
            try {
                node(acc, base).cname = ZoneConfig.absolute(ext);
            } catch (IllegalArgumentException e) {
                return Fragment.EMPTY; // not a valid name: CoreDNS cannot answer it either
            }
            return freezeAll(base, acc, servicePtr, endpointPtr, List.of(), ttl);
        }
        boolean headless = "None".equals(spec.getClusterIP());
        if (headless) {
            if (eps.isEmpty()) return Fragment.EMPTY; // no ready endpoint: NXDOMAIN, as CoreDNS
            NodeAcc b = node(acc, base);
            Map<String, NodeAcc> portNodes = new HashMap<>();
            for (EndpointAddress ep : eps) {
                Name epName = child(ep.hostname(), base);
                if (epName == null) continue;
                NodeAcc e = node(acc, epName);
                b.address(ep.inet());
                e.address(ep.inet());
                for (PortSpec p : ep.ports()) {
                    SrvEntry entry = new SrvEntry(epName, p.port(), ep.inet());
                    b.srv.add(entry);
                    e.srv.add(entry);
                    if (!p.name().isEmpty() && p.port() >= 0) {
                        NodeAcc pn = portNodes.computeIfAbsent(p.name() + "/" + p.protocol(),
                                k -> portNode(acc, p, base));
                        if (pn == null) continue;
                        pn.address(ep.inet());
                        pn.srv.add(entry);
                    }
                }
                addPtr(endpointPtr, ep.inet(), epName);
            }
            return freezeAll(base, acc, servicePtr, endpointPtr, List.of(), ttl);
        }
        List<IPAddress> clusterIps = clusterIps(svc);
        if (clusterIps.isEmpty()) return Fragment.EMPTY;
        List<PortSpec> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                if (p.getPort() == null) continue;
                ports.add(new PortSpec(lower(p.getName()), lower(p.getProtocol() == null ? "TCP" : p.getProtocol()),
                        p.getPort()));
            }
        }
        if (ports.isEmpty()) return new Fragment(Optional.of(base), Map.of(), Map.of(), Map.of(), clusterIps); // NXDOMAIN
        List<InetAddress> inets = clusterIps.stream().map(IPAddress::toInetAddress).toList();
        NodeAcc b = node(acc, base);
        for (InetAddress ip : inets) {
            b.address(ip);
            servicePtr.putIfAbsent(ReverseMap.fromAddress(ip), List.of(base));
        }
        for (PortSpec p : ports) {
            NodeAcc pn = p.name().isEmpty() ? null : portNode(acc, p, base);
            for (InetAddress ip : inets) {
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
            Name epName = child(ep.hostname(), base);
            if (epName == null) continue;
            NodeAcc e = node(acc, epName);
            e.address(ep.inet());
            for (PortSpec p : ep.ports()) e.srv.add(new SrvEntry(epName, p.port(), ep.inet()));
            addPtr(endpointPtr, ep.inet(), epName);
        }
        return freezeAll(base, acc, servicePtr, endpointPtr, clusterIps, ttl);
    }

    private static NodeAcc portNode(Map<Name, NodeAcc> acc, PortSpec p, Name base) {
        Name n = child("_" + p.name() + "._" + p.protocol(), base);
        return n == null ? null : node(acc, n);
    }

    private static void addPtr(Map<Name, List<Name>> ptr, InetAddress ip, Name target) {
        List<Name> l = ptr.computeIfAbsent(ReverseMap.fromAddress(ip), k -> new ArrayList<>());
        if (!l.contains(target)) l.add(target);
    }

    private static Fragment freezeAll(Name base, Map<Name, NodeAcc> acc, Map<Name, List<Name>> servicePtr,
                                      Map<Name, List<Name>> endpointPtr, List<IPAddress> clusterIps, long ttl) {
        Map<Name, Zone.Node> nodes = new HashMap<>(acc.size() * 2);
        for (var e : acc.entrySet()) nodes.put(e.getKey(), freeze(e.getValue(), ttl));
        return new Fragment(Optional.of(base), nodes, servicePtr, endpointPtr, clusterIps);
    }

    private static Zone.Node freeze(NodeAcc n, long ttl) {
        Name owner = n.owner;
        List<Record> a = new ArrayList<>(n.a.size());
        for (InetAddress ip : n.a) a.add(Records.address(owner, ttl, ip));
        List<Record> aaaa = new ArrayList<>(n.aaaa.size());
        for (InetAddress ip : n.aaaa) aaaa.add(Records.address(owner, ttl, ip));
        List<Record> srv = new ArrayList<>();
        List<Record> extra = new ArrayList<>();
        if (!n.srv.isEmpty()) {
            // CoreDNS: every (address, port) pair counts for the weight; equal records then merge.
            int weight = Math.max(1, (int) Math.floor(100.0 / (100.0 * n.srv.size()) * 100));
            Set<Record> seenSrv = new HashSet<>();
            Set<Record> seenAddr = new HashSet<>();
            for (SrvEntry e : n.srv) {
                if (e.port() < 0) continue;
                Record s = new SRVRecord(owner, DClass.IN, ttl, 0, weight, e.port(), e.target());
                if (seenSrv.add(s)) srv.add(s);
                Record x = Records.address(e.target(), ttl, e.address());
                if (seenAddr.add(x)) extra.add(x);
            }
        }
        return new Zone.Node(List.copyOf(a), List.copyOf(aaaa), List.copyOf(srv), List.copyOf(extra),
                List.copyOf(n.txt), Optional.ofNullable(n.cname));
    }

    /** Ready endpoint addresses of one Service, merged over its slices. */
    private static List<EndpointAddress> readyEndpoints(List<EndpointSlice> own) {
        Map<String, EndpointAddress> byIp = new LinkedHashMap<>();
        for (EndpointSlice slice : own) {
            if (slice.getEndpoints() == null) continue;
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
            for (Endpoint ep : slice.getEndpoints()) {
                // CoreDNS: an endpoint is served unless conditions.ready is explicitly false.
                if (ep.getConditions() != null && Boolean.FALSE.equals(ep.getConditions().getReady())) continue;
                if (ep.getAddresses() == null) continue;
                for (String addr : ep.getAddresses()) {
                    Optional<IPAddress> ip = parseIp(addr);
                    if (ip.isEmpty()) continue;
                    String hostname = ep.getHostname() != null && !ep.getHostname().isEmpty()
                            ? lower(ep.getHostname()) : dashed(ip.get());
                    String k = ip.get().toCanonicalString() + " " + hostname;
                    EndpointAddress prev = byIp.get(k);
                    List<PortSpec> merged = new ArrayList<>(prev == null ? List.of() : prev.ports());
                    for (PortSpec p : ports) if (!merged.contains(p)) merged.add(p);
                    byIp.put(k, new EndpointAddress(ip.get(), ip.get().toInetAddress(), hostname, merged));
                }
            }
        }
        return List.copyOf(byIp.values());
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

    static Name reverseName(IPAddress ip) {
        return ReverseMap.fromAddress(ip.toInetAddress());
    }

    private static NodeAcc node(Map<Name, NodeAcc> acc, Name n) {
        return acc.computeIfAbsent(n, NodeAcc::new);
    }

    /** {@code label(s).origin}, or null when the labels are not a valid name under it. */
    private static Name child(String relative, Name origin) {
        try {
            return Name.concatenate(Name.fromString(relative), origin);
        } catch (TextParseException | NameTooLongException e) {
            return null;
        }
    }

    private static Name name(String relative, Name origin) {
        Name n = child(relative, origin);
        if (n == null) throw new IllegalArgumentException("not a valid name: " + relative + "." + origin);
        return n;
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
