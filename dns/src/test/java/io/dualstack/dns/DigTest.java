package io.dualstack.dns;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server as users see it: the real {@code dig} (dnsutils) on both loopback families. */
class DigTest {
    static DnsListener listener;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(digAvailable(), "dig is not installed (apt-get install dnsutils)");
        Zone zone = Fixtures.zone();
        listener = new DnsListener(() -> zone, () -> true, new DnsMetrics(), DnsServer.loopbacks(0), Optional.empty());
        listener.start();
    }

    @AfterAll
    static void stop() {
        if (listener != null) listener.close();
    }

    static boolean digAvailable() {
        try {
            Process p = new ProcessBuilder("dig", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String dig(String server, String... args) throws Exception {
        InetSocketAddress a = listener.addresses().stream()
                .filter(x -> x.getAddress().getHostAddress().contains(":") == server.contains(":")).findFirst().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of("dig", "@" + server, "-p", String.valueOf(a.getPort()),
                "+time=10", "+tries=1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        A of a dual-stack Service over IPv4 UDP        | 127.0.0.1 | +short A dual4.default.svc.cluster.local              | 10.96.0.11
        AAAA of a dual-stack Service over IPv6 UDP     | ::1       | +short AAAA dual4.default.svc.cluster.local           | fd00:10:96::b
        AAAA of an IPv6-first Service over IPv4 TCP    | 127.0.0.1 | +tcp +short AAAA dual6.default.svc.cluster.local      | fd00:10:96::c
        A of an IPv6-first Service over IPv6 TCP       | ::1       | +tcp +short A dual6.default.svc.cluster.local         | 10.96.0.12
        headless endpoint by hostname                  | ::1       | +short AAAA db-0.db.default.svc.cluster.local         | fd00:10:244:1::5
        SRV of a named port                            | 127.0.0.1 | +short SRV _pg._tcp.db.default.svc.cluster.local      | 0 25 5432 db-0.db.default.svc.cluster.local.
        ExternalName                                   | 127.0.0.1 | +short CNAME ext.default.svc.cluster.local            | example.com.
        reverse IPv4 ClusterIP                         | ::1       | +short -x 10.96.0.10                                  | web4.default.svc.cluster.local.
        reverse IPv6 ClusterIP                         | 127.0.0.1 | +short -x fd00:10:96::a                               | web6.default.svc.cluster.local.
        pod record, IPv6 dashed form                   | ::1       | +short AAAA fd00-10-244-1--5.default.pod.cluster.local | fd00:10:244:1::5
        """)
    void answers(String behaviour, String server, String args, String expected) throws Exception {
        String out = dig(server, args.trim().split("\\s+"));
        assertThat(out.lines().map(String::trim).toList()).as(behaviour + "\n" + out).contains(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        AAAA of an IPv4-only Service is NODATA          | ::1       | AAAA web4.default.svc.cluster.local      | status: NOERROR | ANSWER: 0
        unknown Service is NXDOMAIN                     | 127.0.0.1 | AAAA nope.default.svc.cluster.local      | status: NXDOMAIN | ANSWER: 0
        outside the zone is REFUSED                     | 127.0.0.1 | A example.org                            | status: REFUSED | ANSWER: 0
        big UDP answer without EDNS is truncated        | 127.0.0.1 | +noedns +ignore AAAA big.prod.svc.cluster.local | flags: qr aa tc rd | status: NOERROR
        dig retries a truncated answer over TCP         | ::1       | +noedns AAAA big.prod.svc.cluster.local  | ANSWER: 60      | status: NOERROR
        EDNS0 is answered with an OPT record            | ::1       | +edns=0 +bufsize=4096 AAAA big.prod.svc.cluster.local | ANSWER: 60 | udp: 1232
        """)
    void statusAndFlags(String behaviour, String server, String args, String expect1, String expect2) throws Exception {
        String out = dig(server, args.trim().split("\\s+"));
        assertThat(out).as(behaviour).contains(expect1.trim()).contains(expect2.trim());
    }
}
