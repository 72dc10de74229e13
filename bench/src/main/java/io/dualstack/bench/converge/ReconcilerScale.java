package io.dualstack.bench.converge;

import inet.ipaddr.IPAddressString;
import io.dualstack.controllers.endpoints.EndpointsReconciler;
import io.dualstack.controllers.endpointslice.SliceReconciler;
import io.dualstack.controllers.nodeipam.RangeAllocator;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The pure controllers at Kubernetes' scalability limits, in one JVM without the API: 5,000 nodes
 * through the range allocator (IPv4 /8 with /24 nodes, IPv6 /48 with /64 nodes), then 150,000
 * dual-stack pods behind 10,000 RequireDualStack Services (15 pods each, spread over the nodes)
 * through the EndpointSlice reconciler and the Endpoints reconciler: the full initial
 * computation, the steady-state resync (existing slices in hand, nothing to change: the peer), one
 * endpoint change (a pod's readiness flips) reconciled against its Service's existing slices, and
 * the heap holding pods + slices.
 *
 * <pre>java -cp 'bench/target-ctl/classes:bench/target-ctl/lib/*' io.dualstack.bench.converge.ReconcilerScale [nodes pods services]</pre>
 */
public final class ReconcilerScale {
    public static void main(String[] args) {
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int pods = args.length > 1 ? Integer.parseInt(args[1]) : 150_000;
        int services = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        System.out.printf(Locale.ROOT, "pure reconcilers: %d nodes, %d pods, %d dual-stack services; %d cores, max heap %d MiB%n",
                nodes, pods, services, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        long heap0 = usedHeap();

        // --- node IPAM
        RangeAllocator allocator = new RangeAllocator(List.of(new IPAddressString("10.0.0.0/8").getAddress(),
                new IPAddressString("fd00:10::/48").getAddress()), List.of(24, 64), List.of(new IPAddressString("10.96.0.0/12").getAddress()));
        List<List<String>> nodeCidrs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < nodes; i++) nodeCidrs.add(((RangeAllocator.Allocated) allocator.allocate()).strings());
        long allocNs = System.nanoTime() - t0;
        RangeAllocator rebuilt = new RangeAllocator(List.of(new IPAddressString("10.0.0.0/8").getAddress(),
                new IPAddressString("fd00:10::/48").getAddress()), List.of(24, 64), List.of(new IPAddressString("10.96.0.0/12").getAddress()));
        t0 = System.nanoTime();
        for (int i = 0; i < nodes; i++) rebuilt.occupy("n" + i, nodeCidrs.get(i));
        long rebuildNs = System.nanoTime() - t0;
        System.out.printf(Locale.ROOT, "node IPAM: allocate %d nodes (2 families) %.1f ms (%.2f us/node); restart rebuild (occupy) %.1f ms%n",
                nodes, allocNs / 1e6, allocNs / 1e3 / nodes, rebuildNs / 1e6);

        // --- objects
        Map<String, Node> nodeByName = new HashMap<>();
        for (int i = 0; i < nodes; i++) {
            String name = "node-" + i;
            nodeByName.put(name, new NodeBuilder().withNewMetadata().withName(name).addToLabels("topology.kubernetes.io/zone", "zone-" + (i % 3))
                    .endMetadata().withNewSpec().withPodCIDR(nodeCidrs.get(i).get(0)).withPodCIDRs(nodeCidrs.get(i)).endSpec().build());
        }
        List<Service> svcs = new ArrayList<>(services);
        for (int s = 0; s < services; s++) {
            svcs.add(new ServiceBuilder().withNewMetadata().withName("svc-" + s).withNamespace("ns-" + (s % 100)).withUid("svc-uid-" + s)
                    .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
                    .withNewSpec().withSelector(Map.of("app", "svc-" + s)).withClusterIP("10.96." + (s / 250) + "." + (s % 250 + 1))
                    .withIpFamilies("IPv4", "IPv6").withIpFamilyPolicy("RequireDualStack")
                    .withPorts(new ServicePortBuilder().withName("http").withPort(80).withProtocol("TCP").withTargetPort(new IntOrString("http")).build())
                    .endSpec().build());
        }
        List<List<Pod>> podsBySvc = new ArrayList<>(services);
        for (int s = 0; s < services; s++) podsBySvc.add(new ArrayList<>());
        int[] nextHost = new int[nodes];
        for (int p = 0; p < pods; p++) {
            int s = p % services;
            int n = p % nodes;
            int host = ++nextHost[n] + 1;
            String v4 = new IPAddressString(nodeCidrs.get(n).get(0)).getAddress().getLower().increment(host).withoutPrefixLength().toCanonicalString();
            String v6 = new IPAddressString(nodeCidrs.get(n).get(1)).getAddress().getLower().increment(host).withoutPrefixLength().toCanonicalString();
            podsBySvc.get(s).add(pod("svc-" + s + "-" + p, "ns-" + (s % 100), "svc-" + s, "node-" + n, v4, v6, true));
        }
        long heapObjects = usedHeap();

        // --- full initial EndpointSlice computation
        SliceReconciler reconciler = new SliceReconciler(100);
        List<List<EndpointSlice>> slices = new ArrayList<>(services);
        t0 = System.nanoTime();
        int created = 0;
        int sliceSeq = 0;
        for (int s = 0; s < services; s++) {
            var changes = reconciler.reconcile(svcs.get(s), podsBySvc.get(s), n -> Optional.ofNullable(nodeByName.get(n)), List.of(), Optional.empty());
            List<EndpointSlice> persisted = new ArrayList<>();
            for (EndpointSlice sl : changes.create()) {
                persisted.add(new EndpointSliceBuilder(sl).editMetadata().withName("svc-" + s + "-" + (sliceSeq++)).withResourceVersion("1").endMetadata().build());
            }
            created += persisted.size();
            slices.add(persisted);
        }
        long fullNs = System.nanoTime() - t0;
        long heapSlices = usedHeap();
        System.out.printf(Locale.ROOT, "EndpointSlices: initial computation of %d slices for %d services: %.0f ms (%.1f us/service)%n",
                created, services, fullNs / 1e6, fullNs / 1e3 / services);

        // --- steady-state resync (peer): existing slices, nothing changed
        t0 = System.nanoTime();
        int writes = 0;
        for (int s = 0; s < services; s++) {
            var changes = reconciler.reconcile(svcs.get(s), podsBySvc.get(s), n -> Optional.ofNullable(nodeByName.get(n)), slices.get(s), Optional.empty());
            writes += changes.create().size() + changes.update().size() + changes.delete().size();
        }
        long resyncNs = System.nanoTime() - t0;
        System.out.printf(Locale.ROOT, "EndpointSlices: full resync with nothing changed: %.0f ms, %d writes (expected 0)%n", resyncNs / 1e6, writes);

        // --- one endpoint change
        Random rnd = new Random(42);
        int samples = 2000;
        long[] lat = new long[samples];
        for (int i = 0; i < samples; i++) {
            int s = rnd.nextInt(services);
            List<Pod> ps = new ArrayList<>(podsBySvc.get(s));
            int k = rnd.nextInt(ps.size());
            Pod flipped = new PodBuilder(ps.get(k)).editStatus().editFirstCondition().withStatus("False").endCondition().endStatus().build();
            ps.set(k, flipped);
            long a = System.nanoTime();
            var changes = reconciler.reconcile(svcs.get(s), ps, n -> Optional.ofNullable(nodeByName.get(n)), slices.get(s), Optional.empty());
            lat[i] = System.nanoTime() - a;
            if (changes.update().size() != 2 || !changes.create().isEmpty()) throw new IllegalStateException("unexpected changes " + changes);
        }
        Arrays.sort(lat);
        System.out.printf(Locale.ROOT, "EndpointSlices: one readiness change → 2 slice updates (one per family): p50 %.1f us, p99 %.1f us (%d samples)%n",
                lat[samples / 2] / 1e3, lat[samples * 99 / 100] / 1e3, samples);

        // --- Endpoints (legacy), full computation
        t0 = System.nanoTime();
        long addrs = 0;
        for (int s = 0; s < services; s++) {
            var e = EndpointsReconciler.desired(svcs.get(s), podsBySvc.get(s), Optional.empty(), Optional.empty()).orElseThrow();
            addrs += e.getSubsets().stream().mapToLong(x -> x.getAddresses() == null ? 0 : x.getAddresses().size()).sum();
        }
        long epNs = System.nanoTime() - t0;
        System.out.printf(Locale.ROOT, "Endpoints: %d objects (%d IPv4 addresses) computed in %.0f ms%n", services, addrs, epNs / 1e6);

        System.out.printf(Locale.ROOT, "heap after GC: baseline %d MiB; + nodes/services/pods %d MiB; + slices %d MiB%n",
                heap0 >> 20, (heapObjects - heap0) >> 20, (heapSlices - heapObjects) >> 20);
        if (slices.isEmpty() || podsBySvc.isEmpty() || nodeByName.isEmpty()) System.out.println();
    }

    static Pod pod(String name, String ns, String app, String node, String v4, String v6, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).withUid("uid-" + name).addToLabels("app", app).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("c").withImage("nginx")
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).withProtocol("TCP").build()).endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(v4).withPodIPs(new PodIPBuilder().withIp(v4).build(), new PodIPBuilder().withIp(v6).build())
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus().build();
    }

    static long usedHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
