package io.dualstack.dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The listener over real sockets, queried with dnsjava on both loopback families and both transports. */
class DnsListenerTest {
    static DnsListener listener;
    static DnsMetrics metrics = new DnsMetrics();

    @BeforeAll
    static void start() throws Exception {
        Zone zone = Fixtures.zone();
        listener = new DnsListener(() -> zone, () -> true, metrics, DnsServer.loopbacks(0), Optional.empty());
        listener.start();
    }

    @AfterAll
    static void stop() {
        listener.close();
    }

    static InetSocketAddress addr(String family) {
        return listener.addresses().stream()
                .filter(a -> (a.getAddress() instanceof java.net.Inet4Address) == family.equals("IPv4"))
                .findFirst().orElseThrow();
    }

    static Message query(String family, boolean tcp, String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(addr(family));
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static Stream<Arguments> transports() {
        return Stream.of(Arguments.of("IPv4", false), Arguments.of("IPv4", true),
                Arguments.of("IPv6", false), Arguments.of("IPv6", true));
    }

    static List<String> answers(Message m) {
        return ZoneTest.rdata(m.getSection(Section.ANSWER));
    }

    @ParameterizedTest(name = "{0} tcp={1}")
    @MethodSource("transports")
    void answersEveryRecordKindOnEachFamilyAndTransport(String family, boolean tcp) throws Exception {
        assertThat(answers(query(family, tcp, "dual4.default.svc.cluster.local.", Type.A))).containsExactly("A 10.96.0.11");
        assertThat(answers(query(family, tcp, "dual6.default.svc.cluster.local.", Type.AAAA))).containsExactly("AAAA fd00:10:96::c");
        assertThat(answers(query(family, tcp, "_http._tcp.dual4.default.svc.cluster.local.", Type.SRV)))
                .containsExactly("SRV 0 50 80 dual4.default.svc.cluster.local.");
        assertThat(answers(query(family, tcp, "ext.default.svc.cluster.local.", Type.CNAME))).containsExactly("CNAME example.com.");
        assertThat(answers(query(family, tcp, ReverseMap.fromAddress("fd00:10:96::b").toString(), Type.PTR)))
                .containsExactly("PTR dual4.default.svc.cluster.local.");
        assertThat(answers(query(family, tcp, ReverseMap.fromAddress("10.96.0.12").toString(), Type.PTR)))
                .containsExactly("PTR dual6.default.svc.cluster.local.");
        Message m = query(family, tcp, "web4.default.svc.cluster.local.", Type.A);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(5);
    }

    @ParameterizedTest(name = "{0} tcp={1}")
    @MethodSource("transports")
    void nodataAndNxdomainDifferOnTheWire(String family, boolean tcp) throws Exception {
        Message nodata = query(family, tcp, "web4.default.svc.cluster.local.", Type.AAAA);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(nodata.getSection(Section.AUTHORITY)).singleElement().satisfies(r -> assertThat(r.getType()).isEqualTo(Type.SOA));
        Message nx = query(family, tcp, "nope.default.svc.cluster.local.", Type.AAAA);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getSection(Section.AUTHORITY)).singleElement().satisfies(r -> assertThat(r.getType()).isEqualTo(Type.SOA));
        Message refused = query(family, tcp, "example.org.", Type.A);
        assertThat(refused.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(refused.getHeader().getFlag(Flags.AA)).isFalse();
    }

    @Test
    void udpAnswerTooBigFor512BytesIsTruncatedAndTcpRetryGetsItAll() throws Exception {
        SimpleResolver udpOnly = new SimpleResolver(addr("IPv4"));
        udpOnly.setIgnoreTruncation(true);
        udpOnly.setTimeout(Duration.ofSeconds(10));
        Message q = Message.newQuery(Record.newRecord(Name.fromString("big.prod.svc.cluster.local."), Type.AAAA, DClass.IN));
        Message truncated = udpOnly.send(q);
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncated.toWire().length).isLessThanOrEqualTo(512);

        // dnsjava's resolver retries over TCP on TC, as stub resolvers do
        SimpleResolver normal = new SimpleResolver(addr("IPv6"));
        normal.setTimeout(Duration.ofSeconds(10));
        Message full = normal.send(q);
        assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(full.getSection(Section.ANSWER)).hasSize(60);
    }

