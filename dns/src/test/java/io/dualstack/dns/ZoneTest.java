package io.dualstack.dns;

import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ZoneTest {

    private static final Zone ZONE = Fixtures.zone();

    static Answer ask(Zone zone, String qname, String qtype) {
        return zone.answer(ZoneConfig.absolute(qname).canonicalize(), Type.value(qtype));
    }

    static List<String> rdata(List<Record> records) {
        return records.stream().map(ZoneTest::show).sorted().toList();
    }

    /** TYPE RDATA, with IPv6 in canonical (compressed) form and TXT without quotes. */
    static String show(Record r) {
        String data = r instanceof org.xbill.DNS.AAAARecord aaaa
                ? new inet.ipaddr.IPAddressString(aaaa.getAddress().getHostAddress()).getAddress().toCanonicalString()
                : r.rdataToString().replace("\"", "");
        return Type.string(r.getType()) + " " + data;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        A for an IPv4-only Service                          | web4.default.svc.cluster.local | A    | ANSWER   | A 10.96.0.10
        AAAA for an IPv4-only Service is NODATA, not NXDOMAIN | web4.default.svc.cluster.local | AAAA | NODATA |
        AAAA for an IPv6-only Service                       | web6.default.svc.cluster.local | AAAA | ANSWER   | AAAA fd00:10:96::a
        A for an IPv6-only Service is NODATA                | web6.default.svc.cluster.local | A    | NODATA   |
        A for dual-stack IPv4-first                         | dual4.default.svc.cluster.local | A   | ANSWER   | A 10.96.0.11
        AAAA for dual-stack IPv4-first                      | dual4.default.svc.cluster.local | AAAA | ANSWER  | AAAA fd00:10:96::b
        A for dual-stack IPv6-first                         | dual6.default.svc.cluster.local | A   | ANSWER   | A 10.96.0.12
        AAAA for dual-stack IPv6-first                      | dual6.default.svc.cluster.local | AAAA | ANSWER  | AAAA fd00:10:96::c
        headless A lists ready IPv4 endpoints only          | db.default.svc.cluster.local | A      | ANSWER   | A 10.244.1.5;A 10.244.2.6
        headless AAAA lists ready IPv6 endpoints            | db.default.svc.cluster.local | AAAA   | ANSWER   | AAAA fd00:10:244:1::5;AAAA fd00:10:244:2::6
        endpoint hostname A                                 | db-0.db.default.svc.cluster.local | A | ANSWER   | A 10.244.1.5
        endpoint hostname AAAA                              | db-0.db.default.svc.cluster.local | AAAA | ANSWER | AAAA fd00:10:244:1::5
        endpoint without hostname answers its dashed IPv4   | 10-244-2-6.db.default.svc.cluster.local | A | ANSWER | A 10.244.2.6
        endpoint without hostname answers its dashed IPv6   | fd00-10-244-2--6.db.default.svc.cluster.local | AAAA | ANSWER | AAAA fd00:10:244:2::6
        not-ready endpoint has no name                      | db-2.db.default.svc.cluster.local | A | NXDOMAIN |
        headless Service without ready endpoints is NXDOMAIN | empty.default.svc.cluster.local | A  | NXDOMAIN |
        endpoint name of a ClusterIP Service answers        | 10-244-1-9.web4.default.svc.cluster.local | A | ANSWER | A 10.244.1.9
        ExternalName answers CNAME to a CNAME query         | ext.default.svc.cluster.local | CNAME | ANSWER   | CNAME example.com.
        ExternalName answers CNAME to an A query            | ext.default.svc.cluster.local | A     | ANSWER   | CNAME example.com.
        ExternalName SRV is NODATA (CoreDNS has no external SRV) | ext.default.svc.cluster.local | SRV | NODATA |
        in-zone ExternalName target is chased               | alias.default.svc.cluster.local | AAAA | ANSWER  | AAAA fd00:10:96::b;CNAME dual4.default.svc.cluster.local.
        SRV for a named port, single-stack weight 100       | _http._tcp.web4.default.svc.cluster.local | SRV | ANSWER | SRV 0 100 80 web4.default.svc.cluster.local.
        SRV for a named port, dual-stack counts both IPs    | _http._tcp.dual4.default.svc.cluster.local | SRV | ANSWER | SRV 0 50 80 dual4.default.svc.cluster.local.
        SRV for a named UDP port                            | _dns._udp.dual4.default.svc.cluster.local | SRV | ANSWER | SRV 0 50 53 dual4.default.svc.cluster.local.
        SRV with the wrong protocol is NXDOMAIN             | _http._udp.dual4.default.svc.cluster.local | SRV | NXDOMAIN |
        SRV on the Service name lists every port            | dual4.default.svc.cluster.local | SRV | ANSWER | SRV 0 25 53 dual4.default.svc.cluster.local.;SRV 0 25 80 dual4.default.svc.cluster.local.
        headless SRV targets each endpoint name             | _pg._tcp.db.default.svc.cluster.local | SRV | ANSWER | SRV 0 25 5432 10-244-2-6.db.default.svc.cluster.local.;SRV 0 25 5432 db-0.db.default.svc.cluster.local.;SRV 0 25 5432 fd00-10-244-2--6.db.default.svc.cluster.local.
        A on a port name answers the ClusterIP (CoreDNS)    | _http._tcp.web4.default.svc.cluster.local | A | ANSWER | A 10.96.0.10
        unknown Service is NXDOMAIN                         | nope.default.svc.cluster.local | A | NXDOMAIN |
        Service in an unknown namespace is NXDOMAIN         | web4.nons.svc.cluster.local | A | NXDOMAIN |
        existing namespace is NODATA                        | default.svc.cluster.local | A | NODATA |
        namespace without Services is NODATA                | empty-ns.svc.cluster.local | A | NODATA |
        unknown namespace is NXDOMAIN                       | nons.svc.cluster.local | A | NXDOMAIN |
        svc subdomain is NODATA                             | svc.cluster.local | A | NODATA |
        zone apex A is NODATA                               | cluster.local | A | NODATA |
        zone apex SOA                                       | cluster.local | SOA | ANSWER | SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5
        zone apex NS                                        | cluster.local | NS | ANSWER | NS ns.dns.cluster.local.
        ns.dns answers the kube-dns ClusterIPs              | ns.dns.cluster.local | A | ANSWER | A 10.96.0.53
        dns-version TXT                                     | dns-version.cluster.local | TXT | ANSWER | TXT 1.1.0
        pods insecure: dashed IPv4                          | 10-244-1-5.default.pod.cluster.local | A | ANSWER | A 10.244.1.5
        pods insecure: dashed IPv6                          | fd00-10-244-1--5.default.pod.cluster.local | AAAA | ANSWER | AAAA fd00:10:244:1::5
        pods insecure: A for an IPv6 pod name is NODATA     | fd00-10-244-1--5.default.pod.cluster.local | A | NODATA |
        pods insecure: answers without a Pod existing       | 10-1-2-3.default.pod.cluster.local | A | ANSWER | A 10.1.2.3
        pods insecure: not an address is NXDOMAIN           | web.default.pod.cluster.local | A | NXDOMAIN |
        pods insecure: leading zeros are not an address     | 10-01-2-3.default.pod.cluster.local | A | NXDOMAIN |
        pods insecure: unknown namespace is NXDOMAIN        | 10-244-1-5.nons.pod.cluster.local | A | NXDOMAIN |
        PTR for an IPv4 ClusterIP                           | 10.0.96.10.in-addr.arpa | PTR | ANSWER | PTR web4.default.svc.cluster.local.
        PTR for an IPv6 ClusterIP (nibbles)                 | b.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa | PTR | ANSWER | PTR dual4.default.svc.cluster.local.
        PTR for a headless endpoint with hostname           | 5.1.244.10.in-addr.arpa | PTR | ANSWER | PTR db-0.db.default.svc.cluster.local.
        PTR for an IPv6 endpoint without hostname           | 6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa | PTR | ANSWER | PTR fd00-10-244-2--6.db.default.svc.cluster.local.
        PTR for an endpoint of a ClusterIP Service          | 9.1.244.10.in-addr.arpa | PTR | ANSWER | PTR 10-244-1-9.web4.default.svc.cluster.local.
        PTR for an unknown address is NXDOMAIN              | 1.2.3.4.in-addr.arpa | PTR | NXDOMAIN |
        A on a reverse name is NXDOMAIN (CoreDNS)           | 10.0.96.10.in-addr.arpa | A | NXDOMAIN |
        reverse zone apex SOA                               | in-addr.arpa | SOA | ANSWER | SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1700000000 7200 1800 86400 5
        names outside the zones are REFUSED                 | example.org | A | REFUSED |
        zone transfer is REFUSED                            | cluster.local | AXFR | REFUSED |
        ANY is NODATA, as CoreDNS                           | web4.default.svc.cluster.local | ANY | NODATA |
        """)
    void answers(String behaviour, String qname, String qtype, Answer.Kind kind, String expected) {
        Answer a = ask(ZONE, qname, qtype);
        assertThat(a.kind()).as(behaviour).isEqualTo(kind);
        List<String> want = expected == null ? List.of() : Arrays.stream(expected.split(";")).map(String::trim).sorted().toList();
        assertThat(rdata(a.answer())).as(behaviour).isEqualTo(want);
        if (kind == Answer.Kind.NODATA || kind == Answer.Kind.NXDOMAIN) {
            assertThat(a.authority()).singleElement().isInstanceOf(SOARecord.class);
        }
        if (kind == Answer.Kind.REFUSED) assertThat(a.authority()).isEmpty();
    }

    @Test
    void negativeAnswersCarryCoreDnsSoa() {
        Answer a = ask(ZONE, "web4.default.svc.cluster.local", "AAAA");
        SOARecord soa = (SOARecord) a.authority().get(0);
        assertThat(soa.getName()).isEqualTo(ZoneConfig.absolute("cluster.local"));
        assertThat(soa.getTTL()).isEqualTo(5);
        assertThat(soa.getMinimum()).isEqualTo(5);
        assertThat(soa.getHost().toString()).isEqualTo("ns.dns.cluster.local.");
        assertThat(soa.getAdmin().toString()).isEqualTo("hostmaster.cluster.local.");
        assertThat(List.of(soa.getRefresh(), soa.getRetry(), soa.getExpire())).containsExactly(7200L, 1800L, 86400L);
    }

    @Test
    void matchingIgnoresCaseAndAnswersKeepTheQuestionCase() throws Exception {
        Name q = Name.fromString("WEB4.Default.SVC.cluster.LOCAL.");
        Answer a = ZONE.answer(q, Type.A);
        assertThat(a.answer()).singleElement().satisfies(r -> {
            assertThat(r.getName().toString()).isEqualTo("WEB4.Default.SVC.cluster.LOCAL.");
            assertThat(r.rdataToString()).isEqualTo("10.96.0.10");
        });
        Answer neg = ZONE.answer(Name.fromString("NOPE.default.svc.Cluster.Local."), Type.A);
        assertThat(neg.authority().get(0).getName().toString()).isEqualTo("Cluster.Local.");
    }

    @Test
    void ttlIsConfigurableAndAppliesToEveryRecord() {
        Zone z = Fixtures.zone(ZoneConfig.of("cluster.local").withTtl(30));
        assertThat(ask(z, "dual4.default.svc.cluster.local", "SRV").answer()).allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(30));
        assertThat(ask(z, "dual4.default.svc.cluster.local", "SRV").additional()).allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(30));
        assertThat(ask(z, "nope.default.svc.cluster.local", "A").authority().get(0).getTTL()).isEqualTo(30);
    }

    @Test
    void srvAdditionalSectionCarriesTargetAddressesOfBothFamilies() {
        Answer a = ask(ZONE, "_http._tcp.dual4.default.svc.cluster.local", "SRV");
        assertThat(rdata(a.additional())).containsExactly("A 10.96.0.11", "AAAA fd00:10:96::b");
        assertThat(a.additional()).allSatisfy(r -> assertThat(r.getName().toString()).isEqualTo("dual4.default.svc.cluster.local."));
    }

    @Test
    void podsDisabledAnswersNxdomainForPodNames() {
        Zone z = Fixtures.zone(ZoneConfig.of("cluster.local").withPods(PodsMode.DISABLED));
        assertThat(ask(z, "10-244-1-5.default.pod.cluster.local", "A").kind()).isEqualTo(Answer.Kind.NXDOMAIN);
        assertThat(ask(z, "default.pod.cluster.local", "A").kind()).isEqualTo(Answer.Kind.NXDOMAIN);
    }

    @Test
    void podsVerifiedAnswersOnlyAddressesOfPodsInThatNamespace() {
        var pod = new PodBuilder().withNewMetadata().withNamespace("default").withName("p").endMetadata()
                .withNewStatus().withPodIP("10.244.1.5").addNewPodIP("10.244.1.5").addNewPodIP("fd00:10:244:1::5")
                .endStatus().build();
        Zone z = new ZoneBuilder(ZoneConfig.of("cluster.local").withPods(PodsMode.VERIFIED))
                .services(Fixtures.services()).namespaces(Fixtures.namespaces()).pods(List.of(pod)).build();
        assertThat(rdata(ask(z, "10-244-1-5.default.pod.cluster.local", "A").answer())).containsExactly("A 10.244.1.5");
        assertThat(rdata(ask(z, "fd00-10-244-1--5.default.pod.cluster.local", "AAAA").answer()))
                .containsExactly("AAAA fd00:10:244:1::5");
        assertThat(ask(z, "10-244-1-6.default.pod.cluster.local", "A").kind()).isEqualTo(Answer.Kind.NXDOMAIN);
        assertThat(ask(z, "10-244-1-5.prod.pod.cluster.local", "A").kind()).isEqualTo(Answer.Kind.NXDOMAIN);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        1-2-3-4            | 1.2.3.4
        10-244-0-255       | 10.244.0.255
        fd00-10-244--5     | fd00:10:244::5
        --1                | ::1
        1-2-3-256          |
        1-2-3              |
        1-2-3-4-5          |
        fd00-10-244-5      |
        1--2-3-4           | 1::2:3:4
        a-b-c-d            |
        """)
    void podLabelsParseAsCoreDnsReadsThem(String label, String expected) {
        Optional<String> got = Zone.podAddress(label).map(ip -> ip.toCanonicalString());
        assertThat(got).isEqualTo(Optional.ofNullable(expected));
    }

    @Test
    void answerIsNeverAffectedByAnotherDomain() {
        Zone z = Fixtures.zone(ZoneConfig.of("k8s.example"));
        assertThat(rdata(ask(z, "web4.default.svc.k8s.example", "A").answer())).containsExactly("A 10.96.0.10");
        assertThat(ask(z, "web4.default.svc.cluster.local", "A").rcode()).isEqualTo(Rcode.REFUSED);
        assertThat(rdata(ask(z, "10.0.96.10.in-addr.arpa", "PTR").answer())).containsExactly("PTR web4.default.svc.k8s.example.");
    }

    @Test
    void recordsListsWhatQueriesAnswer() {
        List<Record> all = ZONE.records();
        for (Record r : all) {
            if (r.getType() == Type.SOA || r.getType() == Type.NS) continue;
            Answer a = ZONE.answer(r.getName(), r.getType());
            assertThat(a.answer()).as(r.toString()).contains(r);
        }
        assertThat(all).extracting(Record::getType).contains(Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.CNAME, Type.TXT);
    }

    @Test
    void rebuildWithFragmentCacheFollowsChangedDeletedAndUnchangedObjects() {
        ZoneBuilder.FragmentCache cache = new ZoneBuilder.FragmentCache();
        List<io.fabric8.kubernetes.api.model.Service> svcs = new java.util.ArrayList<>(Fixtures.services());
        List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice> slices = new java.util.ArrayList<>(Fixtures.slices());
        new ZoneBuilder(ZoneConfig.of("cluster.local")).services(svcs).endpointSlices(slices).cache(cache).build();
        assertThat(cache.size()).isEqualTo(svcs.size());

        // web4 gets a new ClusterIP (a new object, as informers deliver), web6 is deleted,
        // and db loses its IPv4 slice
        svcs.replaceAll(s -> s.getMetadata().getName().equals("web4")
                ? Fixtures.clusterIp("default", "web4", List.of("10.96.0.99"), Fixtures.port("http", 80, "TCP")) : s);
        svcs.removeIf(s -> s.getMetadata().getName().equals("web6"));
        slices.removeIf(s -> s.getMetadata().getName().equals("db-v4"));
        Zone z = new ZoneBuilder(ZoneConfig.of("cluster.local")).services(svcs).endpointSlices(slices).cache(cache).build();

        assertThat(rdata(ask(z, "web4.default.svc.cluster.local", "A").answer())).containsExactly("A 10.96.0.99");
        assertThat(ask(z, "10.0.96.10.in-addr.arpa", "PTR").kind()).isEqualTo(Answer.Kind.NXDOMAIN);
        assertThat(ask(z, "web6.default.svc.cluster.local", "AAAA").kind()).isEqualTo(Answer.Kind.NXDOMAIN);
        assertThat(ask(z, "db.default.svc.cluster.local", "A").kind()).isEqualTo(Answer.Kind.NODATA);
        assertThat(rdata(ask(z, "dual4.default.svc.cluster.local", "A").answer())).containsExactly("A 10.96.0.11");
        assertThat(cache.size()).isEqualTo(svcs.size());
    }
}
