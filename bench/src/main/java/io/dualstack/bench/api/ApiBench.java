package io.dualstack.bench.api;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.StoreOptions;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.bench.store.Stats;
import io.dualstack.bench.store.StoreBench;
import io.dualstack.client.Clients;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The API server through HTTPS with the fabric8 client: create / get / list / watch of ConfigMaps
 * at each object count, with the SQLite store and with the in-memory store (the peer) in the same
 * run. Server and client share this JVM (and the machine's cores).
 *
 * <pre>
 * java -Xmx3g -cp 'bench/target-store/classes:bench/target-store/lib/*' io.dualstack.bench.api.ApiBench \
 *     [--objects 10000,100000] [--stores sqlite,memory] [--value-bytes 1024] [--threads 16] [--watchers 10]
 * </pre>
 */
public final class ApiBench {
    private static final String NS = "bench";

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(10_000, 100_000);
        List<String> stores = List.of("sqlite", "memory");
        int valueBytes = 1024;
        int threads = 16;
        int watchers = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--objects" -> counts = Stream.of(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--stores" -> stores = List.of(args[++i].split(","));
                case "--value-bytes" -> valueBytes = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--watchers" -> watchers = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i] + "; see bench/README.md");
                    System.exit(2);
                }
            }
        }
        System.out.println(StoreBench.machine());
        System.out.printf(Locale.ROOT, "ConfigMaps with %d bytes of data, %d client threads for creates, %d watchers; server and client in one JVM%n%n",
                valueBytes, threads, watchers);
        for (int n : counts) {
            for (String s : stores) {
                run(s, n, valueBytes, threads, watchers);
            }
        }
        System.exit(0); // fabric8's executor threads
    }

    static ClusterPlan plan() {
        List<IPAddress> svc = List.of(ip("10.96.0.0/16"), ip("fd00:10:96::/112"));
        List<IPAddress> pods = List.of(ip("10.244.0.0/16"), ip("fd00:10:244::/56"));
        return new ClusterPlan(svc, pods, 24, 64, List.of(ip("172.18.0.0/16"), ip("fc00:f853:ccd:e793::/64")),
                List.of(new ClusterPlan.NodePlan("bench-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of())),
                pods, "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");
    }

    private static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static ConfigMap configMap(int i, int valueBytes) {
        StringBuilder pad = new StringBuilder(valueBytes);
        while (pad.length() < valueBytes) pad.append((char) ('a' + (pad.length() % 26)));
        return new ConfigMapBuilder().withNewMetadata().withName(String.format("cm-%07d", i)).withNamespace(NS)
                .addToLabels("app", "bench").addToLabels("shard", Integer.toString(i % 10)).endMetadata()
                .withData(Map.of("payload", pad.toString())).build();
    }

    static void run(String kind, int n, int valueBytes, int threads, int watchers) throws Exception {
        Path dir = Files.createTempDirectory("apibench");
        StoreOptions opts = StoreOptions.defaults();
        ApiServerConfig.StoreFactory factory = kind.equals("sqlite")
                ? d -> Stores.open(d, opts)
                : d -> new io.dualstack.apiserver.storage.MemoryStore(opts);
        long heapBefore = StoreBench.usedHeap();
        ApiServer server = new ApiServer(ApiServerConfig.of(dir, plan(), factory));
        List<String> rows = new ArrayList<>();
        String memNote;
        try {
            server.start();
            KubernetesClient client = Clients.forServer(server.url(), server.pki().caPem(), server.token());
            try {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();

                Stats create = new Stats(n);
                AtomicInteger next = new AtomicInteger();
                long t0 = System.nanoTime();
                parallel(threads, () -> {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                        ConfigMap cm = configMap(i, valueBytes);
                        long s = System.nanoTime();
                        client.configMaps().inNamespace(NS).resource(cm).create();
                        create.add(System.nanoTime() - s);
                    }
                });
                create.wall(System.nanoTime() - t0);
                rows.add(create.row("create, " + threads + " client threads"));
                memNote = String.format(Locale.ROOT, "JVM heap (server + idle client) after load: %,.0f bytes/object",
                        (StoreBench.usedHeap() - heapBefore) / (double) n);
                if (kind.equals("sqlite")) {
                    memNote += String.format(Locale.ROOT, "; state.db+wal %,.0f bytes/object",
                            StoreBench.dirSize(dir) / (double) n);
                }

                int gets = Math.min(n, 5_000);
                Stats get1 = new Stats(gets);
                t0 = System.nanoTime();
                for (int j = 0; j < gets; j++) {
                    String name = String.format("cm-%07d", ThreadLocalRandom.current().nextInt(n));
                    long s = System.nanoTime();
                    if (client.configMaps().inNamespace(NS).withName(name).get() == null) throw new IllegalStateException(name);
                    get1.add(System.nanoTime() - s);
                }
                get1.wall(System.nanoTime() - t0);
                rows.add(get1.row("get, 1 thread"));
                Stats get4 = new Stats(gets * 2);
                AtomicInteger left = new AtomicInteger(gets * 2);
                t0 = System.nanoTime();
                parallel(4, () -> {
                    while (left.getAndDecrement() > 0) {
                        String name = String.format("cm-%07d", ThreadLocalRandom.current().nextInt(n));
                        long s = System.nanoTime();
                        client.configMaps().inNamespace(NS).withName(name).get();
                        get4.add(System.nanoTime() - s);
                    }
                });
                get4.wall(System.nanoTime() - t0);
                rows.add(get4.row("get, 4 threads"));

                int lists = 3;
                Stats listAll = new Stats(lists);
                t0 = System.nanoTime();
                for (int j = 0; j < lists; j++) {
                    long s = System.nanoTime();
                    int got = client.configMaps().inNamespace(NS).list().getItems().size();
                    listAll.add(System.nanoTime() - s);
                    if (got != n) throw new IllegalStateException("listed " + got);
                }
                listAll.wall(System.nanoTime() - t0);
                rows.add(listAll.row("list all " + n + " (no limit)"));
                Stats page = new Stats(n / 500 * lists);
                Stats fullPaged = new Stats(lists);
                t0 = System.nanoTime();
                for (int j = 0; j < lists; j++) {
                    String cont = null;
                    int got = 0;
                    long f = System.nanoTime();
                    do {
                        long s = System.nanoTime();
                        ConfigMapList l = client.configMaps().inNamespace(NS)
                                .list(new ListOptionsBuilder().withLimit(500L).withContinue(cont).build());
                        page.add(System.nanoTime() - s);
                        got += l.getItems().size();
                        cont = l.getMetadata().getContinue();
                    } while (cont != null && !cont.isEmpty());
                    fullPaged.add(System.nanoTime() - f);
                    if (got != n) throw new IllegalStateException("paged " + got);
                }
                page.wall(System.nanoTime() - t0);
                fullPaged.wall(System.nanoTime() - t0);
                rows.add(page.row("list page (limit=500)"));
                rows.add(fullPaged.row("list all " + n + " in pages of 500"));
                Stats selector = new Stats(lists * 3);
                t0 = System.nanoTime();
                for (int j = 0; j < lists * 3; j++) {
                    long s = System.nanoTime();
                    client.configMaps().inNamespace(NS).withLabel("shard", Integer.toString(j % 10)).list();
                    selector.add(System.nanoTime() - s);
                }
                selector.wall(System.nanoTime() - t0);
                rows.add(selector.row("list -l shard=K (" + n / 10 + " of " + n + ")"));

                rows.add(watch(client, n, watchers));
            } finally {
                client.close();
            }
        } finally {
            server.close();
            StoreBench.deleteTree(dir);
        }
        System.out.printf(Locale.ROOT, "### HTTP API, %s store, %,d ConfigMaps%n%n%s%n", kind, n, Stats.header());
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println("- " + memNote);
        System.out.println();
        System.out.flush();
    }

    private static String watch(KubernetesClient client, int n, int watchers) throws Exception {
        int updates = Math.min(n, 2_000);
        String rv = client.configMaps().inNamespace(NS).list(new ListOptionsBuilder().withLimit(1L).build())
                .getMetadata().getResourceVersion();
        Stats lat = new Stats(updates * watchers);
        AtomicLong delivered = new AtomicLong();
        List<Watch> ws = new ArrayList<>();
        for (int w = 0; w < watchers; w++) {
            ws.add(client.configMaps().inNamespace(NS).watch(new ListOptionsBuilder().withResourceVersion(rv).build(),
                    new Watcher<ConfigMap>() {
                        @Override
                        public void eventReceived(Action action, ConfigMap cm) {
                            String sent = cm.getMetadata().getAnnotations() == null ? null
                                    : cm.getMetadata().getAnnotations().get("bench/sent");
                            if (sent != null) lat.add(System.nanoTime() - Long.parseLong(sent));
                            delivered.incrementAndGet();
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            // ends with the run
                        }
                    }));
        }
        long t0 = System.nanoTime();
        for (int j = 0; j < updates; j++) {
            String name = String.format("cm-%07d", j % n);
            client.configMaps().inNamespace(NS).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"bench/sent\":\"" + System.nanoTime() + "\"}}}");
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (delivered.get() < (long) updates * watchers && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        lat.wall(System.nanoTime() - t0);
        ws.forEach(Watch::close);
        if (delivered.get() < (long) updates * watchers) {
            throw new IllegalStateException("watch delivered " + delivered + " of " + (long) updates * watchers);
        }
        return lat.row("watch: merge-patch → event at " + watchers + " watchers (latency from send)");
    }

    private static void parallel(int threads, Runnable work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) fs.add(pool.submit(work));
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
