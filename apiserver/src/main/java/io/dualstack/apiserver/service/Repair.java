package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.StoredObjects;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Rebuilds every allocator from stored objects at start-up, like upstream's ClusterIP and NodePort
 * repair controllers: allocations nobody holds any more (leaks) are simply not rebuilt; an address
 * or port claimed by two Services stays with the older one and is reported (log + Warning Event);
 * IPs outside every range are reported. IPAddress objects without a holder are listed for deletion
 * and held ClusterIPs without an IPAddress object are listed for creation.
 */
public final class Repair {
    private static final Logger LOG = LoggerFactory.getLogger(Repair.class);

    /** What a repair pass found. Events and IPAddress fixes are for the caller to write. */
    public record Report(List<Event> events,
                         List<io.fabric8.kubernetes.api.model.networking.v1.IPAddress> ipAddressesToCreate,
                         List<String> ipAddressesToDelete) {
        public Report {
            events = List.copyOf(events);
            ipAddressesToCreate = List.copyOf(ipAddressesToCreate);
            ipAddressesToDelete = List.copyOf(ipAddressesToDelete);
        }
    }

    private final ServiceAllocators al;
    private final Map<IpFamily, IPAddress> planRanges;
    private final IPAddress kubernetesIp;
    private volatile Report last = new Report(List.of(), List.of(), List.of());
    /** Findings not yet written: they ride along with the next Service write that commits. */
    private Report pending = null;

    Repair(ServiceAllocators al, Map<IpFamily, IPAddress> planRanges, IPAddress kubernetesIp) {
        this.al = al;
        this.planRanges = planRanges;
        this.kubernetesIp = kubernetesIp;
    }

    public Report last() {
        return last;
    }

    /**
     * Stages the pending repair writes (Warning Events, missing IPAddress objects, leaked ones) into
     * {@code ctx}, once: if that write aborts they are queued again. Entries that no longer apply
     * (the address was released or re-allocated since) are dropped.
     */
    synchronized void flushInto(io.dualstack.apiserver.registry.AdmissionContext ctx) {
        if (pending == null || ctx == null || ctx.dryRun()) return;
        Report r = pending;
        pending = null;
        for (Event e : r.events()) ctx.stageCreate(ResourceCatalog.EVENTS, e);
        for (String name : r.ipAddressesToDelete()) {
            Optional<IPAddress> a = Addresses.parse(name);
            FamilyIpAllocator fa = a.map(x -> al.clusterIps().get(IpFamily.of(x))).orElse(null);
            if (fa == null || !fa.isAllocated(a.get())) ctx.stageDelete(ResourceCatalog.IPADDRESSES, null, name);
        }
        for (var obj : r.ipAddressesToCreate()) {
            Optional<IPAddress> a = Addresses.parse(obj.getMetadata().getName());
            FamilyIpAllocator fa = a.map(x -> al.clusterIps().get(IpFamily.of(x))).orElse(null);
            if (fa != null && fa.isAllocated(a.get())) ctx.stageUpdate(ResourceCatalog.IPADDRESSES, obj);
        }
        ctx.onAbort(() -> requeue(r));
    }

    private synchronized void requeue(Report r) {
        if (pending == null) pending = r;
    }

    public synchronized Report run(StoredObjects stored) {
        List<Event> events = new ArrayList<>();
        // ranges: the plan's kubernetes ServiceCIDR plus every stored, non-terminating ServiceCIDR
        for (FamilyIpAllocator fa : al.clusterIps().values()) {
            fa.clear();
            fa.rangeNames().forEach(fa::removeRange);
            fa.addRange(ServiceAdmission.DEFAULT_SERVICE_CIDR, planRanges.get(fa.family()));
        }
        for (ServiceCIDR sc : stored.<ServiceCIDR>list(ResourceCatalog.SERVICECIDRS)) {
            String name = sc.getMetadata().getName();
            if (ServiceAdmission.DEFAULT_SERVICE_CIDR.equals(name) || sc.getMetadata().getDeletionTimestamp() != null) continue;
            if (sc.getSpec() == null) continue;
            for (String c : ServiceStrategy.list(sc.getSpec().getCidrs())) {
                IPAddress cidr = new IPAddressString(c).getAddress();
                if (cidr == null) continue;
                FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(cidr));
                if (fa != null) fa.addRange(name, cidr);
            }
        }
        al.nodePorts().clear();
        al.lbPools().values().forEach(FamilyIpAllocator::clear);
        FamilyIpAllocator primary = al.clusterIps().get(al.primary());
        if (primary.contains(kubernetesIp)) primary.allocate(kubernetesIp);

