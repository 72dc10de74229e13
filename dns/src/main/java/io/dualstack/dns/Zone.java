package io.dualstack.dns;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of the cluster zone: a pure function from (qname, qtype) to an
 * {@link Answer}, following CoreDNS's {@code kubernetes} plugin. Built by {@link ZoneBuilder}.
 */
public final class Zone {

    /** The records one name owns, with canonical (lower-case) owner names. */
    record Node(List<Record> a, List<Record> aaaa, List<Record> srv, List<Record> srvExtra,
                List<Record> txt, Optional<Name> cname) {
        static final Node EMPTY = new Node(List.of(), List.of(), List.of(), List.of(), List.of(), Optional.empty());
    }

    private static final int MAX_CNAME_CHAIN = 8;
    private static final IPAddressStringParameters IPV6_LITERAL = new IPAddressStringParameters.Builder()
            .allowEmpty(false).allowSingleSegment(false).allowPrefix(false).allowMask(false)
            .allowIPv4(false).allowWildcardedSeparator(false).allowAll(false).toParams();

    private final ZoneConfig config;
    private final long serial;
    private final Map<Name, Node> nodes;
    private final Map<Name, Map<Name, Node>> services;
    private final int serviceLabels;
    private final Map<Name, List<Name>> ptr;
    private final Set<String> namespaces;
    private final Map<String, Set<String>> podIps;
    private final List<Name> zones;
    private final Name podSuffix;
    private final Name nsName;

    /**
     * @param nodes    names outside any Service ({@code svc.DOMAIN}, namespaces, {@code ns.dns}, ...)
     * @param services per Service name ({@code svc.ns.svc.DOMAIN}) the names at and under it
     */
    Zone(ZoneConfig config, long serial, Map<Name, Node> nodes, Map<Name, Map<Name, Node>> services,
         Map<Name, List<Name>> ptr, Set<String> namespaces, Map<String, Set<String>> podIps) {
        this.config = config;
        this.serial = serial;
        this.nodes = nodes;
        this.services = services;
        this.serviceLabels = config.domain().labels() + 3;
        this.ptr = ptr;
        this.namespaces = namespaces;
        this.podIps = podIps;
        List<Name> z = new ArrayList<>();
        z.add(config.domain());
        z.addAll(config.reverseZones());
        z.sort(Comparator.comparingInt(Name::labels).reversed());
        this.zones = List.copyOf(z);
        this.podSuffix = ZoneConfig.absolute("pod." + config.domain());
        this.nsName = ZoneConfig.absolute("ns.dns." + config.domain());
    }

    public ZoneConfig config() {
        return config;
    }

    /** The SOA serial: when the snapshot's data last changed, in Unix seconds (as CoreDNS). */
    public long serial() {
        return serial;
    }

    /** Number of names with records (for logs and benchmarks). */
    public int size() {
        return nodes.size() + services.values().stream().mapToInt(Map::size).sum() + ptr.size();
    }

    /**
     * Every record the zone serves (SOA and NS of each zone first, then names in sorted order),
     * as a zone transfer would list them; pod records of {@code pods insecure} are not listed
     * (they exist for every address), as CoreDNS does not transfer them either.
     */
    public List<Record> records() {
        List<Record> out = new ArrayList<>();
        for (Name z : List.copyOf(zonesInConfigOrder())) {
            out.add(soa(z));
            out.add(new NSRecord(z, DClass.IN, config.ttl(), ZoneConfig.absolute("ns.dns." + z)));
        }
        java.util.TreeMap<Name, Node> all = new java.util.TreeMap<>(nodes);
        services.values().forEach(all::putAll);
        for (Name k : all.keySet()) {
            Node n = all.get(k);
            if (n.cname().isPresent()) out.add(new CNAMERecord(k, DClass.IN, config.ttl(), n.cname().get()));
            out.addAll(n.a());
            out.addAll(n.aaaa());
            out.addAll(n.srv());
            out.addAll(n.txt());
        }
        for (Name k : new java.util.TreeSet<>(ptr.keySet())) {
            for (Name t : ptr.get(k)) out.add(new PTRRecord(k, DClass.IN, config.ttl(), t));
        }
        return out;
    }

