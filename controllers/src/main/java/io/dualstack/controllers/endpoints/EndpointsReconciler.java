package io.dualstack.controllers.endpoints;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.controllers.util.Pods;
import io.dualstack.core.IpFamily;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The legacy Endpoints controller's computation as a pure function (upstream
 * pkg/controller/endpoint). One address per pod, of the Service's <em>primary</em> family
 * ({@code ipFamilies[0]}; without ipFamilies the ClusterIP's family, and for a headless Service
 * the family of {@code status.podIP}); pods without an address of that family are left out.
 * Ready pods go to {@code addresses}, others (unless {@code publishNotReadyAddresses}) to
 * {@code notReadyAddresses}; terminating pods only with {@code publishNotReadyAddresses}.
 * Subsets are repacked by port set. Labels are the Service's plus
 * {@code service.kubernetes.io/headless} for headless Services; the
 * {@code endpoints.kubernetes.io/last-change-trigger-time} annotation is set when a trigger time
 * is known and removed otherwise; more than 1000 addresses are truncated (ready ones first,
 * proportionally per subset) and annotated {@code endpoints.kubernetes.io/over-capacity: truncated}.
 */
public final class EndpointsReconciler {
    private EndpointsReconciler() {}

    public static final int MAX_CAPACITY = 1000;
    public static final String ANNOTATION_OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
    public static final String TRUNCATED = "truncated";
    public static final String ANNOTATION_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    public static final String LABEL_HEADLESS = "service.kubernetes.io/headless";

    /** upstream podToEndpointAddressForService's family choice. */
    public static IpFamily family(Service service, Pod pod) {
        List<String> families = service.getSpec().getIpFamilies();
        if (families != null && !families.isEmpty()) return IpFamily.parse(families.get(0)).orElse(IpFamily.IPv4);
        if (Pods.isServiceIpSet(service)) return isIpv6(service.getSpec().getClusterIP()) ? IpFamily.IPv6 : IpFamily.IPv4;
        String podIp = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
        return isIpv6(podIp) ? IpFamily.IPv6 : IpFamily.IPv4;
    }

    private static boolean isIpv6(String ip) {
        if (ip == null) return false;
        IPAddress a = new IPAddressString(ip).getAddress();
        return a != null && a.isIPv6();
    }

