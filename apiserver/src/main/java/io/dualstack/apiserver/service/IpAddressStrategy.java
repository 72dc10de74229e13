package io.dualstack.apiserver.service;

import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import io.fabric8.kubernetes.api.model.networking.v1.ParentReference;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.dualstack.apiserver.service.FieldErrors.invalid;
import static io.dualstack.apiserver.service.FieldErrors.required;
import static io.dualstack.apiserver.service.FieldErrors.str;

/**
 * {@code networking.k8s.io/v1} IPAddress. The Service strategy writes one per ClusterIP (parentRef
 * the Service). An IPAddress a user creates for an address inside a ServiceCIDR reserves it (the
 * allocator will not hand it out) until the object is deleted. Names are canonical IPs; the spec is
 * immutable; validation follows upstream's {@code ValidateIPAddress}.
 */
public final class IpAddressStrategy implements ResourceStrategy<IPAddress> {
    private final ServiceAllocators al;

    public IpAddressStrategy(ServiceAllocators al) {
        this.al = al;
    }

    @Override
    public void prepareForCreate(IPAddress obj, AdmissionContext ctx) {
        String name = obj.getMetadata().getName();
        if (name == null || al.stagedIpAddresses.contains(name) || !validate(obj).isEmpty()) return;
        inet.ipaddr.IPAddress ip = Addresses.parse(name).orElseThrow();
        FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(ip));
        if (fa == null || !fa.contains(ip)) return;
        try {
            fa.allocate(ip);
        } catch (AllocationException e) {
            throw ApiException.alreadyExists(ResourceCatalog.IPADDRESSES, name);
        }
        if (ctx != null) ctx.onAbort(() -> fa.release(ip));
    }

    @Override
    public List<StatusCause> validateCreate(IPAddress obj) {
        return validate(obj);
    }

    @Override
    public List<StatusCause> validateUpdate(IPAddress obj, IPAddress old) {
        List<StatusCause> e = new ArrayList<>();
        ParentReference n = obj.getSpec() == null ? null : obj.getSpec().getParentRef();
        ParentReference o = old.getSpec() == null ? null : old.getSpec().getParentRef();
        if (!Objects.equals(n, o)) e.add(invalid("spec.parentRef", new FieldErrors.GoRaw(render(n)), "field is immutable"));
        return e;
    }

    @Override
    public void prepareForDelete(IPAddress obj, AdmissionContext ctx) {
        String name = obj.getMetadata().getName();
        if (name == null || al.stagedIpAddresses.contains(name)) return;
        Optional<inet.ipaddr.IPAddress> ip = Addresses.parse(name);
        if (ip.isEmpty()) return;
        FamilyIpAllocator fa = al.clusterIps().get(IpFamily.of(ip.get()));
        if (fa == null) return;
        ParentReference ref = obj.getSpec() == null ? null : obj.getSpec().getParentRef();
        if (ref != null && "services".equals(ref.getResource()) && ctx != null) {
            Optional<Service> parent = ctx.get(ResourceCatalog.SERVICES, ref.getNamespace(), ref.getName());
            boolean holds = parent.map(s -> ServiceStrategy.list(s.getSpec().getClusterIPs()).stream()
                    .map(Addresses::parse).flatMap(Optional::stream).anyMatch(a -> Addresses.canonical(a).equals(name))).orElse(false);
            if (holds) return; // the Service still uses it: upstream's repair would recreate the object
        }
        Runnable release = () -> fa.release(ip.get());
        if (ctx != null) ctx.onCommit(release);
        else release.run();
    }

    /** Upstream {@code ValidateIPAddress} (name and parentRef). */
    static List<StatusCause> validate(IPAddress obj) {
        List<StatusCause> e = new ArrayList<>();
        String name = obj.getMetadata() == null ? null : obj.getMetadata().getName();
        Optional<inet.ipaddr.IPAddress> ip = Addresses.parse(name);
        if (name != null && ip.isEmpty()) e.add(invalid("metadata.name", str(name), "ParseAddr(" + FieldErrors.quote(name) + "): unable to parse IP"));
        else if (ip.isPresent() && !Addresses.canonical(ip.get()).equals(name)) e.add(invalid("metadata.name", str(name), "must be a canonical format IP address"));
        ParentReference ref = obj.getSpec() == null ? null : obj.getSpec().getParentRef();
        if (ref == null) {
            e.add(required("spec.parentRef", ""));
        } else {
            if (ref.getResource() == null || ref.getResource().isEmpty()) e.add(required("spec.parentRef.resource", ""));
            if (ref.getName() == null || ref.getName().isEmpty()) e.add(required("spec.parentRef.name", ""));
        }
        return e;
    }

    private static String render(ParentReference r) {
        if (r == null) return "(*networking.ParentReference)(nil)";
        return "&networking.ParentReference{Group:" + FieldErrors.quote(nz(r.getGroup())) + ", Resource:" + FieldErrors.quote(nz(r.getResource()))
                + ", Namespace:" + FieldErrors.quote(nz(r.getNamespace())) + ", Name:" + FieldErrors.quote(nz(r.getName())) + "}";
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
