package io.dualstack.controllers.endpointslice;

import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.Pods;
import io.dualstack.controllers.util.ServicePods;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.TriggerTimeTracker;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The EndpointSlice controller: keeps the slices of every Service with a selector equal to what
 * {@link SliceReconciler} computes from the informer caches, and writes the difference through the
 * API (create / update with optimistic concurrency / delete). Like upstream it tracks its own
 * writes and waits for the slice cache to catch up with them before computing again (a stale
 * cache would otherwise make it create duplicates); conflicts and errors are retried with
 * backoff. Services without a selector (and ExternalName Services) are left alone; when a Service
 * is deleted its managed slices are deleted too (upstream leaves that to the garbage collector).
 */
public final class EndpointSliceController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointSliceController.class);
    private static final long DELETED = -1;

    private final KubernetesClient client;
    private final SliceReconciler reconciler;
    private final EventRecorder recorder;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final WorkQueue<String> queue;
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();
    /** service key → slice name → resourceVersion we wrote (or DELETED). */
    private final Map<String, Map<String, Long>> expectations = new ConcurrentHashMap<>();
    /** Services with pods on nodes not (yet) in the cache: resynced when a node appears. */
    private final java.util.Set<String> waitingForNodes = ConcurrentHashMap.newKeySet();

    public EndpointSliceController(SharedInformers informers, EventRecorder recorder, int maxEndpointsPerSlice, int workers) {
        this.client = informers.client();
        this.reconciler = new SliceReconciler(maxEndpointsPerSlice);
        this.recorder = recorder;
        this.services = informers.informer(Service.class);
        this.pods = informers.informer(Pod.class);
        this.nodes = informers.informer(Node.class);
        this.slices = informers.informer(EndpointSlice.class);
        this.queue = new WorkQueue<>("endpointslice", workers, this::sync);
        services.addEventHandler(SharedInformers.<Service>handler(s -> queue.add(key(s)), (o, n) -> queue.add(key(n)), s -> queue.add(key(s))));
        pods.addEventHandler(SharedInformers.<Pod>handler(
                p -> ServicePods.servicesFor(p.getMetadata().getNamespace(), p.getMetadata().getLabels(), services).forEach(queue::add),
                (o, n) -> ServicePods.servicesToUpdate(o, n, services).forEach(queue::add),
                p -> ServicePods.servicesFor(p.getMetadata().getNamespace(), p.getMetadata().getLabels(), services).forEach(queue::add)));
        nodes.addEventHandler(SharedInformers.<Node>handler(n -> waitingForNodes.forEach(queue::add), (o, n) -> {
            if (!Objects.equals(zone(o), zone(n))) resyncAll();
        }, n -> { }));
        slices.addEventHandler(SharedInformers.<EndpointSlice>handler(this::onSlice, (o, n) -> onSlice(n), this::onSliceDelete));
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    public SliceReconciler reconciler() {
        return reconciler;
    }

    public void start() {
        queue.start();
        resyncAll();
    }

    private void resyncAll() {
        for (Service s : services.getStore().list()) queue.add(key(s));
    }

    private static String zone(Node n) {
        return n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get(SliceReconciler.LABEL_ZONE);
    }

    private static String key(Service s) {
        return Pods.key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    }

    private static Optional<String> serviceKey(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        if (labels == null || !SliceReconciler.CONTROLLER_NAME.equals(labels.get(SliceReconciler.LABEL_MANAGED_BY))) return Optional.empty();
        String svc = labels.get(SliceReconciler.LABEL_SERVICE_NAME);
        return svc == null ? Optional.empty() : Optional.of(Pods.key(slice.getMetadata().getNamespace(), svc));
    }

    private void onSlice(EndpointSlice slice) {
        serviceKey(slice).ifPresent(svc -> {
            Map<String, Long> expected = expectations.get(svc);
            Long rv = expected == null ? null : expected.get(slice.getMetadata().getName());
            if (rv != null && rv == parse(slice.getMetadata().getResourceVersion())) return; // our own write
            queue.add(svc);
        });
    }

    private void onSliceDelete(EndpointSlice slice) {
        serviceKey(slice).ifPresent(svc -> {
            Map<String, Long> expected = expectations.get(svc);
            Long rv = expected == null ? null : expected.get(slice.getMetadata().getName());
            if (rv != null && rv == DELETED) return;
            queue.add(svc);
        });
    }

    private static long parse(String rv) {
        try {
            return rv == null ? Long.MIN_VALUE : Long.parseLong(rv);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    /** True when the slice cache reflects every write we made for this service. */
    private boolean cacheCaughtUp(String svc, String ns) {
        Map<String, Long> expected = expectations.get(svc);
        if (expected == null) return true;
        boolean upToDate = true;
        for (var e : List.copyOf(expected.entrySet())) {
            EndpointSlice cached = slices.getStore().getByKey(ns + "/" + e.getKey());
            boolean seen;
            if (e.getValue() == DELETED) seen = cached == null;
            else if (cached == null) seen = false;
            else {
                long rv = parse(cached.getMetadata().getResourceVersion());
                seen = rv == Long.MIN_VALUE || rv >= e.getValue();
            }
            if (seen) expected.remove(e.getKey(), e.getValue());
            else upToDate = false;
        }
        return upToDate;
    }

    private void expect(String svc, String name, long rv) {
        expectations.computeIfAbsent(svc, k -> new ConcurrentHashMap<>()).put(name, rv);
    }

    private List<EndpointSlice> managedSlices(String ns, String name) {
        List<EndpointSlice> out = new ArrayList<>();
        for (EndpointSlice s : slices.getIndexer().byIndex(SharedInformers.SLICE_SERVICE, ns + "/" + name)) {
            Map<String, String> labels = s.getMetadata().getLabels();
            if (labels != null && SliceReconciler.CONTROLLER_NAME.equals(labels.get(SliceReconciler.LABEL_MANAGED_BY))) out.add(s);
        }
        return out;
    }

    private void sync(String key) throws Exception {
        int slash = key.indexOf('/');
        String ns = key.substring(0, slash);
        String name = key.substring(slash + 1);
        Service service = services.getStore().getByKey(key);
        if (service == null) {
            triggerTimes.forget(ns, name);
            waitingForNodes.remove(key);
            for (EndpointSlice s : managedSlices(ns, name)) deleteSlice(key, s);
            expectations.remove(key);
            return;
        }
        if ("ExternalName".equals(service.getSpec().getType()) || !Pods.hasSelector(service)) return;
        if (!cacheCaughtUp(key, ns)) {
            queue.addAfter(key, Duration.ofMillis(50));
            return;
        }
        List<Pod> selected = ServicePods.podsFor(service, pods);
        var trigger = triggerTimes.compute(service, selected);
        SliceReconciler.Changes changes = reconciler.reconcile(service, selected,
                n -> Optional.ofNullable(nodes.getStore().getByKey(n)), managedSlices(ns, name), trigger);
        if (service.getMetadata().getDeletionTimestamp() == null) {
            for (EndpointSlice s : changes.create()) {
                try {
                    EndpointSlice created = client.resources(EndpointSlice.class).inNamespace(ns).resource(s).create();
                    expect(key, created.getMetadata().getName(), parse(created.getMetadata().getResourceVersion()));
                } catch (KubernetesClientException e) {
                    recorder.event(service, EventRecorder.WARNING, "FailedToUpdateEndpointSlices",
                            "Error updating Endpoint Slices for Service " + key + ": failed to create EndpointSlice for Service " + key + ": "
                                    + EventRecorder.message(e));
                    throw e;
                }
            }
        }
        for (EndpointSlice s : changes.update()) {
            try {
                EndpointSlice updated = client.resources(EndpointSlice.class).inNamespace(ns).resource(s).update();
                expect(key, updated.getMetadata().getName(), parse(updated.getMetadata().getResourceVersion()));
            } catch (KubernetesClientException e) {
                // A conflict means our cache is stale (upstream's IsStaleInformerCacheErr): requeue without an event.
                if (!EventRecorder.isConflict(e) && e.getCode() != 404) {
                    recorder.event(service, EventRecorder.WARNING, "FailedToUpdateEndpointSlices",
                            "Error updating Endpoint Slices for Service " + key + ": failed to update " + s.getMetadata().getName()
                                    + " EndpointSlice for Service " + key + ": " + EventRecorder.message(e));
                }
                throw e;
            }
        }
        for (EndpointSlice s : changes.delete()) deleteSlice(key, s);
        if (!changes.skipped().isEmpty()) {
            waitingForNodes.add(key);
            throw new IllegalStateException(String.join("; ", changes.skipped()));
        }
        waitingForNodes.remove(key);
    }

    private void deleteSlice(String svcKey, EndpointSlice s) {
        try {
            client.resources(EndpointSlice.class).inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName()).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) throw e;
        }
        expect(svcKey, s.getMetadata().getName(), DELETED);
    }

    @Override
    public void close() {
        queue.close();
    }
}
