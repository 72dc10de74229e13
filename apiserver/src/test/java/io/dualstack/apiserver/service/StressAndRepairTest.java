package io.dualstack.apiserver.service;

import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.service.Cluster.Layout;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrency and restart: many concurrent creates/updates/deletes across both families never hold
 * an IP or port twice and leak nothing; a restart (or a crash mid-write) rebuilds exactly the
 * stored state, like upstream's repair controllers.
 */
class StressAndRepairTest {
    static final String[] SHAPES = {
            "ipFamilyPolicy: SingleStack", "ipFamilyPolicy: PreferDualStack", "ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6]",
            "type: NodePort, ipFamilyPolicy: RequireDualStack", "type: LoadBalancer, externalTrafficPolicy: Local, ipFamilyPolicy: PreferDualStack",
            "type: NodePort", "clusterIP: None"};

    @Test
    void concurrentCreatesAndDeletesNeverDoubleAllocateNorLeak() throws Exception {
        Cluster c = new Cluster(Layout.V4V6);
        int threads = 4, perThread = 150;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            fs.add(pool.submit(() -> {
                Random r = new Random(id);
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                    String name = "s" + id + "-" + i;
                    String shape = SHAPES[r.nextInt(SHAPES.length)];
                    c.create(Cluster.svc("{metadata: {name: " + name + "}, spec: {selector: {app: x}, ports: [{port: 80}], " + shape + "}}"), false);
                    mine.add(name);
                    if (r.nextInt(3) == 0) {
                        String victim = mine.remove(r.nextInt(mine.size()));
                        c.delete(victim);
                    } else if (r.nextInt(4) == 0) {
                        String target = mine.get(r.nextInt(mine.size()));
                        Service s = c.get(target);
                        if (!ServiceValidation.isHeadless(s)) {
                            s.getSpec().setIpFamilyPolicy(s.getSpec().getIpFamilies().size() == 1 ? "PreferDualStack" : "SingleStack");
                            c.update(s);
                        }
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(5, TimeUnit.MINUTES);
        pool.shutdown();
        audit(c);
        // restart: a new admission over the same store holds exactly the same
        Cluster restarted = new Cluster(c.plan, c.store, 99);
        audit(restarted);
        assertThat(restarted.admission.lastRepair().events()).isEmpty();
        assertThat(restarted.admission.lastRepair().ipAddressesToCreate()).isEmpty();
        assertThat(restarted.admission.lastRepair().ipAddressesToDelete()).isEmpty();
        for (var e : c.admission.allocators().clusterIps().entrySet()) {
            assertThat(restarted.admission.allocators().clusterIps().get(e.getKey()).allocated()).isEqualTo(e.getValue().allocated());
        }
        assertThat(restarted.admission.allocators().nodePorts().allocated()).isEqualTo(c.admission.allocators().nodePorts().allocated());
    }

    @Test
    void crashBetweenAllocationAndCommitLeaksNothingAfterRestart() {
        Cluster c = new Cluster(Layout.V4V6);
        c.create(ServiceCreateTableTest.s("type: NodePort, ipFamilyPolicy: RequireDualStack"));
        // admission ran (IPs and ports reserved in memory) but the process died before the write
        Service doomed = Cluster.svc("{metadata: {name: doomed}, spec: {selector: {app: x}, type: NodePort, ipFamilyPolicy: RequireDualStack, ports: [{port: 80}]}}");
        c.strategy(ResourceCatalog.SERVICES).prepareForCreate(doomed, new FakeContext(c.store, false));
        assertThat(c.admission.allocators().nodePorts().allocatedCount()).isEqualTo(2);
        Cluster restarted = new Cluster(c.plan, c.store, 5);
        assertThat(restarted.admission.allocators().nodePorts().allocatedCount()).isEqualTo(1);
        audit(restarted);
    }

    @Test
    void repairReportsDuplicatesAndFixesIpAddressObjects() {
        Cluster c = new Cluster(Layout.V4);
        Service a = c.create(Cluster.svc("{metadata: {name: a}, spec: {selector: {app: x}, type: NodePort, ports: [{port: 80}]}}"), false);
        // a second Service claiming the same IP and port, written behind the allocator's back
        Service b = Cluster.copy(a);
        b.getMetadata().setName("b");
        b.getMetadata().setCreationTimestamp("2999-01-01T00:00:00Z");
        c.store.put(ResourceCatalog.SERVICES, b);
        // a leaked IPAddress object and a missing one
        c.store.put(ResourceCatalog.IPADDRESSES, ServiceStrategy.ipAddressObject(AllocatorTest.ip("10.96.9.9"), "default", "gone"));
        c.store.remove(ResourceCatalog.IPADDRESSES, null, a.getSpec().getClusterIP());

        Cluster restarted = new Cluster(c.plan, c.store, 1);
        Repair.Report r = restarted.admission.lastRepair();
        assertThat(r.events()).extracting(e -> e.getReason() + " " + e.getInvolvedObject().getName() + ": " + e.getMessage()).containsExactly(
                "ClusterIPAlreadyAllocated b: Cluster IP [IPv4]:" + a.getSpec().getClusterIP() + " was assigned to multiple services; please recreate service",
                "PortAlreadyAllocated b: Port " + a.getSpec().getPorts().get(0).getNodePort() + " was assigned to multiple services; please recreate service");
        assertThat(r.events()).allSatisfy(e -> assertThat(e.getType()).isEqualTo("Warning"));
        assertThat(r.ipAddressesToDelete()).containsExactly("10.96.9.9");
        assertThat(r.ipAddressesToCreate()).extracting(o -> o.getMetadata().getName() + " " + o.getSpec().getParentRef().getName())
                .containsExactly(a.getSpec().getClusterIP() + " a");
        assertThat(restarted.admission.allocators().clusterIps().values().iterator().next().isAllocated(AllocatorTest.ip("10.96.9.9"))).isFalse();
        // the leaked object does not block a Service from getting that address: it is overwritten
        Service c2 = restarted.create(ServiceCreateTableTest.s("clusterIP: 10.96.9.9"));
        FakeContext probe = new FakeContext(restarted.store, false);
        IPAddress now = probe.<IPAddress>get(ResourceCatalog.IPADDRESSES, null, "10.96.9.9").orElseThrow();
        assertThat(now.getSpec().getParentRef().getName()).isEqualTo(c2.getMetadata().getName());
        // that first write also carried the repair: Warning Events stored, the missing IPAddress created
        assertThat(restarted.store.<io.fabric8.kubernetes.api.model.Event>list(ResourceCatalog.EVENTS, "default"))
                .extracting(io.fabric8.kubernetes.api.model.Event::getReason)
                .containsExactlyInAnyOrder("ClusterIPAlreadyAllocated", "PortAlreadyAllocated");
        assertThat(probe.<IPAddress>get(ResourceCatalog.IPADDRESSES, null, a.getSpec().getClusterIP())).isPresent();
    }

    @Test
    void repairWritesRideAlongAgainWhenTheFirstWriteFails() {
        Cluster c = new Cluster(Layout.V4);
        Service a = c.create(ServiceCreateTableTest.s(""));
        c.store.remove(ResourceCatalog.IPADDRESSES, null, a.getSpec().getClusterIP());
        Cluster restarted = new Cluster(c.plan, c.store, 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> restarted.create(ServiceCreateTableTest.s("sessionAffinity: Sticky")))
                .isInstanceOf(io.dualstack.apiserver.registry.ApiException.class);
        assertThat(c.store.get(ResourceCatalog.IPADDRESSES, null, a.getSpec().getClusterIP())).isEmpty();
        restarted.create(Cluster.svc("{metadata: {name: other}, spec: {selector: {app: x}, ports: [{port: 80}]}}"), false);
        assertThat(c.store.get(ResourceCatalog.IPADDRESSES, null, a.getSpec().getClusterIP())).isPresent();
        audit(restarted);
    }

    /** No IP or port held twice, none leaked, every ClusterIP has its IPAddress object. */
    static void audit(Cluster c) {
        List<Service> services = c.store.list(ResourceCatalog.SERVICES, null);
        Set<String> ips = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        Set<String> lbIps = new HashSet<>();
        for (Service s : services) {
            if (!"ExternalName".equals(s.getSpec().getType()) && !ServiceValidation.isHeadless(s)) {
                for (String ip : s.getSpec().getClusterIPs()) assertThat(ips.add(ip)).as("ClusterIP %s twice", ip).isTrue();
            }
            Set<Integer> own = new HashSet<>();
            for (ServicePort p : s.getSpec().getPorts()) if (p.getNodePort() != null) own.add(p.getNodePort());
            if (s.getSpec().getHealthCheckNodePort() != null) own.add(s.getSpec().getHealthCheckNodePort());
            for (int p : own) assertThat(ports.add(p)).as("port %d twice", p).isTrue();
            if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null) {
                s.getStatus().getLoadBalancer().getIngress().forEach(i -> assertThat(lbIps.add(i.getIp())).isTrue());
            }
        }
        ServiceUpdateTableTest.assertHeldExactly(c);
        assertThat(c.admission.allocators().nodePorts().allocated()).isEqualTo(ports);
        Set<String> heldLb = new HashSet<>();
        c.admission.allocators().lbPools().values().forEach(p -> heldLb.addAll(p.allocated()));
        assertThat(heldLb).isEqualTo(lbIps);
        for (IPAddress o : c.store.<IPAddress>list(ResourceCatalog.IPADDRESSES, null)) {
            assertThat(o.getSpec().getParentRef().getResource()).isEqualTo("services");
        }
    }
}
