package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.StoredObjects;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.StatusCause;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import static io.dualstack.apiserver.service.FieldErrors.invalid;
import static io.dualstack.apiserver.service.FieldErrors.num;
import static io.dualstack.apiserver.service.FieldErrors.str;
import static io.dualstack.apiserver.service.FieldErrors.strs;

/**
 * Services, as kube-apiserver admits them. Create: defaults, {@code normalizeClusterIPs},
 * {@code initIPFamilyFields}, ClusterIP allocation (one IPAddress object per IP, parentRef the
 * Service), NodePorts and healthCheckNodePort, then status reset and load-balancer IPAM; then
 * {@code validateCreate} runs upstream's {@code ValidateService}. Update: {@code patchAllocatedValues},
 * {@code normalizeClusterIPs}, family init, upgrade/downgrade/type-change allocation, NodePort
 * updates, {@code dropTypeDependentFields}, then {@code ValidateServiceUpdate}. Reservations are
 * undone when the write aborts; releases happen when it commits.
 */
public final class ServiceStrategy implements ResourceStrategy<Service> {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceStrategy.class);
    public static final String IP_FAMILY_LABEL = "ipaddress.kubernetes.io/ip-family";
    public static final String MANAGED_BY_LABEL = "ipaddress.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "ipallocator.k8s.io";

    private final ServiceAllocators al;
    private final Repair repair;

    public ServiceStrategy(ServiceAllocators al, Repair repair) {
        this.al = al;
        this.repair = repair;
    }

    @Override
    public void start(StoredObjects stored) {
        repair.run(stored);
    }

    // ---------------------------------------------------------------- create

    @Override
    public void prepareForCreate(Service svc, AdmissionContext ctx) {
        Txn txn = ctx == null ? new Txn() : new Txn(ctx);
        repair.flushInto(ctx);
        try {
            ServiceDefaults.apply(svc);
            normalizeClusterIPs(svc, null);
            initIPFamilyFields(svc, null);
            allocClusterIPs(svc, txn, ctx);
            allocNodePortsOnCreate(svc, txn);
            svc.setStatus(new ServiceStatus());
            assignLoadBalancer(svc, null, txn);
            withLoadBalancerStatus(svc);
        } catch (RuntimeException e) {
            txn.revert();
            throw e;
        }
    }

    @Override
    public List<StatusCause> validateCreate(Service svc) {
        return ServiceValidation.validateCreate(svc);
    }

    // ---------------------------------------------------------------- update

    /** Updates recognised as {@code /status} writes, between prepareForUpdate and validateUpdate. */
    private final Set<Service> statusWrites = java.util.Collections.synchronizedSet(
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

    /**
     * A {@code /status} write reaches us with the old spec and a new status (a main-resource write
     * arrives with the old status already restored by the registry). Upstream's status strategy:
     * spec stays, status is taken, {@code ValidateServiceStatusUpdate} checks it.
     */
    static boolean isStatusWrite(Service svc, Service old) {
        return Objects.equals(svc.getSpec(), old.getSpec()) && !Objects.equals(svc.getStatus(), old.getStatus());
    }

    @Override
    public void prepareForUpdate(Service svc, Service old, AdmissionContext ctx) {
        if (isStatusWrite(svc, old)) {
            ServiceDefaults.apply(svc);
            svc.setSpec(old.getSpec());
            withLoadBalancerStatus(svc);
            statusWrites.add(svc);
            return;
        }
        Txn txn = ctx == null ? new Txn() : new Txn(ctx);
        repair.flushInto(ctx);
        try {
            ServiceDefaults.apply(svc);
            patchAllocatedValues(svc, old);
            normalizeClusterIPs(svc, old);
            initIPFamilyFields(svc, old);
            Set<String> releasing = updateClusterIPs(svc, old, txn, ctx);
            updateNodePorts(svc, old, txn);
            svc.setStatus(old.getStatus() == null ? new ServiceStatus() : Copies.status(old.getStatus()));
            dropTypeDependentFields(svc, old);
            assignLoadBalancer(svc, old, txn);
            withLoadBalancerStatus(svc);
            if (ctx != null && !releasing.isEmpty()) ServiceCidrStrategy.finalizeTerminating(ctx, al, releasing);
        } catch (RuntimeException e) {
            txn.revert();
            throw e;
        }
    }

    @Override
    public List<StatusCause> validateUpdate(Service svc, Service old) {
        if (statusWrites.remove(svc)) return ServiceValidation.validateStatus(svc);
        return ServiceValidation.validateUpdate(svc, old);
    }

    // ---------------------------------------------------------------- delete

    @Override
    public void prepareForDelete(Service svc, AdmissionContext ctx) {
        Txn txn = ctx == null ? new Txn() : new Txn(ctx);
        repair.flushInto(ctx);
        Set<String> releasing = new HashSet<>();
        ServiceSpec s = svc.getSpec();
        if (!"ExternalName".equals(s.getType()) && !ServiceValidation.isHeadless(svc)) {
            for (String ip : list(s.getClusterIPs())) {
                Optional<IPAddress> a = Addresses.parse(ip);
                if (a.isEmpty()) continue;
                FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(a.get()));
                String name = Addresses.canonical(a.get());
                releasing.add(name);
                if (ctx != null) ctx.stageDelete(ResourceCatalog.IPADDRESSES, null, name);
                if (fa != null) txn.afterCommit(() -> fa.release(a.get()));
            }
        }
        for (ServicePort p : list(s.getPorts())) {
            int np = ServiceValidation.nodePort(p);
            if (np != 0) txn.afterCommit(() -> al.nodePorts().release(np));
        }
        if (ServiceValidation.needsHealthCheck(svc) && s.getHealthCheckNodePort() != null && s.getHealthCheckNodePort() > 0) {
            int hc = s.getHealthCheckNodePort();
            txn.afterCommit(() -> al.nodePorts().release(hc));
        }
        if (isOurLoadBalancer(svc)) {
            ingressByFamily(svc).forEach((f, ip) -> {
                FamilyIpAllocator pool = al.lbPools().get(f);
                if (pool != null) txn.afterCommit(() -> pool.release(ip));
            });
        }
        if (ctx != null && !releasing.isEmpty()) ServiceCidrStrategy.finalizeTerminating(ctx, al, releasing);
        if (ctx == null) txn.commit();
    }

    // ---------------------------------------------------------------- family init (alloc.go)

    /** Upstream {@code initIPFamilyFields}: defaults policy and families, checks them against the cluster. */
    void initIPFamilyFields(Service svc, Service old) {
        ServiceSpec s = svc.getSpec();
        if ("ExternalName".equals(s.getType())) return;
        if (isMatchingPreferDualStack(svc, old)) return;
        if (s.getIpFamilyPolicy() == null) {
            if (old != null && old.getSpec().getIpFamilyPolicy() != null) s.setIpFamilyPolicy(old.getSpec().getIpFamilyPolicy());
            else if ("None".equals(s.getClusterIP()) && isEmptyMap(s.getSelector())) s.setIpFamilyPolicy("RequireDualStack");
            else s.setIpFamilyPolicy("SingleStack");
        }
        List<StatusCause> pre = ServiceValidation.clusterIPsRelatedFields(svc);
        if (!pre.isEmpty()) throw invalidError(svc, pre);

        List<StatusCause> el = new ArrayList<>();
        List<String> ips = new ArrayList<>(list(s.getClusterIPs()));
        List<String> fams = new ArrayList<>(list(s.getIpFamilies()));
        String policy = s.getIpFamilyPolicy();
        if (old != null) {
            if ("SingleStack".equals(policy)) {
                if (sameClusterIPs(old, svc) && ips.size() > 1) ips = new ArrayList<>(ips.subList(0, 1));
                if (sameIPFamilies(old, svc) && fams.size() > 1) fams = new ArrayList<>(fams.subList(0, 1));
            } else {
                if (!ips.isEmpty() && ips.size() < list(old.getSpec().getClusterIPs()).size()) {
                    el.add(invalid("spec.ipFamilyPolicy", str(policy), "must be 'SingleStack' to release the secondary cluster IP"));
                }
                if (!fams.isEmpty() && fams.size() < list(old.getSpec().getIpFamilies()).size()) {
                    el.add(invalid("spec.ipFamilyPolicy", str(policy), "must be 'SingleStack' to release the secondary IP family"));
                }
            }
        }
        if ("SingleStack".equals(policy)) {
            if (ips.size() == 2) el.add(invalid("spec.ipFamilyPolicy", str(policy), "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
            if (fams.size() == 2) el.add(invalid("spec.ipFamilyPolicy", str(policy), "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
        }
        for (int i = 0; i < ips.size(); i++) {
            String ip = ips.get(i);
            if ("None".equals(ip)) break;
            IpFamily fam = Addresses.familyOf(ip);
            if (i >= fams.size()) {
                if (!al.clusterIps().containsKey(fam)) {
                    el.add(invalid("spec.clusterIPs[" + i + "]", strs(s.getClusterIPs()), fam + " is not configured on this cluster"));
                } else {
                    fams.add(fam.name());
                }
            }
        }
        s.setClusterIPs(ips);
        s.setIpFamilies(fams);
        if (!el.isEmpty()) throw invalidError(svc, el);

        if ("None".equals(s.getClusterIP()) && isEmptyMap(s.getSelector())) {
            if (fams.isEmpty()) fams.add(al.primary().name());
            if (fams.size() < 2 && !"SingleStack".equals(policy)) fams.add("IPv4".equals(fams.get(0)) ? "IPv6" : "IPv4");
            s.setIpFamilies(fams);
            return;
        }
        if ("RequireDualStack".equals(policy) && !al.dualStack()) {
            el.add(invalid("spec.ipFamilyPolicy", str(policy), "this cluster is not configured for dual-stack services"));
        }
        for (int i = 0; i < fams.size(); i++) {
            Optional<IpFamily> f = IpFamily.parse(fams.get(i));
            if (f.isEmpty() || !al.clusterIps().containsKey(f.get())) {
                el.add(invalid("spec.ipFamilies[" + i + "]", str(fams.get(i)), "not configured on this cluster"));
            }
        }
        if (!el.isEmpty()) throw invalidError(svc, el);
        if (fams.isEmpty()) fams.add(al.primary().name());
        if (!"SingleStack".equals(policy) && fams.size() == 1 && al.dualStack()) {
            fams.add("IPv4".equals(fams.get(0)) ? "IPv6" : "IPv4");
        }
        s.setIpFamilies(fams);
    }

    /** Upstream {@code isMatchingPreferDualStackClusterIPFields}. */
    static boolean isMatchingPreferDualStack(Service svc, Service old) {
        if (old == null || svc.getSpec().getIpFamilyPolicy() == null) return false;
        String t = svc.getSpec().getType();
        if (!Objects.equals(old.getSpec().getType(), t)) return false;
        if (!"ClusterIP".equals(t) && !"NodePort".equals(t) && !"LoadBalancer".equals(t)) return false;
        if (!"PreferDualStack".equals(svc.getSpec().getIpFamilyPolicy())) return false;
        if (old.getSpec().getIpFamilyPolicy() != null && !"PreferDualStack".equals(old.getSpec().getIpFamilyPolicy())) return false;
        return sameClusterIPs(old, svc) && sameIPFamilies(old, svc);
    }

    // ---------------------------------------------------------------- cluster IPs

    /** Upstream {@code allocClusterIPs}; returns what it reserved. */
    private Map<IpFamily, IPAddress> allocClusterIPs(Service svc, Txn txn, AdmissionContext ctx) {
        ServiceSpec s = svc.getSpec();
        if ("ExternalName".equals(s.getType())) return Map.of();
        List<String> ips = new ArrayList<>(list(s.getClusterIPs()));
        if (!ips.isEmpty() && "None".equals(ips.get(0))) return Map.of();
        LinkedHashMap<IpFamily, String> toAlloc = new LinkedHashMap<>();
        List<String> fams = list(s.getIpFamilies());
        for (int i = 0; i < fams.size(); i++) {
            if (i > ips.size() - 1) ips.add("");
            toAlloc.put(IpFamily.valueOf(fams.get(i)), ips.get(i));
        }
        s.setClusterIPs(ips);
        Map<IpFamily, IPAddress> allocated = allocIPs(svc, toAlloc, txn, ctx);
        for (int i = 0; i < fams.size(); i++) {
            IPAddress a = allocated.get(IpFamily.valueOf(fams.get(i)));
            if (a != null && ips.get(i).isEmpty()) ips.set(i, Addresses.canonical(a));
        }
        s.setClusterIPs(ips);
        if (!ips.isEmpty()) s.setClusterIP(ips.get(0));
        return allocated;
    }

    /** Upstream {@code allocIPs}: user-chosen addresses are reserved, empty ones allocated. */
    private Map<IpFamily, IPAddress> allocIPs(Service svc, Map<IpFamily, String> toAlloc, Txn txn, AdmissionContext ctx) {
        Map<IpFamily, IPAddress> allocated = new EnumMap<>(IpFamily.class);
        for (Map.Entry<IpFamily, String> e : toAlloc.entrySet()) {
            FamilyIpAllocator fa = al.clusterIps().get(e.getKey());
            IPAddress got;
            if (e.getValue().isEmpty()) {
                try {
                    got = fa.allocateNext(terminatingCidrs(ctx));
                } catch (AllocationException ex) {
                    throw ApiException.internal("failed to allocate a serviceIP: " + ex.getMessage());
                }
            } else {
                IPAddress want = Addresses.parse(e.getValue()).orElseThrow();
                try {
                    fa.allocate(want);
                } catch (AllocationException ex) {
                    throw invalidError(svc, List.of(invalid("spec.clusterIPs", strs(svc.getSpec().getClusterIPs()),
                            "failed to allocate IP " + e.getValue() + ": " + ex.getMessage())));
                }
                got = want.withoutPrefixLength();
            }
            IPAddress done = got;
            txn.undo(() -> fa.release(done));
            allocated.put(e.getKey(), got);
            stageIpAddress(svc, got, txn, ctx);
        }
        return allocated;
    }

    /** Names of ServiceCIDRs being deleted: upstream allocates nothing new from them. */
    private static Set<String> terminatingCidrs(AdmissionContext ctx) {
        if (ctx == null) return Set.of();
        Set<String> out = new HashSet<>();
        for (io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR sc
                : ctx.<io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR>list(ResourceCatalog.SERVICECIDRS, null)) {
            if (sc.getMetadata().getDeletionTimestamp() != null) out.add(sc.getMetadata().getName());
        }
        return out;
    }

    private void stageIpAddress(Service svc, IPAddress ip, Txn txn, AdmissionContext ctx) {
        if (ctx == null) return;
        String name = Addresses.canonical(ip);
        al.stagedIpAddresses.add(name);
        txn.undo(() -> al.stagedIpAddresses.remove(name));
        txn.afterCommit(() -> al.stagedIpAddresses.remove(name));
        var obj = ipAddressObject(ip, svc.getMetadata().getNamespace(), svc.getMetadata().getName());
        // A stale object for a free address (leaked before a restart) is overwritten, not fought over.
        if (ctx.get(ResourceCatalog.IPADDRESSES, null, name).isPresent()) ctx.stageUpdate(ResourceCatalog.IPADDRESSES, obj);
        else ctx.stageCreate(ResourceCatalog.IPADDRESSES, obj);
    }

    /** The IPAddress object upstream's allocator writes for a ClusterIP. */
    public static io.fabric8.kubernetes.api.model.networking.v1.IPAddress ipAddressObject(IPAddress ip, String namespace, String name) {
        // plain setters: the fluent builders cost tens of µs per object on the hot path
        var meta = new io.fabric8.kubernetes.api.model.ObjectMeta();
        meta.setName(Addresses.canonical(ip));
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(IP_FAMILY_LABEL, IpFamily.of(ip).name());
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        meta.setLabels(labels);
        var ref = new io.fabric8.kubernetes.api.model.networking.v1.ParentReference();
        ref.setGroup("");
        ref.setResource("services");
        ref.setNamespace(namespace);
        ref.setName(name);
        var spec = new io.fabric8.kubernetes.api.model.networking.v1.IPAddressSpec();
        spec.setParentRef(ref);
        var obj = new io.fabric8.kubernetes.api.model.networking.v1.IPAddress();
        obj.setApiVersion("networking.k8s.io/v1");
        obj.setKind("IPAddress");
        obj.setMetadata(meta);
        obj.setSpec(spec);
        return obj;
    }

    /** Upstream {@code updateClusterIPs}; returns the IPAddress names released on commit. */
    private Set<String> updateClusterIPs(Service svc, Service old, Txn txn, AdmissionContext ctx) {
        Set<String> releasing = new HashSet<>();
        if (isMatchingPreferDualStack(svc, old)) return releasing;
        ServiceSpec s = svc.getSpec(), o = old.getSpec();
        if ("ExternalName".equals(o.getType()) && !"ExternalName".equals(s.getType())) {
            allocClusterIPs(svc, txn, ctx);
            return releasing;
        }
        if (!list(o.getClusterIPs()).isEmpty() && "None".equals(o.getClusterIPs().get(0))) return releasing;
        if (!"ExternalName".equals(o.getType()) && "ExternalName".equals(s.getType())) {
            for (int i = 0; i < list(o.getIpFamilies()).size() && i < list(o.getClusterIPs()).size(); i++) {
                releaseLater(o.getClusterIPs().get(i), txn, ctx, releasing);
            }
            return releasing;
        }
        boolean upgraded = list(o.getIpFamilies()).size() == 1 && list(s.getIpFamilies()).size() == 2;
        boolean downgraded = list(o.getIpFamilies()).size() == 2 && list(s.getIpFamilies()).size() == 1;
        if (upgraded) {
            List<String> ips = new ArrayList<>(list(s.getClusterIPs()));
            if (ips.size() < 2) ips.add("");
            s.setClusterIPs(ips);
            IpFamily second = IpFamily.valueOf(s.getIpFamilies().get(1));
            Map<IpFamily, String> toAlloc = new LinkedHashMap<>();
            toAlloc.put(second, ips.get(1));
            Map<IpFamily, IPAddress> got = allocIPs(svc, toAlloc, txn, ctx);
            if (ips.get(1).isEmpty()) ips.set(1, Addresses.canonical(got.get(second)));
            s.setClusterIPs(ips);
        } else if (downgraded) {
            releaseLater(o.getClusterIPs().get(1), txn, ctx, releasing);
        }
        return releasing;
    }

    private void releaseLater(String ip, Txn txn, AdmissionContext ctx, Set<String> releasing) {
        Optional<IPAddress> a = Addresses.parse(ip);
        if (a.isEmpty()) return;
        FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(a.get()));
        String name = Addresses.canonical(a.get());
        releasing.add(name);
        if (ctx != null) ctx.stageDelete(ResourceCatalog.IPADDRESSES, null, name);
        if (fa != null) txn.afterCommit(() -> fa.release(a.get()));
    }

    // ---------------------------------------------------------------- node ports

    private static boolean shouldAllocateNodePorts(Service svc) {
        String t = svc.getSpec().getType();
        if ("NodePort".equals(t)) return true;
        if ("LoadBalancer".equals(t)) return !Boolean.FALSE.equals(svc.getSpec().getAllocateLoadBalancerNodePorts());
        return false;
    }

    private static boolean needsNodePort(Service svc) {
        String t = svc.getSpec().getType();
        return "NodePort".equals(t) || "LoadBalancer".equals(t);
    }

    /** Upstream {@code txnAllocNodePorts} + {@code initNodePorts} + {@code allocHealthCheckNodePort}. */
    private void allocNodePortsOnCreate(Service svc, Txn txn) {
        PortAllocator pa = al.nodePorts();
        List<ServicePort> ports = list(svc.getSpec().getPorts());
        if (needsNodePort(svc)) {
            Map<Integer, Integer> byPort = new HashMap<>();
            for (int i = 0; i < ports.size(); i++) {
                ServicePort sp = ports.get(i);
                int spPort = sp.getPort() == null ? 0 : sp.getPort();
                if (ServiceValidation.nodePort(sp) == 0 && !shouldAllocateNodePorts(svc)) continue;
                int already = byPort.getOrDefault(spPort, 0);
                if (already == 0) {
                    int np = findRequestedNodePort(spPort, ports);
                    if (np != 0) {
                        reservePort(svc, pa, np, i, txn);
                        sp.setNodePort(np);
                        byPort.put(spPort, np);
                    } else {
                        int next = nextPort(pa, txn);
                        sp.setNodePort(next);
                        byPort.put(spPort, next);
                    }
                } else if (ServiceValidation.nodePort(sp) != already) {
                    if (ServiceValidation.nodePort(sp) == 0) sp.setNodePort(already);
                    else reservePort(svc, pa, sp.getNodePort(), i, txn);
                }
            }
        }
        if (ServiceValidation.needsHealthCheck(svc)) allocHealthCheckNodePort(svc, txn);
    }

    private void reservePort(Service svc, PortAllocator pa, int np, int index, Txn txn) {
        try {
            pa.allocate(np);
        } catch (AllocationException ex) {
            throw invalidError(svc, List.of(invalid("spec.ports[" + index + "].nodePort", num(np), ex.getMessage())));
        }
        txn.undo(() -> pa.release(np));
    }

    private int nextPort(PortAllocator pa, Txn txn) {
        int next;
        try {
            next = pa.allocateNext();
        } catch (AllocationException ex) {
            throw ApiException.internal("failed to allocate a nodePort: " + ex.getMessage());
        }
        txn.undo(() -> pa.release(next));
        return next;
    }

    private void allocHealthCheckNodePort(Service svc, Txn txn) {
        PortAllocator pa = al.nodePorts();
        Integer hc = svc.getSpec().getHealthCheckNodePort();
        if (hc != null && hc != 0) {
            try {
                pa.allocate(hc);
            } catch (AllocationException ex) {
                throw ApiException.internal("failed to allocate requested HealthCheck NodePort " + hc + ": " + ex.getMessage());
            }
            txn.undo(() -> pa.release(hc));
        } else {
            int next;
            try {
                next = pa.allocateNext();
            } catch (AllocationException ex) {
                throw ApiException.internal("failed to allocate a HealthCheck NodePort 0: " + ex.getMessage());
            }
            txn.undo(() -> pa.release(next));
            svc.getSpec().setHealthCheckNodePort(next);
        }
    }

    private static int findRequestedNodePort(int port, List<ServicePort> ports) {
        for (ServicePort p : ports) {
            if (p.getPort() != null && p.getPort() == port && ServiceValidation.nodePort(p) != 0) return p.getNodePort();
        }
        return 0;
    }

    /** Upstream {@code txnUpdateNodePorts}. */
    private void updateNodePorts(Service svc, Service old, Txn txn) {
        PortAllocator pa = al.nodePorts();
        String nt = svc.getSpec().getType();
        if (needsNodePort(old) && ("ExternalName".equals(nt) || "ClusterIP".equals(nt))) {
            for (int np : collectNodePorts(old)) txn.afterCommit(() -> pa.release(np));
        }
        if (needsNodePort(svc)) {
            List<Integer> oldNums = collectNodePorts(old);
            Set<String> newNodePorts = new HashSet<>();
            Set<Integer> portAllocated = new HashSet<>();
            List<ServicePort> ports = list(svc.getSpec().getPorts());
            for (int i = 0; i < ports.size(); i++) {
                ServicePort sp = ports.get(i);
                int np = ServiceValidation.nodePort(sp);
                if (np == 0 && !shouldAllocateNodePorts(svc)) continue;
                if (np != 0) {
                    if (!oldNums.contains(np) && !portAllocated.contains(np)) {
                        reservePort(svc, pa, np, i, txn);
                        portAllocated.add(np);
                    }
                } else {
                    np = nextPort(pa, txn);
                    sp.setNodePort(np);
                }
                if (!newNodePorts.add(sp.getProtocol() + " " + np)) {
                    throw ApiException.internal("duplicate nodePort: {" + sp.getProtocol() + " " + np + "}");
                }
            }
            List<Integer> newNums = collectNodePorts(svc);
            for (int np : oldNums) {
                if (!newNums.contains(np)) txn.afterCommit(() -> pa.release(np));
            }
        }
        boolean needed = ServiceValidation.needsHealthCheck(old);
        boolean needs = ServiceValidation.needsHealthCheck(svc);
        if (!needed && needs) {
            allocHealthCheckNodePort(svc, txn);
        } else if (needed && !needs) {
            Integer hc = old.getSpec().getHealthCheckNodePort();
            if (hc != null && hc > 0) txn.afterCommit(() -> pa.release(hc));
        }
    }

    private static List<Integer> collectNodePorts(Service svc) {
        List<Integer> out = new ArrayList<>();
        for (ServicePort p : list(svc.getSpec().getPorts())) {
            if (ServiceValidation.nodePort(p) != 0) out.add(p.getNodePort());
        }
        return out;
    }

    // ---------------------------------------------------------------- unconditional updates (storage.go)

    /** Upstream {@code patchAllocatedValues}: a resubmitted manifest keeps what was allocated for it. */
    static void patchAllocatedValues(Service svc, Service old) {
        ServiceSpec s = svc.getSpec(), o = old.getSpec();
        if (!"ExternalName".equals(o.getType()) && !"ExternalName".equals(s.getType())) {
            if (ServiceValidation.isEmpty(s.getClusterIP())) s.setClusterIP(o.getClusterIP());
            if (list(s.getClusterIPs()).isEmpty() && !list(o.getClusterIPs()).isEmpty()) s.setClusterIPs(new ArrayList<>(o.getClusterIPs()));
        }
        if (needsNodePort(old) && needsNodePort(svc)) {
            Set<Integer> used = new HashSet<>(collectNodePorts(old));
            used.retainAll(new HashSet<>(collectNodePorts(svc)));
            Map<String, Integer> byName = new HashMap<>();
            for (ServicePort p : list(o.getPorts())) byName.put(p.getName() == null ? "" : p.getName(), ServiceValidation.nodePort(p));
            for (ServicePort p : list(s.getPorts())) {
                if (ServiceValidation.nodePort(p) == 0) {
                    int oldVal = byName.getOrDefault(p.getName() == null ? "" : p.getName(), 0);
                    if (!used.contains(oldVal) && oldVal != 0) p.setNodePort(oldVal);
                }
            }
        }
        if (ServiceValidation.needsHealthCheck(old) && ServiceValidation.needsHealthCheck(svc)) {
            if (s.getHealthCheckNodePort() == null || s.getHealthCheckNodePort() == 0) s.setHealthCheckNodePort(o.getHealthCheckNodePort());
        }
    }

    /** Upstream {@code normalizeClusterIPs}: keeps {@code clusterIP} and {@code clusterIPs} in step. */
    static void normalizeClusterIPs(Service svc, Service old) {
        ServiceSpec s = svc.getSpec();
        if (old == null) {
            if (!ServiceValidation.isEmpty(s.getClusterIP()) && list(s.getClusterIPs()).isEmpty()) {
                s.setClusterIPs(new ArrayList<>(List.of(s.getClusterIP())));
            }
            return;
        }
        ServiceSpec o = old.getSpec();
        if (!list(o.getClusterIPs()).isEmpty() && list(s.getClusterIPs()).isEmpty()) {
            if (Objects.equals(str0(o.getClusterIP()), str0(s.getClusterIP()))) s.setClusterIPs(new ArrayList<>(o.getClusterIPs()));
        }
        if (!Objects.equals(str0(o.getClusterIP()), str0(s.getClusterIP()))) {
            if (!str0(o.getClusterIP()).isEmpty() && str0(s.getClusterIP()).isEmpty()) {
                if (sameClusterIPs(old, svc)) s.setClusterIPs(new ArrayList<>());
            } else if (sameClusterIPs(old, svc)) {
                s.setClusterIPs(new ArrayList<>(List.of(s.getClusterIP())));
            }
        }
    }

    /** Upstream {@code dropTypeDependentFields} (strategy.go), run before update validation. */
    static void dropTypeDependentFields(Service svc, Service old) {
        ServiceSpec s = svc.getSpec(), o = old.getSpec();
        if (!"ExternalName".equals(o.getType()) && "ExternalName".equals(s.getType())) {
            if (sameClusterIPs(old, svc)) {
                s.setClusterIP(null);
                s.setClusterIPs(new ArrayList<>());
            }
            if (sameIPFamilies(old, svc)) s.setIpFamilies(new ArrayList<>());
            if (Objects.equals(o.getIpFamilyPolicy(), s.getIpFamilyPolicy())) s.setIpFamilyPolicy(null);
        }
        if (needsNodePort(old) && !needsNodePort(svc) && collectNodePortsAll(old).equals(collectNodePortsAll(svc))) {
            for (ServicePort p : list(s.getPorts())) p.setNodePort(null);
        }
        if (ServiceValidation.needsHealthCheck(old) && !ServiceValidation.needsHealthCheck(svc)
                && Objects.equals(o.getHealthCheckNodePort(), s.getHealthCheckNodePort())) {
            s.setHealthCheckNodePort(null);
        }
        boolean leftLb = "LoadBalancer".equals(o.getType()) && !"LoadBalancer".equals(s.getType());
        if (leftLb && s.getAllocateLoadBalancerNodePorts() != null && o.getAllocateLoadBalancerNodePorts() != null
                && s.getAllocateLoadBalancerNodePorts().equals(o.getAllocateLoadBalancerNodePorts())) {
            s.setAllocateLoadBalancerNodePorts(null);
        }
        if (leftLb && Objects.equals(o.getLoadBalancerClass(), s.getLoadBalancerClass())) s.setLoadBalancerClass(null);
        if (ServiceDefaults.externallyAccessible(old) && !ServiceDefaults.externallyAccessible(svc)
                && Objects.equals(o.getExternalTrafficPolicy(), s.getExternalTrafficPolicy())) {
            s.setExternalTrafficPolicy(null);
        }
        if (leftLb && svc.getStatus() != null) svc.getStatus().setLoadBalancer(new LoadBalancerStatus());
    }

    /**
     * {@code status.loadBalancer} is a non-pointer struct upstream, so every Service's JSON shows
     * {@code status: {loadBalancer: {}}} even when nothing set it.
     */
    static void withLoadBalancerStatus(Service svc) {
        if (svc.getStatus() == null) svc.setStatus(new ServiceStatus());
        if (svc.getStatus().getLoadBalancer() == null) svc.getStatus().setLoadBalancer(new LoadBalancerStatus());
    }

    /** Upstream {@code sameNodePorts}: the node ports of every port, in order (0 for none). */
    private static List<Integer> collectNodePortsAll(Service svc) {
        List<Integer> out = new ArrayList<>();
        for (ServicePort p : list(svc.getSpec().getPorts())) out.add(ServiceValidation.nodePort(p));
        return out;
    }

    // ---------------------------------------------------------------- load balancer IPAM

    boolean isOurLoadBalancer(Service svc) {
        String cls = svc.getSpec().getLoadBalancerClass();
        return "LoadBalancer".equals(svc.getSpec().getType()) && (cls == null || cls.equals(al.lbClass()));
    }

    /** Our ingress IPs in a Service's status, by family. */
    static Map<IpFamily, IPAddress> ingressByFamily(Service svc) {
        Map<IpFamily, IPAddress> out = new EnumMap<>(IpFamily.class);
        if (svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null) return out;
        for (LoadBalancerIngress in : list(svc.getStatus().getLoadBalancer().getIngress())) {
            Addresses.parse(in.getIp()).ifPresent(a -> out.putIfAbsent(IpFamily.of(a), a));
        }
        return out;
    }

    /**
     * One ingress IP per family in {@code ipFamilies} order with {@code ipMode: VIP}, for type
     * LoadBalancer with no class or ours. Kept across updates; a family dropped from ipFamilies
     * (or leaving LoadBalancer) releases its IP on commit. An exhausted pool leaves that family
     * without ingress (pending), as a cloud LB would.
     */
    private void assignLoadBalancer(Service svc, Service old, Txn txn) {
        Map<IpFamily, IPAddress> had = old != null && isOurLoadBalancer(old) ? ingressByFamily(old) : Map.of();
        if (!isOurLoadBalancer(svc)) {
            had.forEach((f, ip) -> releaseLbLater(f, ip, txn));
            return;
        }
        List<LoadBalancerIngress> ingress = new ArrayList<>();
        Set<IpFamily> kept = new HashSet<>();
        for (String fs : list(svc.getSpec().getIpFamilies())) {
            Optional<IpFamily> f = IpFamily.parse(fs);
            if (f.isEmpty()) continue;
            IPAddress ip = had.get(f.get());
            if (ip == null) {
                FamilyIpAllocator pool = al.lbPools().get(f.get());
                if (pool == null) continue;
                try {
                    ip = pool.allocateNext();
                } catch (AllocationException ex) {
                    LOG.warn("load-balancer pool {} is full; service {}/{} gets no {} ingress", pool.ranges(),
                            svc.getMetadata().getNamespace(), svc.getMetadata().getName(), f.get());
                    continue;
                }
                IPAddress got = ip;
                txn.undo(() -> pool.release(got));
            }
            kept.add(f.get());
            ingress.add(new LoadBalancerIngressBuilder().withIp(Addresses.canonical(ip)).withIpMode("VIP").build());
        }
        had.forEach((f, ip) -> {
            if (!kept.contains(f)) releaseLbLater(f, ip, txn);
        });
        if (svc.getStatus() == null) svc.setStatus(new ServiceStatus());
        LoadBalancerStatus lb = new LoadBalancerStatus();
        lb.setIngress(ingress);
        svc.getStatus().setLoadBalancer(lb);
    }

    private void releaseLbLater(IpFamily f, IPAddress ip, Txn txn) {
        FamilyIpAllocator pool = al.lbPools().get(f);
        if (pool != null) txn.afterCommit(() -> pool.release(ip));
    }

    // ---------------------------------------------------------------- helpers

    static ApiException invalidError(Service svc, List<StatusCause> causes) {
        String name = svc.getMetadata() == null ? "" : svc.getMetadata().getName();
        return ApiException.invalid(ResourceCatalog.SERVICES, name == null ? "" : name, causes);
    }

    static boolean sameClusterIPs(Service a, Service b) {
        return list(a.getSpec().getClusterIPs()).equals(list(b.getSpec().getClusterIPs()));
    }

    static boolean sameIPFamilies(Service a, Service b) {
        return list(a.getSpec().getIpFamilies()).equals(list(b.getSpec().getIpFamilies()));
    }

    private static String str0(String s) {
        return s == null ? "" : s;
    }

    private static boolean isEmptyMap(Map<?, ?> m) {
        return m == null || m.isEmpty();
    }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