    private List<Name> zonesInConfigOrder() {
        List<Name> z = new ArrayList<>();
        z.add(config.domain());
        z.addAll(config.reverseZones());
        return z;
    }

    /** The served zone {@code qname} falls in (longest match), if any. */
    public Optional<Name> zoneOf(Name qname) {
        for (Name z : zones) if (qname.subdomain(z)) return Optional.of(z);
        return Optional.empty();
    }

    /** Answers one question. Class is assumed IN (the server refuses other classes). */
    public Answer answer(Name qname, int qtype) {
        Optional<Name> matched = zoneOf(qname);
        if (matched.isEmpty()) return Answer.refused();
        Name zone = matched.get();
        if (qtype == Type.AXFR || qtype == Type.IXFR) {
            return new Answer(Rcode.REFUSED, List.of(), List.of(), List.of(), matched);
        }
        // The zone suffix keeps the question's case, as CoreDNS does.
        Name casedZone = new Name(qname, qname.labels() - zone.labels());
        if (qname.labels() == zone.labels()) return apex(qname, qtype, zone, casedZone);
        if (!zone.equals(config.domain())) return reverse(qname, qtype, zone, casedZone);

        if (qname.labels() == podSuffix.labels() + 2 && qname.subdomain(podSuffix)) {
            return pod(qname, qtype, zone, casedZone);
        }
        Node node = node(qname);
        if (node == null) return nxdomain(zone, casedZone);
        List<Record> answer = new ArrayList<>();
        List<Record> extra = new ArrayList<>();
        if (node.cname().isPresent()) {
            if (qtype == Type.CNAME || qtype == Type.A || qtype == Type.AAAA || qtype == Type.TXT) {
                chase(qname, qtype, node, answer, 0);
            }
        } else {
            switch (qtype) {
                case Type.A -> rename(node.a(), qname, answer);
                case Type.AAAA -> rename(node.aaaa(), qname, answer);
                case Type.TXT -> rename(node.txt(), qname, answer);
                case Type.SRV -> {
                    rename(node.srv(), qname, answer);
                    extra.addAll(node.srvExtra());
                }
                default -> { }
            }
        }
        if (answer.isEmpty()) return nodata(zone, casedZone);
        return new Answer(Rcode.NOERROR, answer, List.of(), extra, matched);
    }

    /** The node of {@code name}: Service names are looked up under their Service only. */
    private Node node(Name name) {
        if (name.labels() >= serviceLabels) {
            Map<Name, Node> svc = services.get(new Name(name, name.labels() - serviceLabels));
            return svc == null ? null : svc.get(name);
        }
        return nodes.get(name);
    }

    private void chase(Name owner, int qtype, Node node, List<Record> answer, int depth) {
        Name target = node.cname().orElseThrow();
        answer.add(new CNAMERecord(owner, DClass.IN, config.ttl(), target));
        if (qtype == Type.CNAME || depth >= MAX_CNAME_CHAIN || !target.subdomain(config.domain())) return;
        Node next = node(target);
        if (next == null) return;
        if (next.cname().isPresent()) {
            chase(target, qtype, next, answer, depth + 1);
            return;
        }
        List<Record> rs = qtype == Type.A ? next.a() : qtype == Type.AAAA ? next.aaaa() : next.txt();
        answer.addAll(rs);
    }

    private Answer apex(Name qname, int qtype, Name zone, Name casedZone) {
        List<Record> answer = new ArrayList<>();
        List<Record> extra = new ArrayList<>();
        if (qtype == Type.SOA) {
            answer.add(soa(casedZone));
        } else if (qtype == Type.NS) {
            Name ns = ZoneConfig.absolute("ns.dns." + casedZone);
            answer.add(new NSRecord(casedZone, DClass.IN, config.ttl(), ns));
            Node nsNode = nodes.getOrDefault(nsName, Node.EMPTY);
            if (zone.equals(config.domain())) {
                extra.addAll(nsNode.a());
                extra.addAll(nsNode.aaaa());
            }
        }
        if (answer.isEmpty()) return nodata(zone, casedZone);
        return new Answer(Rcode.NOERROR, answer, List.of(), extra, Optional.of(zone));
    }