    @Test
    void ednsAdvertisedSizeIsHonouredOverUdp() throws Exception {
        SimpleResolver r = new SimpleResolver(addr("IPv4"));
        r.setIgnoreTruncation(true);
        r.setEDNS(0, 4096, 0, List.of());
        r.setTimeout(Duration.ofSeconds(10));
        Message m = r.send(Message.newQuery(Record.newRecord(Name.fromString("big.prod.svc.cluster.local."), Type.AAAA, DClass.IN)));
        assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).hasSize(60);
        assertThat(m.getOPT()).isNotNull();
        assertThat(m.getOPT().getPayloadSize()).isEqualTo(DnsListener.ADVERTISED_UDP_SIZE);
    }

    @Test
    void unknownEdnsVersionIsBadvers() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("web4.default.svc.cluster.local."), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
        Message m = new Message(udpExchange(q.toWire(), addr("IPv4")));
        assertThat(m.getRcode()).isEqualTo(Rcode.BADVERS);
    }

    @Test
    void questionCaseIsPreservedOnTheWire() throws Exception {
        Message m = query("IPv6", false, "Dual4.DEFAULT.svc.Cluster.Local.", Type.A);
        assertThat(m.getQuestion().getName().toString()).isEqualTo("Dual4.DEFAULT.svc.Cluster.Local.");
        assertThat(m.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("Dual4.DEFAULT.svc.Cluster.Local.");
        // the same name in another case is cached separately and keeps its own case
        Message lower = query("IPv6", false, "dual4.default.svc.cluster.local.", Type.A);
        assertThat(lower.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("dual4.default.svc.cluster.local.");
    }

    @Test
    void headerWithoutQuestionIsFormerrWithTheSameId() throws Exception {
        byte[] q = new byte[12];
        q[0] = 0x12;
        q[1] = 0x34;
        q[5] = 1; // QDCOUNT=1 but no question follows
        Message m = new Message(udpExchange(q, addr("IPv4")));
        assertThat(m.getHeader().getID()).isEqualTo(0x1234);
        assertThat(m.getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void survivesRandomBytesOnUdpAndTcp() throws Exception {
        Random random = new Random(42);
        try (DatagramSocket s = new DatagramSocket()) {
            for (int i = 0; i < 3000; i++) {
                byte[] junk = new byte[random.nextInt(600)];
                random.nextBytes(junk);
                if (i % 3 == 0 && junk.length > 12) { // a plausible header with garbage after it
                    junk[2] = 0x01;
                    junk[3] = 0;
                    junk[4] = 0;
                    junk[5] = 1;
                }
                s.send(new DatagramPacket(junk, junk.length, addr(i % 2 == 0 ? "IPv4" : "IPv6")));
            }
        }
        for (int i = 0; i < 50; i++) {
            try (Socket c = new Socket()) {
                c.connect(addr("IPv4"), 10_000);
                c.setSoTimeout(10_000);
                byte[] junk = new byte[random.nextInt(300)];
                random.nextBytes(junk);
                DataOutputStream out = new DataOutputStream(c.getOutputStream());
                out.writeShort(junk.length);
                out.write(junk);
                out.flush();
                c.shutdownOutput();
                DataInputStream in = new DataInputStream(c.getInputStream());
                while (in.read() >= 0) {
                    // drain whatever the server says before closing
                }
            }
        }
        for (var t : transports().toList()) {
            Object[] a = t.get();
            assertThat(answers(query((String) a[0], (Boolean) a[1], "web4.default.svc.cluster.local.", Type.A)))
                    .containsExactly("A 10.96.0.10");
        }
        assertThat(metrics.scrape()).contains("coredns_dns_responses_total{plugin=\"\",rcode=\"FORMERR\"");
    }

    @Test
    void metricsUseCoreDnsNamesAndLabels() throws Exception {
        query("IPv6", false, "web4.default.svc.cluster.local.", Type.AAAA);
        query("IPv4", true, "nope.default.svc.cluster.local.", Type.AAAA);
        String text = metrics.scrape();
        InetSocketAddress v6 = addr("IPv6");
        InetSocketAddress v4 = addr("IPv4");
        assertThat(text).contains("coredns_dns_requests_total{family=\"2\",proto=\"udp\",server=\"dns://[::1]:"
                + v6.getPort() + "\",type=\"AAAA\",view=\"\",zone=\"cluster.local.\"}");
        assertThat(text).contains("coredns_dns_requests_total{family=\"1\",proto=\"tcp\",server=\"dns://127.0.0.1:"
                + v4.getPort() + "\",type=\"AAAA\",view=\"\",zone=\"cluster.local.\"}");
        assertThat(text).contains("coredns_dns_responses_total{plugin=\"kubernetes\",rcode=\"NXDOMAIN\",server=\"dns://127.0.0.1:"
                + v4.getPort() + "\",view=\"\",zone=\"cluster.local.\"}");
        assertThat(text).contains("coredns_dns_request_duration_seconds_bucket{server=\"dns://[::1]:" + v6.getPort()
                + "\",type=\"AAAA\",view=\"\",zone=\"cluster.local.\",le=\"0.001\"}");
        assertThat(text).contains("dualstack_dns_answers_total{result=\"nodata\",type=\"AAAA\",zone=\"cluster.local.\"}");
        assertThat(text).contains("coredns_plugin_enabled{name=\"kubernetes\",server=\"dns://[::1]:" + v6.getPort());
    }

    @Test
    void aSecondServerOnTheSamePortFailsInsteadOfSharingIt() {
        Zone zone = Fixtures.zone();
        DnsListener second = new DnsListener(() -> zone, () -> true, new DnsMetrics(),
                List.of(addr("IPv4")), Optional.empty());
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(second::start).isInstanceOf(java.net.BindException.class);
        } finally {
            second.close();
        }
        assertThat(listener.addresses()).hasSize(2);
    }

    @Test
    void namesOutsideTheZonesAreForwardedOnlyWhenAnUpstreamIsConfigured() throws Exception {
        Zone other = Fixtures.zone(ZoneConfig.of("example.test"));
        DnsListener upstream = new DnsListener(() -> other, () -> true, new DnsMetrics(),
                List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)), Optional.empty());
        upstream.start();
        Zone zone = Fixtures.zone();
        DnsListener forwarding = new DnsListener(() -> zone, () -> true, new DnsMetrics(),
                List.of(new InetSocketAddress(InetAddress.getByName("::1"), 0)), Optional.of(upstream.addresses().get(0)));
        forwarding.start();
        try {
            for (boolean tcp : new boolean[] {false, true}) {
                SimpleResolver r = new SimpleResolver(forwarding.addresses().get(0));
                r.setTCP(tcp);
                r.setTimeout(Duration.ofSeconds(10));
                Message m = r.send(Message.newQuery(Record.newRecord(
                        Name.fromString("dual6.default.svc.example.test."), Type.AAAA, DClass.IN)));
                assertThat(answers(m)).containsExactly("AAAA fd00:10:96::c");
                // our own zone is still answered locally
                Message local = r.send(Message.newQuery(Record.newRecord(
                        Name.fromString("dual6.default.svc.cluster.local."), Type.A, DClass.IN)));
                assertThat(answers(local)).containsExactly("A 10.96.0.12");
            }
        } finally {
            forwarding.close();
            upstream.close();
        }
    }

    @Test
    void otherOpcodesAreNotImplemented() throws Exception {
        Message q = Message.newQuery(Record.newRecord(Name.fromString("web4.default.svc.cluster.local."), Type.A, DClass.IN));
        q.getHeader().setOpcode(org.xbill.DNS.Opcode.STATUS);
        Message m = new Message(udpExchange(q.toWire(), addr("IPv6")));
        assertThat(m.getRcode()).isEqualTo(Rcode.NOTIMP);
        assertThat(m.getHeader().getID()).isEqualTo(q.getHeader().getID());
    }

    @Test
    void mutatedQueriesNeverThrowAndEveryReplyParsesWithTheQueryId() throws Exception {
        List<byte[]> seeds = new java.util.ArrayList<>();
        for (String[] q : new String[][] {{"dual4.default.svc.cluster.local.", "A"}, {"_pg._tcp.db.default.svc.cluster.local.", "SRV"},
                {"big.prod.svc.cluster.local.", "AAAA"}, {ReverseMap.fromAddress("fd00:10:96::b").toString(), "PTR"},
                {"10-244-1-5.default.pod.cluster.local.", "A"}, {"example.org.", "A"}}) {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(q[0]), Type.value(q[1]), DClass.IN));
            seeds.add(m.toWire());
            m.addRecord(new OPTRecord(4096, 0, 0, org.xbill.DNS.ExtendedFlags.DO), Section.ADDITIONAL);
            seeds.add(m.toWire());
        }
        Random random = new Random(1234);
        for (int i = 0; i < 50_000; i++) {
            byte[] q = seeds.get(random.nextInt(seeds.size())).clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) q[random.nextInt(q.length)] = (byte) random.nextInt(256);
            int len = random.nextInt(8) == 0 ? random.nextInt(q.length + 1) : q.length;
            for (int slot = 0; slot < 4; slot++) {
                byte[] r = listener.handle(q, len, slot);
                if (r == null) continue;
                if (slot % 2 == 0 && len >= 12 && q[10] == 0 && q[11] == 0) {
                    assertThat(r.length).as("UDP without EDNS0 fits 512 bytes").isLessThanOrEqualTo(512);
                }
                assertThat(((r[0] & 0xFF) << 8) | (r[1] & 0xFF)).isEqualTo(((q[0] & 0xFF) << 8) | (q[1] & 0xFF));
                if (r.length > 12) new Message(r); // parses
            }
        }
    }

    static byte[] udpExchange(byte[] query, InetSocketAddress to) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, to.getAddress() instanceof java.net.Inet4Address
                ? InetAddress.getByName("127.0.0.1") : InetAddress.getByName("::1"))) {
            s.setSoTimeout(10_000);
            s.send(new DatagramPacket(query, query.length, to));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            return java.util.Arrays.copyOf(buf, p.getLength());
        }
    }
}
