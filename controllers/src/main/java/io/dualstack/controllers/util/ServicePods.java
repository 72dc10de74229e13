package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Service ↔ Pod lookups over shared informer caches (the pod label index of {@link SharedInformers}). */
public final class ServicePods {
    private ServicePods() {}

    /** Pods in the Service's namespace matching its selector (none without a selector). */
    public static List<Pod> podsFor(Service service, SharedIndexInformer<Pod> pods) {
        if (!Pods.hasSelector(service)) return List.of();
        Map<String, String> selector = service.getSpec().getSelector();
        var first = selector.entrySet().iterator().next();
        String ns = service.getMetadata().getNamespace();
        List<Pod> candidates = pods.getIndexer().byIndex(SharedInformers.POD_LABELS,
                SharedInformers.podLabelKey(ns, first.getKey(), first.getValue()));
        List<Pod> out = new ArrayList<>(candidates.size());
        for (Pod p : candidates) if (Pods.matches(selector, p.getMetadata().getLabels())) out.add(p);
        return out;
    }

    /** Keys ({@code ns/name}) of Services in the pod's namespace whose selector matches these labels. */
    public static Set<String> servicesFor(String namespace, Map<String, String> labels, SharedIndexInformer<Service> services) {
        Set<String> out = new LinkedHashSet<>();
        for (Service s : services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            if (Pods.hasSelector(s) && Pods.matches(s.getSpec().getSelector(), labels)) {
                out.add(Pods.key(namespace, s.getMetadata().getName()));
            }
        }
        return out;
    }

    /**
     * Services to resync after a pod update (upstream GetServicesToUpdateOnPodChange): when labels
     * (or hostname/subdomain) changed, the services of the old labels and the new ones — all of them
     * if the endpoint-relevant state changed too, else only the symmetric difference; otherwise the
     * current services if the endpoint-relevant state changed; otherwise none.
     */
    public static Set<String> servicesToUpdate(Pod oldPod, Pod newPod, SharedIndexInformer<Service> services) {
        if (Objects.equals(oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion())) return Set.of();
        boolean labelsChanged = !Objects.equals(oldPod.getMetadata().getLabels(), newPod.getMetadata().getLabels())
                || !Objects.equals(hostname(oldPod), hostname(newPod)) || !Objects.equals(subdomain(oldPod), subdomain(newPod));
        boolean podChanged = endpointsChanged(oldPod, newPod);
        String ns = newPod.getMetadata().getNamespace();
        if (!labelsChanged) return podChanged ? servicesFor(ns, newPod.getMetadata().getLabels(), services) : Set.of();
        Set<String> now = servicesFor(ns, newPod.getMetadata().getLabels(), services);
        Set<String> before = servicesFor(ns, oldPod.getMetadata().getLabels(), services);
        Set<String> out = new LinkedHashSet<>();
        if (podChanged) {
            out.addAll(now);
            out.addAll(before);
        } else {
            for (String s : now) if (!before.contains(s)) out.add(s);
            for (String s : before) if (!now.contains(s)) out.add(s);
        }
        if (labelsChanged && !podChanged && !Objects.equals(hostname(oldPod), hostname(newPod))) out.addAll(now);
        return out;
    }

    /** upstream podEndpointsChanged (first result): deletion timestamp, readiness, IPs; plus nodeName and phase. */
    public static boolean endpointsChanged(Pod a, Pod b) {
        if (!Objects.equals(a.getMetadata().getDeletionTimestamp(), b.getMetadata().getDeletionTimestamp())) return true;
        if (Pods.isReady(a) != Pods.isReady(b)) return true;
        if (!Pods.podIps(a).equals(Pods.podIps(b))) return true;
        if (Pods.isTerminal(a) != Pods.isTerminal(b)) return true;
        return !Objects.equals(a.getSpec() == null ? null : a.getSpec().getNodeName(), b.getSpec() == null ? null : b.getSpec().getNodeName());
    }

    private static String hostname(Pod p) {
        return p.getSpec() == null ? null : p.getSpec().getHostname();
    }

    private static String subdomain(Pod p) {
        return p.getSpec() == null ? null : p.getSpec().getSubdomain();
    }
}
