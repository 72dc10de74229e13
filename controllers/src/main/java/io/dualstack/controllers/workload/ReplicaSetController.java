package io.dualstack.controllers.workload;

import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ReplicaSet controller: keeps {@code spec.replicas} active pods per ReplicaSet (creating
 * from the template, deleting in upstream's order), adopts matching orphan pods, and reports
 * status (replicas, fullyLabeled, ready, available, observedGeneration).
 */
final class ReplicaSetController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSetController.class);
    static final int BURST = 500;

    private final KubernetesClient client;
    private final SharedIndexInformer<ReplicaSet> rss;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final Expectations expectations = new Expectations();
    private final WorkQueue<String> queue;
    /** Runs the pod creates and deletes of a sync in parallel (upstream's goroutines per batch). */
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "replicaset-writes");
        t.setDaemon(true);
        return t;
    });

    ReplicaSetController(SharedInformers informers, EventRecorder events, int workers) {
        this.client = informers.client();
        this.rss = informers.informer(ReplicaSet.class);
        this.pods = informers.informer(Pod.class);
        this.events = events;
        this.queue = new WorkQueue<>("replicaset", workers, this::sync);
        rss.addEventHandler(SharedInformers.handler(rs -> queue.add(key(rs.getMetadata().getNamespace(), rs.getMetadata().getName())),
                (o, n) -> queue.add(key(n.getMetadata().getNamespace(), n.getMetadata().getName())),
                rs -> {
                    String k = key(rs.getMetadata().getNamespace(), rs.getMetadata().getName());
                    expectations.forget(k);
                    queue.add(k);
                }));
        pods.addEventHandler(SharedInformers.handler(this::podAdded, this::podUpdated, this::podDeleted));
    }

    WorkQueue<String> queue() {
        return queue;
    }

    void start() {
        queue.start();
    }

    static String key(String ns, String name) {
        return ns + "/" + name;
    }

    static Optional<OwnerReference> controllerOf(io.fabric8.kubernetes.api.model.HasMetadata o, String kind) {
        if (o.getMetadata().getOwnerReferences() == null) return Optional.empty();
        return o.getMetadata().getOwnerReferences().stream()
                .filter(r -> Boolean.TRUE.equals(r.getController()) && kind.equals(r.getKind())).findFirst();
    }

    private void podAdded(Pod p) {
        Optional<OwnerReference> ref = controllerOf(p, "ReplicaSet");
        if (ref.isPresent()) {
            String k = key(p.getMetadata().getNamespace(), ref.get().getName());
            expectations.creationObserved(k);
            if (p.getMetadata().getDeletionTimestamp() != null) expectations.deletionObserved(k, p.getMetadata().getName());
            queue.add(k);
        } else if (!hasAnyController(p)) {
            enqueueMatching(p);
        }
    }

    private void podUpdated(Pod old, Pod p) {
        Optional<OwnerReference> ref = controllerOf(p, "ReplicaSet");
        Optional<OwnerReference> oldRef = controllerOf(old, "ReplicaSet");
        if (oldRef.isPresent() && (ref.isEmpty() || !oldRef.get().getUid().equals(ref.get().getUid()))) {
            queue.add(key(old.getMetadata().getNamespace(), oldRef.get().getName()));
        }
        if (ref.isPresent()) {
            String k = key(p.getMetadata().getNamespace(), ref.get().getName());
            if (p.getMetadata().getDeletionTimestamp() != null) expectations.deletionObserved(k, p.getMetadata().getName());
            queue.add(k);
        } else if (!hasAnyController(p)) {
            enqueueMatching(p);
        }
    }

    private void podDeleted(Pod p) {
        controllerOf(p, "ReplicaSet").ifPresent(ref -> {
            String k = key(p.getMetadata().getNamespace(), ref.getName());
            expectations.deletionObserved(k, p.getMetadata().getName());
            queue.add(k);
        });
    }

    private static boolean hasAnyController(io.fabric8.kubernetes.api.model.HasMetadata o) {
        return o.getMetadata().getOwnerReferences() != null
                && o.getMetadata().getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
    }

    private void enqueueMatching(Pod p) {
        for (ReplicaSet rs : rss.getStore().list()) {
            if (rs.getMetadata().getNamespace().equals(p.getMetadata().getNamespace())
                    && PodTemplates.matches(rs.getSpec().getSelector(), p.getMetadata().getLabels())) {
                queue.add(key(rs.getMetadata().getNamespace(), rs.getMetadata().getName()));
            }
        }
    }

    /** Pods in the namespace that the selector matches (narrowed through the label index when it can). */
    private List<Pod> candidates(ReplicaSet rs) {
        String ns = rs.getMetadata().getNamespace();
        Map<String, String> ml = rs.getSpec().getSelector() == null ? null : rs.getSpec().getSelector().getMatchLabels();
        List<Pod> base;
        if (ml != null && !ml.isEmpty()) {
            Map.Entry<String, String> first = ml.entrySet().iterator().next();
            base = pods.getIndexer().byIndex(SharedInformers.POD_LABELS, SharedInformers.podLabelKey(ns, first.getKey(), first.getValue()));
        } else {
            base = pods.getStore().list().stream().filter(p -> ns.equals(p.getMetadata().getNamespace())).toList();
        }
        return base;
    }

    private void sync(String key) throws Exception {
        ReplicaSet rs = rss.getStore().getByKey(key);
        if (rs == null) {
            expectations.forget(key);
            return;
        }
        String uid = rs.getMetadata().getUid();
        List<Pod> owned = new ArrayList<>();
        for (Pod p : candidates(rs)) {
            Optional<OwnerReference> ref = p.getMetadata().getOwnerReferences() == null ? Optional.empty()
                    : p.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
            if (ref.isPresent()) {
                if (uid.equals(ref.get().getUid())) owned.add(p);
            } else if (rs.getMetadata().getDeletionTimestamp() == null && ReplicaSets.isActive(p)
                    && PodTemplates.matches(rs.getSpec().getSelector(), p.getMetadata().getLabels())) {
                adopt(rs, p).ifPresent(owned::add);
            }
        }
        releaseUnmatched(rs);
        List<Pod> active = owned.stream().filter(ReplicaSets::isActive).toList();
        Optional<String> failure = Optional.empty();
        if (expectations.satisfied(key) && rs.getMetadata().getDeletionTimestamp() == null) {
            failure = manageReplicas(key, rs, active);
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ReplicaSetStatus desired = ReplicaSets.status(rs, active, failure, now);
        updateStatus(rs, desired);
        ReplicaSets.nextAvailabilityCheck(rs, active, now)
                .ifPresent(t -> queue.addAfter(key, Duration.between(Instant.now(), t).plusMillis(500)));
    }

    /** upstream ClaimPods: a pod this ReplicaSet controls whose labels no longer match is released (its reference removed). */
    private void releaseUnmatched(ReplicaSet rs) {
        if (!pods.getIndexer().getIndexers().containsKey(io.dualstack.controllers.gc.GarbageCollector.OWNER_UID_INDEX)) return;
        String uid = rs.getMetadata().getUid();
        for (Pod p : pods.getIndexer().byIndex(io.dualstack.controllers.gc.GarbageCollector.OWNER_UID_INDEX, uid)) {
            if (PodTemplates.matches(rs.getSpec().getSelector(), p.getMetadata().getLabels()) || p.getMetadata().getDeletionTimestamp() != null) continue;
            try {
                Pod fresh = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).get();
                if (fresh == null || PodTemplates.matches(rs.getSpec().getSelector(), fresh.getMetadata().getLabels())) continue;
                List<OwnerReference> refs = new ArrayList<>(fresh.getMetadata().getOwnerReferences() == null ? List.of() : fresh.getMetadata().getOwnerReferences());
                if (!refs.removeIf(r -> uid.equals(r.getUid()))) continue;
                fresh.getMetadata().setOwnerReferences(refs);
                client.pods().inNamespace(p.getMetadata().getNamespace()).resource(fresh).update();
            } catch (KubernetesClientException e) {
                log.debug("releasing pod {} failed: {}", p.getMetadata().getName(), e.getMessage());
            }
        }
    }

    private Optional<Pod> adopt(ReplicaSet rs, Pod p) {
        try {
            Pod fresh = client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).get();
            if (fresh == null || hasAnyController(fresh)) return Optional.empty();
            List<OwnerReference> refs = new ArrayList<>(fresh.getMetadata().getOwnerReferences() == null ? List.of() : fresh.getMetadata().getOwnerReferences());
            refs.add(ReplicaSets.controllerRef(rs));
            fresh.getMetadata().setOwnerReferences(refs);
            return Optional.of(client.pods().inNamespace(p.getMetadata().getNamespace()).resource(fresh).update());
        } catch (KubernetesClientException e) {
            log.debug("adopting pod {} failed: {}", p.getMetadata().getName(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Creates or deletes pods to reach spec.replicas. Creates go in upstream's slow-start batches
     * (1, 2, 4, ... in parallel) and stop at the first failing batch; deletes run in parallel.
     */
    private Optional<String> manageReplicas(String key, ReplicaSet rs, List<Pod> active) throws InterruptedException {
        int want = Rollouts.specReplicas(rs);
        int diff = active.size() - want;
        String ns = rs.getMetadata().getNamespace();
        if (diff < 0) {
            int n = Math.min(-diff, BURST);
            expectations.expectCreations(key, n);
            int done = 0;
            for (int batch = 1; done < n; batch = Math.min(batch * 2, n - done)) {
                int size = Math.min(batch, n - done);
                List<java.util.concurrent.Future<Optional<String>>> futures = new ArrayList<>();
                for (int i = 0; i < size; i++) futures.add(pool.submit(() -> createPod(key, rs, ns)));
                Optional<String> failure = Optional.empty();
                for (var f : futures) {
                    try {
                        Optional<String> r = f.get();
                        if (r.isPresent() && failure.isEmpty()) failure = r;
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (failure.isEmpty()) failure = Optional.of(EventRecorder.message(e));
                    }
                }
                done += size;
                if (failure.isPresent()) {
                    for (int j = done; j < n; j++) expectations.creationObserved(key); // skipped creates
                    return failure;
                }
            }
        } else if (diff > 0) {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (Pod p : ReplicaSets.podsToDelete(active, Math.min(diff, BURST))) {
                expectations.expectDeletion(key, p.getMetadata().getName());
                futures.add(pool.submit(() -> {
                    try {
                        client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete();
                        events.event(rs, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + p.getMetadata().getName());
                    } catch (KubernetesClientException e) {
                        expectations.deletionObserved(key, p.getMetadata().getName());
                        if (e.getCode() == 404) return;
                        // upstream replica_set.go: FailedDelete "Error deleting: <Status message>"
                        events.event(rs, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + EventRecorder.message(e));
                        throw e;
                    }
                }));
            }
            for (var f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) throw r;
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        return Optional.empty();
    }

    /** One pod create; the failure message (for the ReplicaFailure condition) when it fails. */
    private Optional<String> createPod(String key, ReplicaSet rs, String ns) {
        try {
            Pod created = client.pods().inNamespace(ns).resource(ReplicaSets.podFromTemplate(rs)).create();
            events.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            return Optional.empty();
        } catch (KubernetesClientException e) {
            expectations.creationObserved(key);
            String msg = EventRecorder.message(e);
            events.event(rs, EventRecorder.WARNING, "FailedCreate", "Error creating: " + msg);
            return Optional.of(msg);
        }
    }

    private void updateStatus(ReplicaSet rs, ReplicaSetStatus desired) {
        ReplicaSet current = rs;
        for (int attempt = 0; ; attempt++) {
            if (desired.equals(current.getStatus())) return;
            ReplicaSet copy = new ReplicaSetBuilder(current).withStatus(desired).build();
            try {
                client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(copy).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return;
                if (e.getCode() != 409 || attempt >= 5) throw e;
            }
            current = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName()).get();
            if (current == null || !rs.getMetadata().getUid().equals(current.getMetadata().getUid())) return;
            desired.setObservedGeneration(current.getMetadata().getGeneration());
        }
    }

    @Override
    public void close() {
        queue.close();
        pool.shutdownNow();
    }
}
