package io.dualstack.bench.alloc;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.apiserver.service.FamilyIpAllocator;
import io.dualstack.apiserver.service.ServiceAdmission;
import io.dualstack.apiserver.storage.MemoryStore;
import io.dualstack.apiserver.storage.StoreOptions;
import io.dualstack.client.Clients;
import io.dualstack.core.IpFamily;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ClusterIP allocation, measured three ways for each family, each with a peer in the same run:
 * <ol>
 *   <li>fill a whole range (a /16 and a /112) with {@code allocateNext}; peer: a naive allocator
 *       that probes random addresses against a {@code HashSet} until it finds a free one;</li>
 *   <li>steady-state allocate+release at 50% occupancy, 1 and 4 threads;</li>
 *   <li>Service admission in process ({@code ServiceStrategy} create → validate → commit) and over
 *       HTTPS (fabric8, memory store); peer: ConfigMap creates on the same server.</li>
 * </ol>
 * Usage: {@code java -cp ... io.dualstack.bench.alloc.AllocBench [httpCount]}.
 */
public final class AllocBench {
    public static void main(String[] args) throws Exception {
        int httpN = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        System.out.printf("# AllocBench  cpus=%d  java=%s  loadavg=%s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadavg());
        for (String cidr : List.of("10.96.0.0/16", "fd00:10:96::/112")) fill(cidr);
        for (String cidr : List.of("10.96.0.0/16", "fd00:10:96::/112")) {
            steady(cidr, 1);
            steady(cidr, 4);
        }
        inProcess("IPv4 SingleStack", "SingleStack", "IPv4", 20000);
        inProcess("IPv6 SingleStack", "SingleStack", "IPv6", 20000);
        inProcess("RequireDualStack", "RequireDualStack", null, 20000);
        http(httpN);
        System.out.printf("# done  loadavg=%s%n", loadavg());
    }

    static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "?";
        }
    }

    static void fill(String cidr) {
        long bestOurs = Long.MAX_VALUE, bestPeer = Long.MAX_VALUE;
        int n = 0;
        for (int round = 0; round < 8; round++) {
            FamilyIpAllocator fa = new FamilyIpAllocator(IpFamily.of(ip(cidr)), true, new Random(round));
            fa.addRange("kubernetes", ip(cidr));
            long t0 = System.nanoTime();
            n = 0;
            try {
                while (true) {
                    fa.allocateNext();
                    n++;
                }
            } catch (RuntimeException full) {
                // range is full
            }
            long ours = System.nanoTime() - t0;
            // peer: random probing into a HashSet over the same usable offsets
            long usable = n;
            Random r = new Random(round);
            Set<Long> held = new HashSet<>();
            long t1 = System.nanoTime();
            while (held.size() < usable) {
                long off;
                do {
                    off = (long) (r.nextDouble() * usable);
                } while (held.contains(off));
                held.add(off);
            }
            long peer = System.nanoTime() - t1;
            bestOurs = Math.min(bestOurs, ours);
            bestPeer = Math.min(bestPeer, peer);
        }
        System.out.printf(Locale.ROOT, "fill %-18s %6d addrs  bitmap+bands: %7.1f ms (%5.0f ns/alloc)   peer random-probe HashSet: %7.1f ms (%5.0f ns/alloc)  [best of 8]%n",
                cidr, n, bestOurs / 1e6, (double) bestOurs / n, bestPeer / 1e6, (double) bestPeer / n);
    }

    static void steady(String cidr, int threads) throws Exception {
        FamilyIpAllocator fa = new FamilyIpAllocator(IpFamily.of(ip(cidr)), true, new Random(1));
        fa.addRange("kubernetes", ip(cidr));
        int half = 32767;
        for (int i = 0; i < half; i++) fa.allocateNext();
        int ops = 400_000 / threads;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int warm = 0; warm < 2; warm++) {
            List<Future<?>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < ops; i++) {
                        IPAddress a = fa.allocateNext();
                        fa.release(a);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            long dt = System.nanoTime() - t0;
            if (warm == 1) {
                System.out.printf(Locale.ROOT, "steady %-16s threads=%d  %,10.0f allocate+release/s (50%% full)%n", cidr, threads,
                        (double) ops * threads / (dt / 1e9));
            }
        }
        pool.shutdown();
    }

    static ClusterPlan plan() {
        List<IPAddress> svc = List.of(ip("10.96.0.0/16"), ip("fd00:10:96::/112"));
        List<IPAddress> pods = List.of(ip("10.244.0.0/16"), ip("fd00:10:244::/56"));
        return new ClusterPlan(svc, pods, 24, 64, List.of(ip("172.18.0.0/16"), ip("fc00:f853:ccd:e793::/64")),
                List.of(new ClusterPlan.NodePlan("bench-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of())),
                pods, "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");
    }

    /** A context that commits at once and stages into nowhere (allocation and validation cost only). */
    static final class Ctx implements AdmissionContext {
        final List<Runnable> commits = new ArrayList<>();

        public boolean dryRun() {
            return false;
        }

        public <R extends HasMetadata> Optional<R> get(ResourceType type, String namespace, String name) {
            return Optional.empty();
        }

        public <R extends HasMetadata> List<R> list(ResourceType type, String namespace) {
            return List.of();
        }

        public void stageCreate(ResourceType type, HasMetadata obj) {}

        public void stageUpdate(ResourceType type, HasMetadata obj) {}

        public void stageDelete(ResourceType type, String namespace, String name) {}

        public void onCommit(Runnable action) {
            commits.add(action);
        }

        public void onAbort(Runnable action) {}
    }

    static Service service(String name, String policy, String family) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).withNamespace("bench").endMetadata()
                .withNewSpec().withIpFamilyPolicy(policy).addToSelector("app", "x").addNewPort().withPort(80).endPort().endSpec();
        if (family != null) b.editSpec().withIpFamilies(family).endSpec();
        return b.build();
    }

    @SuppressWarnings("unchecked")
    static void inProcess(String label, String policy, String family, int n) {
        for (int round = 0; round < 2; round++) {
            ServiceAdmission sa = new ServiceAdmission(plan());
            ResourceStrategy<Service> st = (ResourceStrategy<Service>) sa.strategies().get(ResourceCatalog.SERVICES);
            List<Service> done = new ArrayList<>(n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Service s = service("s" + i, policy, family);
                Ctx ctx = new Ctx();
                st.prepareForCreate(s, ctx);
                if (!st.validateCreate(s).isEmpty()) throw new IllegalStateException("invalid");
                ctx.commits.forEach(Runnable::run);
                done.add(s);
            }
            long dt = System.nanoTime() - t0;
            if (round == 1) {
                System.out.printf(Locale.ROOT, "in-process create %-18s %,8.0f Services/s (%d creates, %.1f µs each)%n", label,
                        n / (dt / 1e9), n, dt / 1e3 / n);
            }
        }
    }

    static void http(int n) throws Exception {
        Path dir = Files.createTempDirectory("allocbench");
        ApiServer server = new ApiServer(ApiServerConfig.of(dir, plan(), d -> new MemoryStore(StoreOptions.defaults())));
        try {
            server.start();
            KubernetesClient client = Clients.forServer(server.url(), server.pki().caPem(), server.token());
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata().build()).create();
            int threads = 4;
            for (int w = 0; w < 300; w++) { // warm the server and the client (JIT, connections)
                client.services().inNamespace("bench").resource(service("warm-" + w, "RequireDualStack", null)).create();
                client.configMaps().inNamespace("bench").resource(new ConfigMapBuilder().withNewMetadata().withName("warm-" + w)
                        .endMetadata().addToData("k", "v").build()).create();
            }
            for (String[] shape : new String[][]{{"SingleStack", "IPv4"}, {"SingleStack", "IPv6"}, {"RequireDualStack", null}, {"configmap", null}}) {
                AtomicInteger next = new AtomicInteger();
                String prefix = (shape[0] + (shape[1] == null ? "" : shape[1])).toLowerCase(Locale.ROOT);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<?>> fs = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> {
                        int i;
                        while ((i = next.getAndIncrement()) < n) {
                            String name = prefix + "-" + i;
                            if (shape[0].equals("configmap")) {
                                client.configMaps().inNamespace("bench").resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                                        .endMetadata().addToData("k", "v").build()).create();
                            } else {
                                client.services().inNamespace("bench").resource(service(name, shape[0], shape[1])).create();
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) f.get();
                long dt = System.nanoTime() - t0;
                pool.shutdown();
                System.out.printf(Locale.ROOT, "https create %-22s threads=%d %,8.0f/s (%d objects)%s%n", shape[0] + (shape[1] == null ? "" : " " + shape[1]),
                        threads, n / (dt / 1e9), n, shape[0].equals("configmap") ? "   <- peer: same server, no allocation" : "");
            }
            client.close();
        } finally {
            server.close();
        }
    }
}