    /** The address for a pod, or empty when the pod has no IP of the chosen family. */
    public static Optional<EndpointAddress> address(Service service, Pod pod) {
        IpFamily family = family(service, pod);
        for (String ip : Pods.podIps(pod)) {
            if (isIpv6(ip) == (family == IpFamily.IPv6)) {
                EndpointAddressBuilder b = new EndpointAddressBuilder().withIp(ip)
                        .withNodeName(pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName())
                        .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build());
                if (Pods.shouldSetHostname(pod, service)) b.withHostname(pod.getSpec().getHostname());
                return Optional.of(b.build());
            }
        }
        return Optional.empty();
    }

    /** The repacked subsets for a Service and its selected pods. */
    public static List<EndpointSubset> subsets(Service service, List<Pod> pods) {
        boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
        List<ServicePort> ports = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        boolean headless = "None".equals(service.getSpec().getClusterIP());
        // port-set key → (ports, ready addresses by identity, not-ready addresses by identity)
        Map<String, Group> groups = new TreeMap<>();
        for (Pod pod : pods) {
            if (!Pods.shouldBeInEndpoints(pod, publishNotReady)) continue;
            Optional<EndpointAddress> address = address(service, pod);
            if (address.isEmpty()) continue;
            boolean ready = publishNotReady || Pods.isReady(pod);
            if (ports.isEmpty()) {
                if (headless) groups.computeIfAbsent("", k -> new Group(List.of())).add(address.get(), ready);
                continue;
            }
            for (ServicePort sp : ports) {
                OptionalInt number = Pods.findPort(pod, sp);
                if (number.isEmpty()) continue;
                EndpointPort port = new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName())
                        .withPort(number.getAsInt()).withProtocol(Pods.protocol(sp)).withAppProtocol(sp.getAppProtocol()).build();
                groups.computeIfAbsent(portKey(port), k -> new Group(List.of(port))).add(address.get(), ready);
            }
        }
        // Repack: addresses with identical port sets share one subset.
        Map<String, Map<String, EndpointAddress>> readyByAddrSet = new LinkedHashMap<>();
        Map<String, PackedSubset> packed = new TreeMap<>();
        Map<String, List<EndpointPort>> portsByAddress = new LinkedHashMap<>();
        Map<String, EndpointAddress> addressById = new LinkedHashMap<>();
        Map<String, Boolean> readyById = new LinkedHashMap<>();
        for (Group g : groups.values()) {
            g.ready.forEach((id, a) -> {
                addressById.put(id, a);
                readyById.merge(id, true, (x, y) -> x || y);
                portsByAddress.computeIfAbsent(id, k -> new ArrayList<>()).addAll(g.ports);
            });
            g.notReady.forEach((id, a) -> {
                addressById.put(id, a);
                readyById.merge(id, false, (x, y) -> x || y);
                portsByAddress.computeIfAbsent(id, k -> new ArrayList<>()).addAll(g.ports);
            });
        }
        readyByAddrSet.clear();
        for (var e : portsByAddress.entrySet()) {
            List<EndpointPort> ps = new ArrayList<>(e.getValue());
            ps.sort(Comparator.comparing((EndpointPort p) -> Objects.toString(p.getName(), ""))
                    .thenComparing(p -> Objects.toString(p.getProtocol(), "")).thenComparing(EndpointPort::getPort));
            String key = ps.stream().map(EndpointsReconciler::portKey).reduce("", (x, y) -> x + ";" + y);
            PackedSubset s = packed.computeIfAbsent(key, k -> new PackedSubset(ps));
            if (readyById.get(e.getKey())) s.ready.add(addressById.get(e.getKey()));
            else s.notReady.add(addressById.get(e.getKey()));
        }
        List<EndpointSubset> out = new ArrayList<>();
        for (PackedSubset s : packed.values()) {
            s.ready.sort(ADDRESS_ORDER);
            s.notReady.sort(ADDRESS_ORDER);
            EndpointSubsetBuilder b = new EndpointSubsetBuilder();
            if (!s.ready.isEmpty()) b.withAddresses(s.ready);
            if (!s.notReady.isEmpty()) b.withNotReadyAddresses(s.notReady);
            if (!s.ports.isEmpty()) b.withPorts(s.ports);
            out.add(b.build());
        }
        return out;
    }

    /** upstream LessEndpointAddress: by IP, then target UID. */
    static final Comparator<EndpointAddress> ADDRESS_ORDER = Comparator.comparing(EndpointAddress::getIp)
            .thenComparing(a -> a.getTargetRef() == null ? "" : Objects.toString(a.getTargetRef().getUid(), ""));

    private static String portKey(EndpointPort p) {
        return Objects.toString(p.getName(), "") + "|" + Objects.toString(p.getProtocol(), "") + "|" + p.getPort() + "|"
                + Objects.toString(p.getAppProtocol(), "");
    }

    private static String identity(EndpointAddress a) {
        return a.getIp() + "|" + (a.getTargetRef() == null ? "" : Objects.toString(a.getTargetRef().getUid(), ""));
    }

    private static final class Group {
        final List<EndpointPort> ports;
        final Map<String, EndpointAddress> ready = new LinkedHashMap<>();
        final Map<String, EndpointAddress> notReady = new LinkedHashMap<>();

        Group(List<EndpointPort> ports) {
            this.ports = ports;
        }

        void add(EndpointAddress a, boolean isReady) {
            (isReady ? ready : notReady).put(identity(a), a);
        }
    }

    private static final class PackedSubset {
        final List<EndpointPort> ports;
        final List<EndpointAddress> ready = new ArrayList<>();
        final List<EndpointAddress> notReady = new ArrayList<>();

        PackedSubset(List<EndpointPort> ports) {
            this.ports = ports;
        }
    }

    /**
     * The Endpoints object to write for a Service with a selector (create when {@code current} is
     * empty, else update), or empty when the current object is already right. Services without a
     * selector and ExternalName Services get nothing (empty).
     */
    public static Optional<Endpoints> desired(Service service, List<Pod> pods, Optional<Endpoints> current, Optional<Instant> triggerTime) {
        if ("ExternalName".equals(service.getSpec().getType()) || service.getSpec().getSelector() == null) return Optional.empty();
        List<EndpointSubset> subsets = subsets(service, pods);
        Map<String, String> serviceLabels = service.getMetadata().getLabels() == null ? Map.of() : service.getMetadata().getLabels();
        if (current.isPresent()) {
            Endpoints cur = current.get();
            Map<String, String> compare = new LinkedHashMap<>(cur.getMetadata().getLabels() == null ? Map.of() : cur.getMetadata().getLabels());
            compare.remove(LABEL_HEADLESS);
            if (subsetsEqual(cur.getSubsets(), subsets) && compare.equals(serviceLabels) && capacityAnnotationCorrect(cur)) {
                return Optional.empty();
            }
        }
        EndpointsBuilder b = current.map(EndpointsBuilder::new).orElseGet(() -> new EndpointsBuilder().withNewMetadata()
                .withName(service.getMetadata().getName()).withNamespace(service.getMetadata().getNamespace()).endMetadata());
        Endpoints out = b.withSubsets(subsets).build();
        Map<String, String> annotations = new LinkedHashMap<>(out.getMetadata().getAnnotations() == null ? Map.of() : out.getMetadata().getAnnotations());
        if (triggerTime.isPresent()) annotations.put(ANNOTATION_TRIGGER_TIME, DateTimeFormatter.ISO_INSTANT.format(triggerTime.get()));
        else annotations.remove(ANNOTATION_TRIGGER_TIME);
        if (truncate(out)) annotations.put(ANNOTATION_OVER_CAPACITY, TRUNCATED);
        else annotations.remove(ANNOTATION_OVER_CAPACITY);
        out.getMetadata().setAnnotations(annotations);
        Map<String, String> labels = new LinkedHashMap<>(serviceLabels);
        if (!Pods.isServiceIpSet(service)) labels.put(LABEL_HEADLESS, "");
        else labels.remove(LABEL_HEADLESS);
        out.getMetadata().setLabels(labels);
        return Optional.of(out);
    }

    static boolean capacityAnnotationCorrect(Endpoints endpoints) {
        int n = 0;
        if (endpoints.getSubsets() != null) for (EndpointSubset s : endpoints.getSubsets()) n += count(s.getAddresses()) + count(s.getNotReadyAddresses());
        if (n > MAX_CAPACITY) return false;
        return endpoints.getMetadata().getAnnotations() == null || !endpoints.getMetadata().getAnnotations().containsKey(ANNOTATION_OVER_CAPACITY);
    }

    private static int count(List<?> l) {
        return l == null ? 0 : l.size();
    }

    /** upstream truncateEndpoints: keep at most 1000, ready first, proportionally per subset (rounded up). */
    static boolean truncate(Endpoints endpoints) {
        List<EndpointSubset> subsets = endpoints.getSubsets();
        int totalReady = 0;
        int totalNotReady = 0;
        for (EndpointSubset s : subsets) {
            totalReady += count(s.getAddresses());
            totalNotReady += count(s.getNotReadyAddresses());
        }
        if (totalReady + totalNotReady <= MAX_CAPACITY) return false;
        boolean truncateReady = totalReady > MAX_CAPACITY;
        int max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
        int numTotal = truncateReady ? totalReady : totalNotReady;
        int canBeAdded = max;
        List<EndpointSubset> out = new ArrayList<>();
        for (EndpointSubset s : subsets) {
            int inSubset = truncateReady ? count(s.getAddresses()) : count(s.getNotReadyAddresses());
            int toBeAdded = (int) Math.ceil(((double) inSubset / numTotal) * max);
            if (toBeAdded > canBeAdded) toBeAdded = canBeAdded;
            EndpointSubsetBuilder b = new EndpointSubsetBuilder(s);
            if (truncateReady) {
                List<EndpointAddress> kept = head(s.getAddresses(), toBeAdded);
                b.withAddresses(kept).withNotReadyAddresses(new ArrayList<>());
                canBeAdded -= kept.size();
            } else {
                List<EndpointAddress> kept = head(s.getNotReadyAddresses(), toBeAdded);
                b.withNotReadyAddresses(kept);
                canBeAdded -= kept.size();
            }
            out.add(b.build());
        }
        endpoints.setSubsets(out);
        return true;
    }

    private static List<EndpointAddress> head(List<EndpointAddress> l, int n) {
        if (l == null) return new ArrayList<>();
        return new ArrayList<>(l.size() <= n ? l : l.subList(0, n));
    }

    /** Subsets equal, ignoring target references' resourceVersion and nil-vs-empty lists. */
    static boolean subsetsEqual(List<EndpointSubset> a, List<EndpointSubset> b) {
        List<EndpointSubset> x = a == null ? List.of() : a;
        List<EndpointSubset> y = b == null ? List.of() : b;
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            if (!addressesEqual(x.get(i).getAddresses(), y.get(i).getAddresses())) return false;
            if (!addressesEqual(x.get(i).getNotReadyAddresses(), y.get(i).getNotReadyAddresses())) return false;
            List<EndpointPort> px = x.get(i).getPorts() == null ? List.of() : x.get(i).getPorts();
            List<EndpointPort> py = y.get(i).getPorts() == null ? List.of() : y.get(i).getPorts();
            if (px.size() != py.size()) return false;
            for (int j = 0; j < px.size(); j++) if (!portKey(px.get(j)).equals(portKey(py.get(j)))) return false;
        }
        return true;
    }

    private static boolean addressesEqual(List<EndpointAddress> a, List<EndpointAddress> b) {
        List<EndpointAddress> x = a == null ? List.of() : a;
        List<EndpointAddress> y = b == null ? List.of() : b;
        if (x.size() != y.size()) return false;
        for (int i = 0; i < x.size(); i++) {
            EndpointAddress p = x.get(i);
            EndpointAddress q = y.get(i);
            if (!Objects.equals(p.getIp(), q.getIp()) || !Objects.equals(blank(p.getHostname()), blank(q.getHostname()))
                    || !Objects.equals(blank(p.getNodeName()), blank(q.getNodeName())) || !refEqual(p.getTargetRef(), q.getTargetRef())) {
                return false;
            }
        }
        return true;
    }

    private static String blank(String s) {
        return s == null ? "" : s;
    }

    private static boolean refEqual(ObjectReference a, ObjectReference b) {
        if (a == null || b == null) return a == b;
        return Objects.equals(blank(a.getKind()), blank(b.getKind())) && Objects.equals(blank(a.getNamespace()), blank(b.getNamespace()))
                && Objects.equals(blank(a.getName()), blank(b.getName())) && Objects.equals(blank(a.getUid()), blank(b.getUid()));
    }
}
