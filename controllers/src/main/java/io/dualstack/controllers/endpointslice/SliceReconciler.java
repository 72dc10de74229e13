package io.dualstack.controllers.endpointslice;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.controllers.util.Pods;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The EndpointSlice reconciler as a pure function, following upstream's
 * {@code k8s.io/endpointslice} reconciler: (Service, selected Pods, Nodes, existing slices) →
 * slices to create, update and delete.
 *
 * <ul>
 *   <li>Address types: the Service's {@code ipFamilies} in order; without them the family of the
 *       ClusterIP, and for a headless Service both IPv4 and IPv6 (upstream's fallback). Slices of
 *       other address types are deleted.</li>
 *   <li>Per address type, pods are grouped by their resolved ports (named targetPorts resolve per
 *       pod, a port a pod does not expose is left out), so pods that resolve differently land in
 *       different slices; at most {@code maxEndpointsPerSlice} endpoints per slice.</li>
 *   <li>Minimal churn: endpoints stay in the slice they are in; changed slices are filled before
 *       anything is created; leftovers go into the unchanged slice closest to full that fits them
 *       all; a create paired with a delete becomes an update of the doomed slice; an empty
 *       address type keeps (or gets) one placeholder slice with no endpoints and no ports.</li>
 * </ul>
 * Outputs are fresh objects (inputs are never modified) and deterministic (pods in name order).
 */
public final class SliceReconciler {
    public static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    public static final String LABEL_SERVICE_NAME = "kubernetes.io/service-name";
    public static final String LABEL_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    public static final String LABEL_HEADLESS = "service.kubernetes.io/headless";
    public static final String ANNOTATION_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    public static final String LABEL_ZONE = "topology.kubernetes.io/zone";
    public static final int DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

    /** What to write. {@code skipped} names pods left out because their node is unknown (upstream requeues the Service). */
    public record Changes(List<EndpointSlice> create, List<EndpointSlice> update, List<EndpointSlice> delete, List<String> skipped) {
        public Changes {
            create = List.copyOf(create);
            update = List.copyOf(update);
            delete = List.copyOf(delete);
            skipped = List.copyOf(skipped);
        }

        public boolean isEmpty() {
            return create.isEmpty() && update.isEmpty() && delete.isEmpty();
        }
    }

    private final int maxEndpointsPerSlice;

    public SliceReconciler(int maxEndpointsPerSlice) {
        if (maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > 1000) {
            throw new IllegalArgumentException("--max-endpoints-per-slice must be between 1 and 1000, got " + maxEndpointsPerSlice);
        }
        this.maxEndpointsPerSlice = maxEndpointsPerSlice;
    }

    public int maxEndpointsPerSlice() {
        return maxEndpointsPerSlice;
    }

    /** upstream getAddressTypesForService, in the Service's family order. */
    public static List<IpFamily> addressTypes(Service service) {
        Set<IpFamily> out = new LinkedHashSet<>();
        List<String> families = service.getSpec() == null ? null : service.getSpec().getIpFamilies();
        if (families != null) for (String f : families) IpFamily.parse(f).ifPresent(out::add);
        if (!out.isEmpty()) return List.copyOf(out);
        if (Pods.isServiceIpSet(service)) {
            IPAddress ip = new IPAddressString(service.getSpec().getClusterIP()).getAddress();
            return List.of(ip != null && ip.isIPv6() ? IpFamily.IPv6 : IpFamily.IPv4);
        }
        return List.of(IpFamily.IPv4, IpFamily.IPv6);
    }

    public Changes reconcile(Service service, List<Pod> pods, Function<String, Optional<Node>> nodes,
                             List<EndpointSlice> existing, Optional<Instant> triggerTime) {
        List<IpFamily> types = addressTypes(service);
        List<EndpointSlice> create = new ArrayList<>();
        List<EndpointSlice> update = new ArrayList<>();
        List<EndpointSlice> delete = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<IpFamily, List<EndpointSlice>> byType = new LinkedHashMap<>();
        List<EndpointSlice> unsupported = new ArrayList<>();
        for (EndpointSlice slice : existing) {
            Optional<IpFamily> family = IpFamily.parse(slice.getAddressType());
            if (family.isEmpty() || !types.contains(family.get())) unsupported.add(slice);
            else byType.computeIfAbsent(family.get(), f -> new ArrayList<>()).add(slice);
        }
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        for (IpFamily type : types) {
            reconcileByAddressType(service, sorted, nodes, byType.getOrDefault(type, List.of()), type, create, update, delete, skipped);
        }
        delete.addAll(unsupported);
        String stamp = triggerTime.map(t -> DateTimeFormatter.ISO_INSTANT.format(t)).orElse(null);
        for (EndpointSlice s : create) setTriggerTime(s, stamp);
        for (EndpointSlice s : update) setTriggerTime(s, stamp);
        return new Changes(create, update, delete, skipped.stream().distinct().toList());
    }

    private void reconcileByAddressType(Service service, List<Pod> pods, Function<String, Optional<Node>> nodes,
                                        List<EndpointSlice> existing, IpFamily type,
                                        List<EndpointSlice> createOut, List<EndpointSlice> updateOut,
                                        List<EndpointSlice> deleteOut, List<String> skipped) {
        List<EndpointSlice> toCreate = new ArrayList<>();
        List<EndpointSlice> toUpdate = new ArrayList<>();
        List<EndpointSlice> toDelete = new ArrayList<>();

        Map<String, List<EndpointSlice>> existingByPorts = new LinkedHashMap<>();
        for (EndpointSlice slice : existing) {
            if (ownedBy(slice, service)) existingByPorts.computeIfAbsent(portKey(slice.getPorts()), k -> new ArrayList<>()).add(slice);
            else toDelete.add(slice);
        }

        Map<String, List<EndpointPort>> desiredPorts = new LinkedHashMap<>();
        Map<String, LinkedHashMap<String, Endpoint>> desired = new LinkedHashMap<>();
        for (Pod pod : pods) {
            if (!Pods.shouldBeInEndpoints(pod, true)) continue;
            List<EndpointPort> ports = endpointPorts(service, pod);
            String key = portKey(ports);
            desiredPorts.putIfAbsent(key, ports);
            LinkedHashMap<String, Endpoint> set = desired.computeIfAbsent(key, k -> new LinkedHashMap<>());
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            Optional<Node> node = nodeName == null || nodeName.isEmpty() ? Optional.empty() : nodes.apply(nodeName);
            if (node.isEmpty() && !Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses())) {
                skipped.add("skipping Pod " + pod.getMetadata().getName() + " for Service " + service.getMetadata().getNamespace()
                        + "/" + service.getMetadata().getName() + ": Node " + nodeName + " Not Found");
                continue;
            }
            Endpoint endpoint = podToEndpoint(pod, node.orElse(null), service, type);
            if (!endpoint.getAddresses().isEmpty()) set.put(endpointHash(endpoint), endpoint);
        }

        for (var entry : desired.entrySet()) {
            reconcileByPortMapping(service, existingByPorts.getOrDefault(entry.getKey(), List.of()), entry.getValue(),
                    desiredPorts.get(entry.getKey()), type, toCreate, toUpdate, toDelete);
        }
        for (var entry : existingByPorts.entrySet()) {
            if (!desired.containsKey(entry.getKey())) toDelete.addAll(entry.getValue());
        }

        if (existing.size() == toDelete.size() && toCreate.isEmpty()) {
            EndpointSlice placeholder = newSlice(service, List.of(), type);
            if (toDelete.size() == 1 && placeholderEqual(toDelete.get(0), placeholder)) toDelete.clear();
            else toCreate.add(placeholder);
        }

        // finalize: turn creates into updates of slices that would otherwise be deleted.
        for (int i = 0; i < toDelete.size() && !toCreate.isEmpty(); ) {
            EndpointSlice doomed = toDelete.get(i);
            EndpointSlice fresh = toCreate.get(toCreate.size() - 1);
            if (Objects.equals(doomed.getAddressType(), fresh.getAddressType()) && ownedBy(doomed, service)) {
                EndpointSlice reused = new EndpointSliceBuilder(fresh)
                        .editMetadata().withName(doomed.getMetadata().getName()).withGenerateName(doomed.getMetadata().getGenerateName())
                        .withResourceVersion(doomed.getMetadata().getResourceVersion()).withUid(doomed.getMetadata().getUid())
                        .withAnnotations(copy(doomed.getMetadata().getAnnotations()))
                        .endMetadata().build();
                toCreate.remove(toCreate.size() - 1);
                toUpdate.add(reused);
                toDelete.remove(i);
            } else {
                i++;
            }
        }
        createOut.addAll(toCreate);
        updateOut.addAll(toUpdate);
        deleteOut.addAll(toDelete);
    }

    private void reconcileByPortMapping(Service service, List<EndpointSlice> existing, LinkedHashMap<String, Endpoint> desiredSet,
                                        List<EndpointPort> ports, IpFamily type,
                                        List<EndpointSlice> createOut, List<EndpointSlice> updateOut, List<EndpointSlice> deleteOut) {
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        Set<String> unchanged = new LinkedHashSet<>();
        Set<String> toUpdate = new LinkedHashSet<>();
        Set<String> toDelete = new LinkedHashSet<>();

        // 1. keep desired endpoints where they are, drop the others, refresh changed ones and labels.
        for (EndpointSlice slice : existing) {
            String name = slice.getMetadata().getName();
            byName.put(name, slice);
            List<Endpoint> kept = new ArrayList<>();
            boolean changed = false;
            List<Endpoint> current = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
            for (Endpoint endpoint : current) {
                Endpoint want = desiredSet.remove(endpointHash(endpoint));
                if (want != null) {
                    kept.add(want);
                    if (!equalBeyondHash(want, endpoint)) changed = true;
                }
            }
            boolean labelsChanged = labelsChanged(slice, service);
            if (changed || current.size() != kept.size()) {
                if (kept.isEmpty()) {
                    toDelete.add(name);
                } else {
                    byName.put(name, new EndpointSliceBuilder(slice).withEndpoints(kept)
                            .editMetadata().withLabels(sliceLabels(slice, service)).endMetadata().build());
                    toUpdate.add(name);
                }
            } else if (labelsChanged) {
                byName.put(name, new EndpointSliceBuilder(slice).editMetadata().withLabels(sliceLabels(slice, service)).endMetadata().build());
                toUpdate.add(name);
            } else {
                unchanged.add(name);
            }
        }

        // 2. fill the slices being updated anyway, fullest first.
        if (!desiredSet.isEmpty() && !toUpdate.isEmpty()) {
            List<String> names = new ArrayList<>(toUpdate);
            names.sort(Comparator.comparingInt((String n) -> -size(byName.get(n))));
            for (String n : names) {
                EndpointSlice slice = byName.get(n);
                List<Endpoint> eps = new ArrayList<>(slice.getEndpoints() == null ? List.of() : slice.getEndpoints());
                while (!desiredSet.isEmpty() && eps.size() < maxEndpointsPerSlice) eps.add(popFirst(desiredSet));
                byName.put(n, new EndpointSliceBuilder(slice).withEndpoints(eps).build());
            }
        }

        // 3. leftovers: the unchanged slice closest to full that fits them all, else new slices.
        List<EndpointSlice> created = new ArrayList<>();
        while (!desiredSet.isEmpty()) {
            EndpointSlice fill = null;
            if (desiredSet.size() < maxEndpointsPerSlice && !unchanged.isEmpty()) {
                fill = sliceToFill(unchanged.stream().map(byName::get).toList(), desiredSet.size());
            }
            boolean isNew = fill == null;
            if (isNew) fill = newSlice(service, ports, type);
            List<Endpoint> eps = new ArrayList<>(fill.getEndpoints() == null ? List.of() : fill.getEndpoints());
            while (!desiredSet.isEmpty() && eps.size() < maxEndpointsPerSlice) eps.add(popFirst(desiredSet));
            fill = new EndpointSliceBuilder(fill).withEndpoints(eps).build();
            if (isNew) {
                created.add(fill);
            } else {
                String n = fill.getMetadata().getName();
                byName.put(n, fill);
                toUpdate.add(n);
                unchanged.remove(n);
            }
        }
        createOut.addAll(created);
        for (String n : toUpdate) updateOut.add(byName.get(n));
        for (String n : toDelete) deleteOut.add(byName.get(n));
    }

    private EndpointSlice sliceToFill(List<EndpointSlice> slices, int count) {
        int closest = maxEndpointsPerSlice;
        EndpointSlice best = null;
        for (EndpointSlice s : slices) {
            int diff = maxEndpointsPerSlice - (count + size(s));
            if (diff >= 0 && diff < closest) {
                closest = diff;
                best = s;
                if (diff == 0) return best;
            }
        }
        return best;
    }

    private static int size(EndpointSlice s) {
        return s.getEndpoints() == null ? 0 : s.getEndpoints().size();
    }

    private static Endpoint popFirst(LinkedHashMap<String, Endpoint> set) {
        var it = set.entrySet().iterator();
        Endpoint e = it.next().getValue();
        it.remove();
        return e;
    }

    /** upstream podToEndpoint (plain constructors: this runs once per pod and family on every sync). */
    static Endpoint podToEndpoint(Pod pod, Node node, Service service, IpFamily type) {
        boolean serving = Pods.isReady(pod);
        boolean terminating = Pods.isTerminating(pod);
        boolean ready = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses()) || (serving && !terminating);
        Endpoint e = new Endpoint();
        e.setAddresses(addresses(pod, type));
        e.setConditions(new EndpointConditions(ready, serving, terminating));
        ObjectReference ref = new ObjectReference();
        ref.setKind("Pod");
        ref.setNamespace(pod.getMetadata().getNamespace());
        ref.setName(pod.getMetadata().getName());
        ref.setUid(pod.getMetadata().getUid());
        e.setTargetRef(ref);
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (nodeName != null && !nodeName.isEmpty()) e.setNodeName(nodeName);
        if (node != null && node.getMetadata().getLabels() != null) {
            String zone = node.getMetadata().getLabels().get(LABEL_ZONE);
            if (zone != null && !zone.isEmpty()) e.setZone(zone);
        }
        if (Pods.shouldSetHostname(pod, service)) e.setHostname(pod.getSpec().getHostname());
        return e;
    }

    /** The pod's IPs of one family, re-rendered canonically (upstream re-stringifies parsed IPs). */
    static List<String> addresses(Pod pod, IpFamily type) {
        List<String> out = new ArrayList<>(1);
        for (String ip : Pods.podIps(pod)) {
            boolean v6 = ip.indexOf(':') >= 0;
            if (v6 != (type == IpFamily.IPv6)) continue;
            if (!v6 && isCanonicalIpv4(ip)) {
                out.add(ip);
                continue;
            }
            IPAddress a = new IPAddressString(ip).getAddress();
            if (a != null && IpFamily.of(a) == type) out.add(a.toCanonicalString());
        }
        return out;
    }

    /** Dotted quad without leading zeros, each octet 0..255: already in the form upstream would print. */
    static boolean isCanonicalIpv4(String ip) {
        int octets = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= ip.length(); i++) {
            char c = i == ip.length() ? '.' : ip.charAt(i);
            if (c == '.') {
                if (digits == 0 || value > 255) return false;
                octets++;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits > 0 && value == 0) return false;
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3) return false;
            } else {
                return false;
            }
        }
        return octets == 4;
    }

    /** upstream getEndpointPorts: headless without ports → none; each service port the pod resolves. */
    static List<EndpointPort> endpointPorts(Service service, Pod pod) {
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        List<EndpointPort> out = new ArrayList<>();
        for (ServicePort sp : ports) {
            OptionalInt number = Pods.findPort(pod, sp);
            if (number.isEmpty()) continue;
            out.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName()).withPort(number.getAsInt())
                    .withProtocol(Pods.protocol(sp)).withAppProtocol(sp.getAppProtocol()).build());
        }
        return out;
    }

    /** Grouping key of a port list, independent of order. */
    static String portKey(List<EndpointPort> ports) {
        if (ports == null || ports.isEmpty()) return "";
        TreeMap<String, Integer> parts = new TreeMap<>();
        for (EndpointPort p : ports) {
            parts.merge(Objects.toString(p.getName(), "") + "|" + Objects.toString(p.getProtocol(), "TCP") + "|"
                    + Objects.toString(p.getPort(), "") + "|" + Objects.toString(p.getAppProtocol(), ""), 1, Integer::sum);
        }
        return parts.toString();
    }

    /** upstream hashEndpoint: sorted addresses, hostname, targetRef namespace/name. */
    static String endpointHash(Endpoint e) {
        List<String> addresses = new ArrayList<>(e.getAddresses() == null ? List.of() : e.getAddresses());
        addresses.sort(null);
        ObjectReference ref = e.getTargetRef();
        return String.join(",", addresses) + "|" + Objects.toString(e.getHostname(), "") + "|"
                + (ref == null ? "" : Objects.toString(ref.getNamespace(), "") + "/" + Objects.toString(ref.getName(), ""));
    }

    /** upstream EndpointsEqualBeyondHash: nodeName, zone, conditions and targetRef (ignoring resourceVersion). */
    static boolean equalBeyondHash(Endpoint a, Endpoint b) {
        if (!Objects.equals(emptyToNull(a.getNodeName()), emptyToNull(b.getNodeName()))) return false;
        if (!Objects.equals(emptyToNull(a.getZone()), emptyToNull(b.getZone()))) return false;
        var ca = a.getConditions();
        var cb = b.getConditions();
        if ((ca == null) != (cb == null)) return false;
        if (ca != null && (!Objects.equals(ca.getReady(), cb.getReady()) || !Objects.equals(ca.getServing(), cb.getServing())
                || !Objects.equals(ca.getTerminating(), cb.getTerminating()))) return false;
        return refEqual(a.getTargetRef(), b.getTargetRef());
    }

    private static boolean refEqual(ObjectReference a, ObjectReference b) {
        if (a == null || b == null) return a == b;
        return Objects.equals(emptyToNull(a.getKind()), emptyToNull(b.getKind()))
                && Objects.equals(emptyToNull(a.getNamespace()), emptyToNull(b.getNamespace()))
                && Objects.equals(emptyToNull(a.getName()), emptyToNull(b.getName()))
                && Objects.equals(emptyToNull(a.getUid()), emptyToNull(b.getUid()))
                && Objects.equals(emptyToNull(a.getApiVersion()), emptyToNull(b.getApiVersion()))
                && Objects.equals(emptyToNull(a.getFieldPath()), emptyToNull(b.getFieldPath()));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static boolean ownedBy(EndpointSlice slice, Service service) {
        List<OwnerReference> refs = slice.getMetadata().getOwnerReferences();
        if (refs == null) return false;
        for (OwnerReference o : refs) {
            if (Objects.equals(o.getUid(), service.getMetadata().getUid()) && "Service".equals(o.getKind()) && "v1".equals(o.getApiVersion())) {
                return true;
            }
        }
        return false;
    }

    static boolean isReserved(String label) {
        return LABEL_SERVICE_NAME.equals(label) || LABEL_MANAGED_BY.equals(label) || LABEL_HEADLESS.equals(label);
    }

    private static Map<String, String> nonReserved(Map<String, String> labels) {
        Map<String, String> out = new HashMap<>();
        if (labels != null) labels.forEach((k, v) -> {
            if (!isReserved(k)) out.put(k, v);
        });
        return out;
    }

    /** upstream setEndpointSliceLabels: the Service's labels (minus reserved ones) + headless + service-name + managed-by. */
    static Map<String, String> sliceLabels(EndpointSlice slice, Service service) {
        Map<String, String> labels = new TreeMap<>(nonReserved(service.getMetadata().getLabels()));
        if (!Pods.isServiceIpSet(service)) labels.put(LABEL_HEADLESS, "");
        labels.put(LABEL_SERVICE_NAME, service.getMetadata().getName());
        labels.put(LABEL_MANAGED_BY, CONTROLLER_NAME);
        return labels;
    }

    /** Whether the slice's non-reserved labels differ from the Service's (upstream's "updated" flag). */
    static boolean labelsChanged(EndpointSlice slice, Service service) {
        return !nonReserved(slice.getMetadata().getLabels()).equals(nonReserved(service.getMetadata().getLabels()));
    }

    /** upstream newEndpointSlice: generateName {@code <service>-}, controller ownerReference, labels, no endpoints. */
    static EndpointSlice newSlice(Service service, List<EndpointPort> ports, IpFamily type) {
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service")
                .withName(service.getMetadata().getName()).withUid(service.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
        EndpointSlice slice = new EndpointSliceBuilder()
                .withNewMetadata()
                .withGenerateName(service.getMetadata().getName() + "-")
                .withNamespace(service.getMetadata().getNamespace())
                .withOwnerReferences(owner)
                .endMetadata()
                .withAddressType(type.addressType())
                .withPorts(new ArrayList<>(ports))
                .withEndpoints(new ArrayList<>())
                .build();
        slice.getMetadata().setLabels(sliceLabels(slice, service));
        return slice;
    }

    /** upstream placeholderSliceCompare: namespace, labels, owner references and the (empty) content. */
    static boolean placeholderEqual(EndpointSlice a, EndpointSlice placeholder) {
        return Objects.equals(a.getMetadata().getNamespace(), placeholder.getMetadata().getNamespace())
                && Objects.equals(a.getMetadata().getLabels() == null ? Map.of() : a.getMetadata().getLabels(), placeholder.getMetadata().getLabels())
                && ownersEqual(a.getMetadata().getOwnerReferences(), placeholder.getMetadata().getOwnerReferences())
                && Objects.equals(a.getAddressType(), placeholder.getAddressType())
                && (a.getPorts() == null || a.getPorts().isEmpty())
                && (a.getEndpoints() == null || a.getEndpoints().isEmpty());
    }

    private static boolean ownersEqual(List<OwnerReference> a, List<OwnerReference> b) {
        List<OwnerReference> x = a == null ? List.of() : a;
        List<OwnerReference> y = b == null ? List.of() : b;
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            OwnerReference p = x.get(i);
            OwnerReference q = y.get(i);
            if (!Objects.equals(p.getApiVersion(), q.getApiVersion()) || !Objects.equals(p.getKind(), q.getKind())
                    || !Objects.equals(p.getName(), q.getName()) || !Objects.equals(p.getUid(), q.getUid())
                    || !Objects.equals(p.getController(), q.getController())
                    || !Objects.equals(p.getBlockOwnerDeletion(), q.getBlockOwnerDeletion())) return false;
        }
        return true;
    }

    private static void setTriggerTime(EndpointSlice slice, String stamp) {
        Map<String, String> annotations = copy(slice.getMetadata().getAnnotations());
        if (stamp != null) annotations.put(ANNOTATION_TRIGGER_TIME, stamp);
        else annotations.remove(ANNOTATION_TRIGGER_TIME);
        slice.getMetadata().setAnnotations(annotations);
    }

    private static Map<String, String> copy(Map<String, String> m) {
        return m == null ? new LinkedHashMap<>() : new LinkedHashMap<>(m);
    }
}
