package io.dualstack.dns;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.xbill.DNS.Type;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CoreDNS {@code prometheus} plugin's DNS metrics, same names and labels, in a registry of
 * this server's own, plus {@code dualstack_dns_answers_total} which tells NODATA from NXDOMAIN
 * per query type (no CoreDNS metric does).
 */
public final class DnsMetrics {

    /** CoreDNS's {@code plugin.TimeBuckets}: 0.25 ms doubling to about 8 s. */
    static final double[] TIME_BUCKETS = exponential(0.00025, 2, 16);
    static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3};
    /** Query types CoreDNS reports by name; all others are "other". */
    static final Set<Integer> MONITORED = Set.of(Type.A, Type.AAAA, Type.CNAME, Type.DNSKEY, Type.DS, Type.MX,
            Type.NSEC3, Type.NSEC, Type.NS, Type.PTR, Type.RRSIG, Type.SOA, Type.SRV, Type.TXT, Type.IXFR,
            Type.AXFR, Type.ANY, Type.HTTPS);
    /** The zone label CoreDNS uses for queries that match no zone. */
    public static final String DROPPED = "dropped";
    static final String VIEW = "";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final Histogram requestSize;
    private final Histogram responseSize;
    private final Counter responses;
    private final Counter doRequests;
    private final Counter panics;
    private final Counter answers;
    private final Gauge pluginEnabled;
    private final ConcurrentHashMap<String, Object> points = new ConcurrentHashMap<>();

    public DnsMetrics() {
        requests = Counter.builder().name("coredns_dns_requests_total")
                .help("Counter of DNS requests made per zone, protocol and family.")
                .labelNames("server", "zone", "view", "proto", "family", "type").withoutExemplars().register(registry);
        duration = Histogram.builder().name("coredns_dns_request_duration_seconds")
                .help("Histogram of the time (in seconds) each request took per zone.")
                .classicOnly().classicUpperBounds(TIME_BUCKETS)
                .labelNames("server", "zone", "view", "type").withoutExemplars().register(registry);
        requestSize = Histogram.builder().name("coredns_dns_request_size_bytes")
                .help("Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.")
                .classicOnly().classicUpperBounds(SIZE_BUCKETS)
                .labelNames("server", "zone", "view", "proto").withoutExemplars().register(registry);
        responseSize = Histogram.builder().name("coredns_dns_response_size_bytes")
                .help("Size of the returned response in bytes.")
                .classicOnly().classicUpperBounds(SIZE_BUCKETS)
                .labelNames("server", "zone", "view", "proto").withoutExemplars().register(registry);
        responses = Counter.builder().name("coredns_dns_responses_total")
                .help("Counter of response status codes.")
                .labelNames("server", "zone", "view", "rcode", "plugin").withoutExemplars().register(registry);
        doRequests = Counter.builder().name("coredns_dns_do_requests_total")
                .help("Counter of DNS requests with DO bit set per zone.")
                .labelNames("server", "view", "zone").withoutExemplars().register(registry);
        panics = Counter.builder().name("coredns_panics_total")
                .help("A metrics that counts the number of panics.").withoutExemplars().register(registry);
        pluginEnabled = Gauge.builder().name("coredns_plugin_enabled")
                .help("A metric that indicates whether a plugin is enabled on per server and zone basis.")
                .labelNames("server", "zone", "view", "name").register(registry);
        answers = Counter.builder().name("dualstack_dns_answers_total")
                .help("Answers by zone, query type and kind (answer, nodata, nxdomain, refused, other): "
                        + "NODATA is NOERROR with an empty answer, e.g. AAAA for an IPv4-only Service.")
                .labelNames("zone", "type", "result").withoutExemplars().register(registry);
    }

    /** The {@code type} label value for a query type. */
    static String typeLabel(int qtype) {
        return MONITORED.contains(qtype) ? Type.string(qtype) : "other";
    }

    void pluginEnabled(String server, String zone) {
        pluginEnabled.labelValues(server, zone, VIEW, "kubernetes").set(1);
    }

    /**
     * Records one answered request.
     *
     * @param family 1 for IPv4, 2 for IPv6 (CoreDNS's spelling)
     * @param reqSize request size as CoreDNS reports it: the request's length in bytes
     */
    void report(String server, String zone, String proto, String family, String type, String rcode, String plugin,
                boolean dnssecOk, int reqSize, int respSize, long nanos, String kind) {
        counter("q|" + server + "|" + zone + "|" + proto + "|" + family + "|" + type,
                () -> requests.labelValues(server, zone, VIEW, proto, family, type)).inc();
        distribution("d|" + server + "|" + zone + "|" + type,
                () -> duration.labelValues(server, zone, VIEW, type)).observe(nanos / 1e9);
        distribution("rq|" + server + "|" + zone + "|" + proto,
                () -> requestSize.labelValues(server, zone, VIEW, proto)).observe(reqSize);
        distribution("rs|" + server + "|" + zone + "|" + proto,
                () -> responseSize.labelValues(server, zone, VIEW, proto)).observe(respSize);
        counter("r|" + server + "|" + zone + "|" + rcode + "|" + plugin,
                () -> responses.labelValues(server, zone, VIEW, rcode, plugin)).inc();
        if (dnssecOk) counter("do|" + server + "|" + zone, () -> doRequests.labelValues(server, VIEW, zone)).inc();
        counter("a|" + zone + "|" + type + "|" + kind, () -> answers.labelValues(zone, type, kind)).inc();
    }

    /** The data points one kind of answer on one listener touches, looked up once and then reused. */
    static final class Handles {
        final CounterDataPoint requests;
        final DistributionDataPoint duration;
        final DistributionDataPoint requestSize;
        final DistributionDataPoint responseSize;
        final CounterDataPoint responses;
        final CounterDataPoint dnssecOk;
        final CounterDataPoint answers;

        private Handles(DnsMetrics m, String server, String zone, String proto, String family, String type,
                        String rcode, String plugin, String kind) {
            requests = m.counter("q|" + server + "|" + zone + "|" + proto + "|" + family + "|" + type,
                    () -> m.requests.labelValues(server, zone, VIEW, proto, family, type));
            duration = m.distribution("d|" + server + "|" + zone + "|" + type,
                    () -> m.duration.labelValues(server, zone, VIEW, type));
            requestSize = m.distribution("rq|" + server + "|" + zone + "|" + proto,
                    () -> m.requestSize.labelValues(server, zone, VIEW, proto));
            responseSize = m.distribution("rs|" + server + "|" + zone + "|" + proto,
                    () -> m.responseSize.labelValues(server, zone, VIEW, proto));
            responses = m.counter("r|" + server + "|" + zone + "|" + rcode + "|" + plugin,
                    () -> m.responses.labelValues(server, zone, VIEW, rcode, plugin));
            dnssecOk = m.counter("do|" + server + "|" + zone, () -> m.doRequests.labelValues(server, VIEW, zone));
            answers = m.counter("a|" + zone + "|" + type + "|" + kind, () -> m.answers.labelValues(zone, type, kind));
        }
    }

    Handles handles(String server, String zone, String proto, String family, String type, String rcode, String plugin,
                    String kind) {
        return new Handles(this, server, zone, proto, family, type, rcode, plugin, kind);
    }

    void report(Handles h, boolean dnssecOk, int reqSize, int respSize, long nanos) {
        h.requests.inc();
        h.duration.observe(nanos / 1e9);
        h.requestSize.observe(reqSize);
        h.responseSize.observe(respSize);
        h.responses.inc();
        if (dnssecOk) h.dnssecOk.inc();
        h.answers.inc();
    }

    void panic() {
        panics.inc();
    }

    private CounterDataPoint counter(String key, java.util.function.Supplier<CounterDataPoint> f) {
        return (CounterDataPoint) points.computeIfAbsent(key, k -> f.get());
    }

    private DistributionDataPoint distribution(String key, java.util.function.Supplier<DistributionDataPoint> f) {
        return (DistributionDataPoint) points.computeIfAbsent(key, k -> f.get());
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4) of every metric. */
    public String scrape() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape(),
                    io.prometheus.metrics.config.EscapingScheme.ALLOW_UTF8);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] exponential(double start, double factor, int count) {
        double[] b = new double[count];
        for (int i = 0; i < count; i++) b[i] = start * Math.pow(factor, i);
        return b;
    }
}
