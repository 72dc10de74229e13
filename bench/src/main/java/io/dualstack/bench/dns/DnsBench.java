package io.dualstack.bench.dns;

import io.dualstack.dns.DnsListener;
import io.dualstack.dns.DnsMetrics;
import io.dualstack.dns.Zone;
import io.dualstack.dns.ZoneBuilder;
import io.dualstack.dns.ZoneConfig;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * The DNS benchmark's Java side (bench/dns/run.sh drives it):
 * <ul>
 *   <li>{@code generate DIR N}: N dual-stack Services; writes the zone files an authoritative
 *   server (NSD, Knot) loads with exactly the records our zone serves, and a dnsperf query file
 *   (mixed A / AAAA / PTR v4 / PTR v6 / NXDOMAIN);</li>
 *   <li>{@code serve PORT N}: our listener on 127.0.0.1:PORT and [::1]:PORT with the same zone;</li>
 *   <li>{@code rebuild N}: how long building the N-Service zone takes (the update-to-answer bound).</li>
 * </ul>
 */
public final class DnsBench {
    private DnsBench() {
    }

    static final String[] NAMESPACES = {"default", "shop", "payments", "search", "platform"};

    /** N Services: every one dual-stack (IPv4-first for even, IPv6-first for odd), one named port. */
    static List<Service> services(int n) {
        List<Service> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String v4 = "10.96." + ((i + 256) / 256) + "." + ((i + 256) % 256);
            String v6 = "fd00:10:96::" + Integer.toHexString(i + 256);
            List<String> ips = i % 2 == 0 ? List.of(v4, v6) : List.of(v6, v4);
            out.add(new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACES[i % NAMESPACES.length])
                    .withName("svc-" + i).endMetadata().withNewSpec().withType("ClusterIP")
                    .withClusterIP(ips.get(0)).withClusterIPs(ips)
                    .withIpFamilies(i % 2 == 0 ? List.of("IPv4", "IPv6") : List.of("IPv6", "IPv4"))
                    .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build());
        }
        return out;
    }

    static Zone zone(int n) {
        return new ZoneBuilder(ZoneConfig.of("cluster.local")).services(services(n))
                .namespaces(Arrays.asList(NAMESPACES)).serial(1_700_000_000L).build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DnsBench generate DIR N | serve PORT N | rebuild N");
            System.exit(2);
        }
        switch (args[0]) {
            case "generate" -> generate(Path.of(args[1]), Integer.parseInt(args[2]));
            case "serve" -> serve(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "rebuild" -> rebuild(Integer.parseInt(args[1]));
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    static void generate(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        Zone z = zone(n);
        Map<String, PrintWriter> files = Map.of(
                "cluster.local.", new PrintWriter(Files.newBufferedWriter(dir.resolve("cluster.local.zone"))),
                "in-addr.arpa.", new PrintWriter(Files.newBufferedWriter(dir.resolve("in-addr.arpa.zone"))),
                "ip6.arpa.", new PrintWriter(Files.newBufferedWriter(dir.resolve("ip6.arpa.zone"))));
        int count = 0;
        for (Record r : z.records()) {
            Name zoneName = z.zoneOf(r.getName()).orElseThrow();
            files.get(zoneName.toString()).println(r);
            count++;
        }
        // NSD needs an address for the in-zone name server
        files.get("cluster.local.").println("ns.dns.cluster.local.\t5\tIN\tA\t127.0.0.1");
        for (PrintWriter w : files.values()) w.close();

        Random random = new Random(7);
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            int s = random.nextInt(n);
            String name = "svc-" + s + "." + NAMESPACES[s % NAMESPACES.length] + ".svc.cluster.local";
            int kind = random.nextInt(10);
            if (kind < 3) {
                queries.add(name + " A");
            } else if (kind < 6) {
                queries.add(name + " AAAA");
            } else if (kind < 7) {
                queries.add(ReverseMap.fromAddress("10.96." + ((s + 256) / 256) + "." + ((s + 256) % 256)) + " PTR");
            } else if (kind < 8) {
                queries.add(ReverseMap.fromAddress(InetAddress.getByName("fd00:10:96::" + Integer.toHexString(s + 256))) + " PTR");
            } else {
                queries.add("missing-" + s + "." + NAMESPACES[s % NAMESPACES.length] + ".svc.cluster.local " + (kind == 8 ? "A" : "AAAA"));
            }
        }
        Files.write(dir.resolve("queries.txt"), queries, StandardCharsets.US_ASCII);
        System.out.println("generated " + n + " services, " + count + " records, " + queries.size() + " queries in " + dir);
    }

    static void serve(int port, int n) throws Exception {
        Zone z = zone(n);
        List<InetSocketAddress> bind = List.of(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port),
                new InetSocketAddress(InetAddress.getByName("::1"), port));
        DnsListener l = new DnsListener(() -> z, () -> true, new DnsMetrics(), bind, Optional.empty());
        l.start();
        System.out.println("ready " + l.addresses());
        System.out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            l.close();
            done.countDown();
        }));
        done.await();
    }

    static void rebuild(int n) {
        List<Service> svcs = services(n);
        long[] ms = new long[15];
        for (int i = 0; i < ms.length; i++) {
            long t = System.nanoTime();
            new ZoneBuilder(ZoneConfig.of("cluster.local")).services(svcs).namespaces(Arrays.asList(NAMESPACES)).build();
            ms[i] = (System.nanoTime() - t) / 1_000_000;
        }
        long[] warm = Arrays.copyOfRange(ms, 5, ms.length);
        Arrays.sort(warm);
        System.out.println("full rebuild, " + n + " services: median " + warm[warm.length / 2] + " ms, max " + warm[warm.length - 1]
                + " ms (10 builds after 5 warm-up)");
        // An update: one Service replaced (new object), the rest reused from the fragment cache.
        ZoneBuilder.FragmentCache cache = new ZoneBuilder.FragmentCache();
        new ZoneBuilder(ZoneConfig.of("cluster.local")).services(svcs).namespaces(Arrays.asList(NAMESPACES)).cache(cache).build();
        long[] inc = new long[30];
        for (int i = 0; i < inc.length; i++) {
            List<Service> next = new ArrayList<>(svcs);
            next.set(i, new ServiceBuilder(svcs.get(i)).editMetadata().withResourceVersion("v" + i).endMetadata().build());
            long t = System.nanoTime();
            new ZoneBuilder(ZoneConfig.of("cluster.local")).services(next).namespaces(Arrays.asList(NAMESPACES)).cache(cache).build();
            inc[i] = (System.nanoTime() - t) / 1_000_000;
            svcs = next;
        }
        long[] warmInc = Arrays.copyOfRange(inc, 10, inc.length);
        Arrays.sort(warmInc);
        System.out.println("update rebuild (one Service changed), " + n + " services: median " + warmInc[warmInc.length / 2]
                + " ms, max " + warmInc[warmInc.length - 1] + " ms (20 updates after 10 warm-up)");
    }
}