        List<Service> services = new ArrayList<>(stored.<Service>list(ResourceCatalog.SERVICES));
        services.sort(Comparator.comparing((Service s) -> String.valueOf(s.getMetadata().getCreationTimestamp()))
                .thenComparing(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName()));
        Map<String, String> holder = new HashMap<>(); // canonical ClusterIP -> ns/name
        holder.put(Addresses.canonical(kubernetesIp), "default/kubernetes");
        for (Service svc : services) {
            String key = svc.getMetadata().getNamespace() + "/" + svc.getMetadata().getName();
            if (svc.getSpec() == null) continue;
            if (!"ExternalName".equals(svc.getSpec().getType()) && !ServiceValidation.isHeadless(svc)) {
                for (String ip : ServiceStrategy.list(svc.getSpec().getClusterIPs())) {
                    Optional<IPAddress> a = Addresses.parse(ip);
                    if (a.isEmpty()) continue;
                    IpFamily f = IpFamily.of(a.get());
                    FamilyIpAllocator fa = al.clusterIps().get(f);
                    String canon = Addresses.canonical(a.get());
                    if (fa == null) {
                        LOG.warn("service {} has ClusterIP {} of family {} which this cluster does not serve", key, ip, f);
                        continue;
                    }
                    if (key.equals(holder.get(canon))) continue;
                    if (holder.containsKey(canon)) {
                        events.add(event(svc, "ClusterIPAlreadyAllocated", "ipallocator-repair-controller",
                                "Cluster IP [" + f + "]:" + ip + " was assigned to multiple services; please recreate service"));
                        continue;
                    }
                    if (!fa.contains(a.get())) {
                        events.add(event(svc, "ClusterIPOutOfRange", "ipallocator-repair-controller",
                                "Cluster IP [" + f + "]:" + ip + " is not within any configured Service CIDR; please recreate service"));
                        continue;
                    }
                    fa.allocate(a.get());
                    holder.put(canon, key);
                }
            }
            Set<Integer> mine = new TreeSet<>();
            for (ServicePort p : ServiceStrategy.list(svc.getSpec().getPorts())) {
                if (ServiceValidation.nodePort(p) != 0) mine.add(p.getNodePort());
            }
            if (ServiceValidation.needsHealthCheck(svc) && svc.getSpec().getHealthCheckNodePort() != null && svc.getSpec().getHealthCheckNodePort() > 0) {
                mine.add(svc.getSpec().getHealthCheckNodePort());
            }
            for (int port : mine) {
                if (!al.nodePorts().range().contains(port)) {
                    events.add(event(svc, "PortOutOfRange", "portallocator-repair-controller",
                            "Port " + port + " is not within the port range " + al.nodePorts().range() + "; please recreate service"));
                } else if (al.nodePorts().isAllocated(port)) {
                    events.add(event(svc, "PortAlreadyAllocated", "portallocator-repair-controller",
                            "Port " + port + " was assigned to multiple services; please recreate service"));
                } else {
                    al.nodePorts().allocate(port);
                }
            }
            String cls = svc.getSpec().getLoadBalancerClass();
            if ("LoadBalancer".equals(svc.getSpec().getType()) && (cls == null || cls.equals(al.lbClass()))) {
                ServiceStrategy.ingressByFamily(svc).forEach((f, ip) -> {
                    FamilyIpAllocator pool = al.lbPools().get(f);
                    if (pool == null || !pool.contains(ip)) return;
                    if (pool.isAllocated(ip)) {
                        events.add(event(svc, "LoadBalancerIPAlreadyAllocated", "lb-ipam-repair-controller",
                                "Load balancer IP [" + f + "]:" + Addresses.canonical(ip) + " was assigned to multiple services; please recreate service"));
                    } else {
                        pool.allocate(ip);
                    }
                });
            }
        }

        // IPAddress objects: keep the held ones, drop leaked ones we manage, honour user-made ones.
        List<String> toDelete = new ArrayList<>();
        Set<String> present = new HashSet<>();
        for (io.fabric8.kubernetes.api.model.networking.v1.IPAddress obj
                : stored.<io.fabric8.kubernetes.api.model.networking.v1.IPAddress>list(ResourceCatalog.IPADDRESSES)) {
            String name = obj.getMetadata().getName();
            Optional<IPAddress> a = Addresses.parse(name);
            if (a.isEmpty()) continue;
            String canon = Addresses.canonical(a.get());
            var ref = obj.getSpec() == null ? null : obj.getSpec().getParentRef();
            boolean ours = ServiceStrategy.MANAGED_BY.equals(obj.getMetadata().getLabels() == null ? null
                    : obj.getMetadata().getLabels().get(ServiceStrategy.MANAGED_BY_LABEL));
            String refKey = ref == null ? null : ref.getNamespace() + "/" + ref.getName();
            if (holder.containsKey(canon) && holder.get(canon).equals(refKey) && "services".equals(ref.getResource())) {
                present.add(canon);
            } else if (ours || holder.containsKey(canon)) {
                LOG.warn("IPAddress {} (parent {}) is not held by its Service; deleting it", name, refKey);
                toDelete.add(name);
            } else {
                FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(a.get()));
                if (fa != null && fa.contains(a.get()) && !fa.isAllocated(a.get())) fa.allocate(a.get());
                present.add(canon);
            }
        }
        List<io.fabric8.kubernetes.api.model.networking.v1.IPAddress> toCreate = new ArrayList<>();
        holder.forEach((ip, key) -> {
            if (present.contains(ip)) return;
            String[] nn = key.split("/", 2);
            toCreate.add(ServiceStrategy.ipAddressObject(new IPAddressString(ip).getAddress(), nn[0], nn[1]));
        });
        toCreate.sort(Comparator.comparing(o -> o.getMetadata().getName()));
        for (Event e : events) LOG.warn("repair: {} {}: {}", e.getReason(), e.getInvolvedObject().getName(), e.getMessage());
        last = new Report(events, toCreate, toDelete);
        pending = events.isEmpty() && toCreate.isEmpty() && toDelete.isEmpty() ? null : last;
        return last;
    }

    private static Event event(Service svc, String reason, String component, String message) {
        String now = Instant.now().toString();
        return new EventBuilder()
                .withNewMetadata().withNamespace(svc.getMetadata().getNamespace())
                .withName(svc.getMetadata().getName() + "." + UUID.randomUUID().toString().replace("-", "").substring(0, 16)).endMetadata()
                .withNewInvolvedObject().withKind("Service").withApiVersion("v1").withNamespace(svc.getMetadata().getNamespace())
                .withName(svc.getMetadata().getName()).withUid(svc.getMetadata().getUid()).endInvolvedObject()
                .withType("Warning").withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
    }
}
