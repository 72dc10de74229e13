package io.dualstack.bench.converge;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.client.Clients;
import io.dualstack.controllers.ControllerManager;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The live system: the API server (memory store, HTTPS) and the ControllerManager (node IPAM,
 * scheduler, EndpointSlice and Endpoints controllers) in one JVM, driven through fabric8 the way
 * node agents and users would: create N nodes → time until every node has podCIDRs; create S
 * RequireDualStack Services and P pods (nodeName preset, then status with one IP per family and
 * Ready, as the node agent writes it) → time until every Service has its IPv4 and IPv6 slices
 * with all endpoints; then K single endpoint changes (a pod's Ready flips) → time until the
 * change is visible in its slice (watched from the bench's own informer). Heap after GC before the
 * controllers start and after convergence (the difference is the controllers' caches and queues).
 *
 * <pre>java -cp 'bench/target-ctl/classes:bench/target-ctl/lib/*' io.dualstack.bench.converge.LiveConverge [nodes services podsPerService samples]</pre>
 */
public final class LiveConverge {
    public static void main(String[] args) throws Exception {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int services = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int perService = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int pods = services * perService;
        int threads = 8;
        ClusterPlan plan = plan();
        Path dir = Files.createTempDirectory("converge");
        ApiServer server = new ApiServer(ApiServerConfig.of(dir, plan, d -> Stores.memory()));
        server.start();
        System.out.printf(Locale.ROOT, "live: %d nodes, %d dual-stack services, %d pods (%d per service), %d writer threads; "
                        + "API server + controllers + load generator in one JVM; %d cores, load average %.1f%n",
                nodes, services, pods, perService, threads, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (KubernetesClient client = Clients.forServer(server.url(), server.pki().caPem(), server.token());
             KubernetesClient controllerClient = Clients.forServer(server.url(), server.pki().caPem(), server.token())) {
            for (int n = 0; n < 10; n++) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("ns-" + n).endMetadata().build()).create();
            }
            long heapApiOnly = usedHeap();
            ControllerManager cm = new ControllerManager(controllerClient, plan,
                    ControllerManager.Options.defaults().withControllers(Set.of("nodeipam", "scheduler", "endpointslice", "endpoints")));
            long t0 = System.nanoTime();
            cm.start();
            System.out.printf(Locale.ROOT, "controller-manager start (informers listed): %.0f ms%n", (System.nanoTime() - t0) / 1e6);

            // --- nodes
            t0 = System.nanoTime();
            parallel(pool, nodes, i -> client.nodes().resource(new NodeBuilder().withNewMetadata().withName(node(i))
                    .addToLabels("kubernetes.io/hostname", node(i)).endMetadata().build()).create());
            long nodesCreated = System.nanoTime();
            waitUntil(() -> client.nodes().list().getItems().stream().allMatch(n -> n.getSpec() != null && n.getSpec().getPodCIDRs() != null
                    && n.getSpec().getPodCIDRs().size() == 2));
            long ipamDone = System.nanoTime();
            Map<String, List<String>> cidrs = new ConcurrentHashMap<>();
            for (Node n : client.nodes().list().getItems()) cidrs.put(n.getMetadata().getName(), n.getSpec().getPodCIDRs());
            System.out.printf(Locale.ROOT, "node IPAM: %d nodes created in %.0f ms; all have podCIDRs (both families) %.0f ms after the first create%n",
                    nodes, (nodesCreated - t0) / 1e6, (ipamDone - t0) / 1e6);

            // --- slices informer (the observer)
            SharedIndexInformer<EndpointSlice> observed = client.resources(EndpointSlice.class).inAnyNamespace().inform();
            AtomicReference<Probe> probe = new AtomicReference<>();
            observed.addEventHandler(new ResourceEventHandler<EndpointSlice>() {
                @Override public void onAdd(EndpointSlice s) { check(s); }
                @Override public void onUpdate(EndpointSlice o, EndpointSlice s) { check(s); }
                @Override public void onDelete(EndpointSlice s, boolean unknown) { }
                void check(EndpointSlice s) {
                    Probe p = probe.get();
                    if (p == null || s.getEndpoints() == null) return;
                    for (Endpoint e : s.getEndpoints()) {
                        if (e.getTargetRef() != null && p.pod.equals(e.getTargetRef().getName()) && p.ns.equals(e.getTargetRef().getNamespace())
                                && Boolean.valueOf(p.ready).equals(e.getConditions().getReady())) {
                            p.seen.countDown();
                        }
                    }
                }
            });

            // --- services and pods
            t0 = System.nanoTime();
            parallel(pool, services, s -> client.services().inNamespace(ns(s)).resource(new ServiceBuilder().withNewMetadata().withName(svc(s)).endMetadata()
                    .withNewSpec().withSelector(Map.of("app", svc(s))).withIpFamilyPolicy("RequireDualStack")
                    .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").withTargetPort(new IntOrString("http")).build())
                    .endSpec().build()).create());
            int[] hostCounter = new int[nodes];
            parallel(pool, pods, p -> {
                int s = p % services;
                int n = p % nodes;
                int host;
                synchronized (hostCounter) {
                    host = ++hostCounter[n] + 1;
                }
                String name = svc(s) + "-" + p;
                client.pods().inNamespace(ns(s)).resource(new PodBuilder().withNewMetadata().withName(name).addToLabels("app", svc(s)).endMetadata()
                        .withNewSpec().withNodeName(node(n)).addNewContainer().withName("c").withImage("nginx")
                        .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).withProtocol("TCP").build())
                        .endContainer().endSpec().build()).create();
                List<String> c = cidrs.get(node(n));
                setStatus(client, ns(s), name, addr(c.get(0), host), addr(c.get(1), host), true);
            });
            long writesDone = System.nanoTime();
            waitUntil(() -> {
                List<EndpointSlice> all = client.resources(EndpointSlice.class).inAnyNamespace().list().getItems();
                // Only the bench's namespaces: default/kubernetes has its own EndpointSlice too.
                long full = all.stream().filter(x -> x.getMetadata().getNamespace().startsWith("ns-"))
                        .filter(x -> x.getEndpoints() != null && !x.getEndpoints().isEmpty()
                        && x.getEndpoints().stream().allMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady()))).mapToInt(x -> x.getEndpoints().size()).sum();
                return full == 2L * pods;
            });
            long converged = System.nanoTime();
            System.out.printf(Locale.ROOT, "services+pods: %d writes (service create, pod create, pod status) in %.0f ms (%.0f writes/s); "
                            + "all %d slices complete %.0f ms after the last write, %.0f ms after the first%n",
                    services + 2 * pods, (writesDone - t0) / 1e6, (services + 2.0 * pods) / ((writesDone - t0) / 1e9),
                    2 * services, (converged - writesDone) / 1e6, (converged - t0) / 1e6);
            waitUntil(cm::idle);
            long heapAll = usedHeap();

            // --- one endpoint change at a time
            Random rnd = new Random(7);
            long[] lat = new long[samples];
            for (int i = 0; i < samples; i++) {
                int p = rnd.nextInt(pods);
                int s = p % services;
                String name = svc(s) + "-" + p;
                Pod cur = client.pods().inNamespace(ns(s)).withName(name).get();
                boolean ready = !"True".equals(cur.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow().getStatus());
                Probe pr = new Probe(ns(s), name, ready);
                probe.set(pr);
                long a = System.nanoTime();
                setStatus(client, ns(s), name, cur.getStatus().getPodIPs().get(0).getIp(), cur.getStatus().getPodIPs().get(1).getIp(), ready);
                if (!pr.seen.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("change of " + name + " never reached its slices");
                lat[i] = System.nanoTime() - a;
            }
            probe.set(null);
            Arrays.sort(lat);
            System.out.printf(Locale.ROOT, "one endpoint change (pod Ready flipped through the API) → visible in both family slices at a watcher: "
                    + "p50 %.1f ms, p90 %.1f ms, max %.1f ms (%d samples)%n", lat[samples / 2] / 1e6, lat[samples * 9 / 10] / 1e6, lat[samples - 1] / 1e6, samples);
            observed.close();
            cm.close();
            long heapWithoutControllers = usedHeap();
            System.out.printf(Locale.ROOT, "heap after GC: empty cluster %d MiB; converged (API server objects + controllers) %d MiB; "
                            + "after closing the controller manager %d MiB → controllers' informer caches and queues ≈ %d MiB%n",
                    heapApiOnly >> 20, heapAll >> 20, heapWithoutControllers >> 20, (heapAll - heapWithoutControllers) >> 20);
        } finally {
            pool.shutdownNow();
            server.close();
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    record Probe(String ns, String pod, boolean ready, CountDownLatch seen) {
        Probe(String ns, String pod, boolean ready) {
            this(ns, pod, ready, new CountDownLatch(2));
        }
    }

    static void setStatus(KubernetesClient client, String ns, String name, String v4, String v6, boolean ready) {
        String json = "{\"status\":{\"phase\":\"Running\",\"podIP\":\"" + v4 + "\",\"podIPs\":[{\"ip\":\"" + v4 + "\"},{\"ip\":\"" + v6 + "\"}],"
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\",\"lastTransitionTime\":\""
                + Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}]}}";
        client.pods().inNamespace(ns).withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json);
    }

    static String addr(String cidr, int host) {
        IPAddress a = new IPAddressString(cidr).getAddress();
        return a.getLower().increment(host).withoutPrefixLength().toCanonicalString();
    }

    static String node(int i) {
        return "node-" + i;
    }

    static String ns(int s) {
        return "ns-" + (s % 10);
    }

    static String svc(int s) {
        return "svc-" + s;
    }

    static ClusterPlan plan() {
        List<IPAddress> svc = List.of(ip("10.96.0.0/16"), ip("fd00:10:96::/112"));
        List<IPAddress> pods = List.of(ip("10.0.0.0/8"), ip("fd00:10::/48"));
        return new ClusterPlan(svc, pods, 24, 64, List.of(ip("172.18.0.0/16"), ip("fc00:f853:ccd:e793::/64")),
                List.of(new ClusterPlan.NodePlan("bench-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of())),
                pods, "nftables", ClusterPlan.PortRange.DEFAULT_NODE_PORTS, "cluster.local");
    }

    static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static void parallel(ExecutorService pool, int n, IntConsumer task) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        int chunks = 64;
        for (int c = 0; c < chunks; c++) {
            int start = c;
            fs.add(pool.submit(() -> {
                for (int i = start; i < n; i += chunks) task.accept(i);
            }));
        }
        for (Future<?> f : fs) f.get();
    }

    static void waitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) throw new IllegalStateException("did not converge in 30 minutes");
            Thread.sleep(200);
        }
    }

    static long usedHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
