package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRStatus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.dualstack.apiserver.service.FieldErrors.invalid;
import static io.dualstack.apiserver.service.FieldErrors.required;
import static io.dualstack.apiserver.service.FieldErrors.str;
import static io.dualstack.apiserver.service.FieldErrors.strs;

/**
 * {@code networking.k8s.io/v1} ServiceCIDR: a created ServiceCIDR extends the ClusterIP ranges of
 * its families at once (it gets the {@code networking.k8s.io/service-cidr-finalizer} finalizer and
 * a {@code Ready} condition); its ranges leave the allocators when it is finally removed. A
 * terminating ServiceCIDR keeps its finalizer while any ClusterIP inside it (and in no other
 * range) is in use; the Service strategy drops the finalizer in the same transaction that
 * releases the last such IP. Validation is upstream's {@code ValidateServiceCIDR}.
 */
public final class ServiceCidrStrategy implements ResourceStrategy<ServiceCIDR> {
    public static final String FINALIZER = "networking.k8s.io/service-cidr-finalizer";
    private final ServiceAllocators al;

    public ServiceCidrStrategy(ServiceAllocators al) {
        this.al = al;
    }

    /** The {@code Ready=True} status the ServiceCIDR controller would write. */
    static ServiceCIDRStatus readyStatus() {
        ServiceCIDRStatus st = new ServiceCIDRStatus();
        st.setConditions(new ArrayList<>(List.of(new ConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).withReason("").withMessage("").build())));
        return st;
    }

    @Override
    public void prepareForCreate(ServiceCIDR sc, AdmissionContext ctx) {
        List<String> fin = new ArrayList<>(ServiceStrategy.list(sc.getMetadata().getFinalizers()));
        if (!fin.contains(FINALIZER)) fin.add(FINALIZER);
        sc.getMetadata().setFinalizers(fin);
        sc.setStatus(readyStatus());
        if (!validate(sc).isEmpty()) return;
        String name = sc.getMetadata().getName();
        for (String c : ServiceStrategy.list(sc.getSpec().getCidrs())) {
            IPAddress cidr = new IPAddressString(c).getAddress();
            FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(cidr));
            if (fa == null) continue;
            fa.addRange(name, cidr);
            if (ctx != null) ctx.onAbort(() -> fa.removeRange(name));
        }
    }

    @Override
    public List<StatusCause> validateCreate(ServiceCIDR sc) {
        return validate(sc);
    }

    @Override
    public void prepareForUpdate(ServiceCIDR sc, ServiceCIDR old, AdmissionContext ctx) {
        boolean statusWrite = java.util.Objects.equals(sc.getSpec(), old.getSpec()) && !java.util.Objects.equals(sc.getStatus(), old.getStatus());
        if (statusWrite) return; // a /status write: the registry already kept the old spec
        sc.setStatus(old.getStatus());
        if (sc.getMetadata().getDeletionTimestamp() != null && sc.getMetadata().getFinalizers() != null
                && sc.getMetadata().getFinalizers().contains(FINALIZER) && !inUse(old, Set.of())) {
            List<String> fin = new ArrayList<>(sc.getMetadata().getFinalizers());
            fin.remove(FINALIZER);
            sc.getMetadata().setFinalizers(fin);
        }
    }

    @Override
    public List<StatusCause> validateUpdate(ServiceCIDR sc, ServiceCIDR old) {
        List<StatusCause> e = new ArrayList<>();
        List<String> n = sc.getSpec() == null ? List.of() : ServiceStrategy.list(sc.getSpec().getCidrs());
        List<String> o = old.getSpec() == null ? List.of() : ServiceStrategy.list(old.getSpec().getCidrs());
        if (!n.equals(o)) e.add(invalid("spec.cidrs", strs(n), "field is immutable"));
        e.addAll(validate(sc));
        return e;
    }

    @Override
    public void prepareForDelete(ServiceCIDR sc, AdmissionContext ctx) {
        String name = sc.getMetadata().getName();
        Runnable remove = () -> al.clusterIps().values().forEach(fa -> fa.removeRange(name));
        if (ctx != null) ctx.onCommit(remove);
        else remove.run();
    }

    /** True while a held ClusterIP lies in one of {@code sc}'s CIDRs and in no other ServiceCIDR. */
    boolean inUse(ServiceCIDR sc, Set<String> ignoring) {
        return inUse(al, sc, ignoring);
    }

    static boolean inUse(ServiceAllocators al, ServiceCIDR sc, Set<String> ignoring) {
        String name = sc.getMetadata().getName();
        for (String c : sc.getSpec() == null ? List.<String>of() : ServiceStrategy.list(sc.getSpec().getCidrs())) {
            IPAddress cidr = new IPAddressString(c).getAddress();
            if (cidr == null) continue;
            FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(cidr));
            if (fa == null) continue;
            if (fa.heldOutside(cidr, name, ignoring)) return true;
        }
        return false;
    }

    /**
     * Drops the finalizer of every terminating ServiceCIDR whose last used IP is among
     * {@code releasing}, staged in the caller's transaction.
     */
    static void finalizeTerminating(AdmissionContext ctx, ServiceAllocators al, Set<String> releasing) {
        for (ServiceCIDR sc : ctx.<ServiceCIDR>list(ResourceCatalog.SERVICECIDRS, null)) {
            if (sc.getMetadata().getDeletionTimestamp() == null) continue;
            List<String> fin = ServiceStrategy.list(sc.getMetadata().getFinalizers());
            if (!fin.contains(FINALIZER)) continue;
            if (inUse(al, sc, releasing)) continue;
            ServiceCIDR copy = new ServiceCIDRBuilder(sc).build();
            List<String> f = new ArrayList<>(fin);
            f.remove(FINALIZER);
            copy.getMetadata().setFinalizers(f);
            ctx.stageUpdate(ResourceCatalog.SERVICECIDRS, copy);
        }
    }

    /** Upstream {@code ValidateServiceCIDR}. */
    static List<StatusCause> validate(ServiceCIDR sc) {
        List<StatusCause> e = new ArrayList<>();
        List<String> cidrs = sc.getSpec() == null ? List.of() : ServiceStrategy.list(sc.getSpec().getCidrs());
        if (cidrs.isEmpty()) {
            e.add(required("spec.cidrs", "at least one CIDR required"));
            return e;
        }
        FieldErrors.GoValue spec = new FieldErrors.GoRaw("networking.ServiceCIDRSpec{CIDRs:" + strs(cidrs).render() + "}");
        if (cidrs.size() > 2) {
            e.add(invalid("spec.cidrs", spec, "may only hold up to 2 values"));
            return e;
        }
        List<IPAddress> parsed = new ArrayList<>();
        for (int i = 0; i < cidrs.size(); i++) {
            Optional<IPAddress> c = parseCidr(cidrs.get(i));
            if (c.isEmpty()) e.add(invalid("spec.cidrs[" + i + "]", str(cidrs.get(i)), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
            else parsed.add(c.get());
        }
        if (cidrs.size() == 2 && (parsed.size() != 2 || IpFamily.of(parsed.get(0)) == IpFamily.of(parsed.get(1)))) {
            e.add(invalid("spec.cidrs", spec, "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64"));
        }
        return e;
    }

    static Optional<IPAddress> parseCidr(String s) {
        if (s == null || !s.contains("/")) return Optional.empty();
        IPAddress a = new IPAddressString(s).getAddress();
        if (a == null || !a.isPrefixed()) return Optional.empty();
        return Optional.of(a.toPrefixBlock());
    }
}
