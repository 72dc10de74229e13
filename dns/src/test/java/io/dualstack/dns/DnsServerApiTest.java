package io.dualstack.dns;

import io.dualstack.apiserver.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole path: Services and EndpointSlices created through our API server, answered over DNS. */
class DnsServerApiTest {
    static TestApiServer api;
    static DnsServer dns;

    @BeforeAll
    static void start() throws Exception {
        api = TestApiServer.start();
        KubernetesClient c = api.client();
        if (c.namespaces().withName("shop").get() == null) {
            c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build()).create();
        }
        dns = new DnsServer(DnsServer.Config.defaults(api.newClient())
                .withMetrics(Optional.of(new InetSocketAddress("127.0.0.1", 0))));
        dns.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dns != null) dns.close();
        if (api != null) api.close();
    }

    static Message ask(InetSocketAddress server, String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    /** Polls (never sleeps a fixed time) until the answer satisfies {@code done}, up to 30 s. */
    static Message await(InetSocketAddress server, String name, int type, Predicate<Message> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Message m = ask(server, name, type);
        while (!done.test(m) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            m = ask(server, name, type);
        }
        return m;
    }

    static Service dualStack(String name) {
        return new ServiceBuilder().withNewMetadata().withNamespace("shop").withName(name).endMetadata()
                .withNewSpec().withIpFamilyPolicy("RequireDualStack").withIpFamilies("IPv6", "IPv4")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build();
    }

    @Test
    void serviceCreatedThroughTheApiIsAnsweredInBothFamiliesAndDeletionBecomesNxdomain() throws Exception {
        Service created = api.client().services().inNamespace("shop").resource(dualStack("cart")).create();
        List<String> ips = created.getSpec().getClusterIPs();
        assertThat(ips).hasSize(2);
        String v6 = ips.get(0);
        String v4 = ips.get(1);

        for (InetSocketAddress server : dns.addresses()) {
            Message a = await(server, "cart.shop.svc.cluster.local.", Type.A, m -> !m.getSection(Section.ANSWER).isEmpty());
            assertThat(ZoneTest.rdata(a.getSection(Section.ANSWER))).containsExactly("A " + v4);
            Message aaaa = ask(server, "cart.shop.svc.cluster.local.", Type.AAAA);
            assertThat(ZoneTest.rdata(aaaa.getSection(Section.ANSWER))).containsExactly(
                    "AAAA " + new inet.ipaddr.IPAddressString(v6).getAddress().toCanonicalString());
            Message ptr = ask(server, ReverseMap.fromAddress(v4).toString(), Type.PTR);
            assertThat(ZoneTest.rdata(ptr.getSection(Section.ANSWER))).containsExactly("PTR cart.shop.svc.cluster.local.");
        }
        // the namespace exists, so its name is NODATA; an unknown one is NXDOMAIN
        InetSocketAddress v4server = dns.addresses().get(0);
        assertThat(ask(v4server, "shop.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(ask(v4server, "nowhere.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);

        api.client().services().inNamespace("shop").withName("cart").delete();
        Message gone = await(v4server, "cart.shop.svc.cluster.local.", Type.A, m -> m.getRcode() == Rcode.NXDOMAIN);
        assertThat(gone.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void headlessServiceFollowsItsEndpointSlices() throws Exception {
        KubernetesClient c = api.client();
        c.services().inNamespace("shop").resource(Fixtures.headless("shop", "db", Fixtures.port("pg", 5432, "TCP"))).create();
        c.discovery().v1().endpointSlices().inNamespace("shop").resource(Fixtures.slice("shop", "db-v6", "db", "IPv6",
                List.of(Fixtures.endpoint("fd00:10:244:1::7", "db-0", true)), Fixtures.port("pg", 5432, "TCP"))).create();
        InetSocketAddress server = dns.addresses().get(1);
        Message aaaa = await(server, "db-0.db.shop.svc.cluster.local.", Type.AAAA, m -> !m.getSection(Section.ANSWER).isEmpty());
        assertThat(ZoneTest.rdata(aaaa.getSection(Section.ANSWER))).containsExactly("AAAA fd00:10:244:1::7");
        Message srv = ask(server, "_pg._tcp.db.shop.svc.cluster.local.", Type.SRV);
        assertThat(ZoneTest.rdata(srv.getSection(Section.ANSWER))).containsExactly("SRV 0 100 5432 db-0.db.shop.svc.cluster.local.");
        // IPv6-only headless: A is NODATA
        Message a = ask(server, "db.shop.svc.cluster.local.", Type.A);
        assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(a.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void metricsAreServedOverHttp() throws Exception {
        ask(dns.addresses().get(0), "nope.shop.svc.cluster.local.", Type.AAAA);
        InetSocketAddress m = dns.metricsAddress().orElseThrow();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + m.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("coredns_dns_responses_total{plugin=\"kubernetes\",rcode=\"NXDOMAIN\"");
    }
}