    private Answer reverse(Name qname, int qtype, Name zone, Name casedZone) {
        List<Name> targets = ptr.get(qname);
        // CoreDNS answers every other type on a reverse name, and unknown addresses, with NXDOMAIN.
        if (targets == null || qtype != Type.PTR) return nxdomain(zone, casedZone);
        List<Record> answer = new ArrayList<>(targets.size());
        for (Name t : targets) answer.add(new PTRRecord(qname, DClass.IN, config.ttl(), t));
        return new Answer(Rcode.NOERROR, answer, List.of(), List.of(), Optional.of(zone));
    }

    private Answer pod(Name qname, int qtype, Name zone, Name casedZone) {
        String namespace = label(qname, 1);
        if (config.pods() == PodsMode.DISABLED || !namespaces.contains(namespace)) {
            return nxdomain(zone, casedZone);
        }
        Optional<IPAddress> ip = podAddress(label(qname, 0));
        if (ip.isEmpty()) return nxdomain(zone, casedZone);
        if (config.pods() == PodsMode.VERIFIED
                && !podIps.getOrDefault(namespace, Set.of()).contains(ip.get().toCanonicalString())) {
            return nxdomain(zone, casedZone);
        }
        InetAddress inet = ip.get().toInetAddress();
        List<Record> answer = new ArrayList<>();
        if (qtype == Type.A && ip.get().isIPv4()) answer.add(Records.address(qname, config.ttl(), inet));
        if (qtype == Type.AAAA && ip.get().isIPv6()) answer.add(Records.address(qname, config.ttl(), inet));
        if (answer.isEmpty()) return nodata(zone, casedZone);
        return new Answer(Rcode.NOERROR, answer, List.of(), List.of(), Optional.of(zone));
    }

    /**
     * The address a pod label spells: {@code 10-244-1-5} (exactly three dashes, none doubled) is
     * IPv4; anything else is read as IPv6 with dashes for colons ({@code fd00-10-244--5}).
     */
    static Optional<IPAddress> podAddress(String label) {
        long dashes = label.chars().filter(c -> c == '-').count();
        if (dashes == 3 && !label.contains("--")) {
            String[] parts = label.split("-", -1);
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) return Optional.empty();
                if (p.length() > 1 && p.charAt(0) == '0') return Optional.empty();
                if (Integer.parseInt(p) > 255) return Optional.empty();
            }
            return Optional.ofNullable(new IPAddressString(String.join(".", parts)).getAddress());
        }
        String literal = label.replace('-', ':');
        if (literal.indexOf('%') >= 0 || literal.indexOf('/') >= 0) return Optional.empty();
        IPAddress a = new IPAddressString(literal, IPV6_LITERAL).getAddress();
        return a != null && a.isIPv6() ? Optional.of(a) : Optional.empty();
    }

    private Answer nxdomain(Name zone, Name casedZone) {
        return new Answer(Rcode.NXDOMAIN, List.of(), List.of(soa(casedZone)), List.of(), Optional.of(zone));
    }

    private Answer nodata(Name zone, Name casedZone) {
        return new Answer(Rcode.NOERROR, List.of(), List.of(soa(casedZone)), List.of(), Optional.of(zone));
    }

    /** CoreDNS's SOA: ns.dns.ZONE, hostmaster.ZONE, refresh 7200, retry 1800, expire 86400, minimum TTL. */
    SOARecord soa(Name zone) {
        long ttl = Math.min(config.ttl(), 300);
        return new SOARecord(zone, DClass.IN, ttl, ZoneConfig.absolute("ns.dns." + zone),
                ZoneConfig.absolute("hostmaster." + zone), serial & 0xFFFFFFFFL, 7200, 1800, 86400, config.ttl());
    }

    private static void rename(List<Record> records, Name owner, List<Record> out) {
        for (Record r : records) out.add(r.withName(owner));
    }

    private static String label(Name name, int i) {
        return name.getLabelString(i).toLowerCase(java.util.Locale.ROOT);
    }

    static String key(Name name) {
        return name.toString().toLowerCase(java.util.Locale.ROOT);
    }
}
