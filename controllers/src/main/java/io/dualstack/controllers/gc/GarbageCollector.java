package io.dualstack.controllers.gc;

import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The garbage collector (upstream {@code pkg/controller/garbagecollector}) for the namespaced
 * kinds this cluster serves: an object whose owners are all gone is deleted (background
 * propagation); dangling owner references next to live ones are removed; an owner deleted with
 * {@code propagationPolicy=Foreground} (finalizer {@code foregroundDeletion}) has its dependents
 * deleted first and loses the finalizer once no dependent with {@code blockOwnerDeletion} is
 * left; an owner deleted with {@code Orphan} (finalizer {@code orphan}) has its references removed
 * from every dependent, then loses the finalizer.
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
    public static final String FOREGROUND = "foregroundDeletion";
    public static final String ORPHAN = "orphan";
    public static final String OWNER_UID_INDEX = "dualstack/gc-owner-uid";

    /** A kind the collector tracks, as owner and as dependent. */
    record Kind(String apiVersion, String kind, Class<? extends HasMetadata> type) {}

    static final List<Kind> KINDS = List.of(
            new Kind("apps/v1", "Deployment", Deployment.class),
            new Kind("apps/v1", "ReplicaSet", ReplicaSet.class),
            new Kind("v1", "Pod", Pod.class),
            new Kind("v1", "Service", Service.class),
            new Kind("v1", "ConfigMap", ConfigMap.class),
            new Kind("discovery.k8s.io/v1", "EndpointSlice", EndpointSlice.class));

    private final KubernetesClient client;
    private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers = new LinkedHashMap<>();
    private final WorkQueue<String> queue;

    public GarbageCollector(SharedInformers shared, int workers) {
        this.client = shared.client();
        this.queue = new WorkQueue<>("garbagecollector", workers, this::sync);
        for (Kind k : KINDS) {
            SharedIndexInformer<? extends HasMetadata> informer = shared.informer(k.type());
            addOwnerIndex(informer);
            informers.put(k.kind(), informer);
            String kind = k.kind();
            informer.addEventHandler(SharedInformers.handler(o -> changed(kind, o), (o, n) -> changed(kind, n), o -> deleted(kind, o)));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addOwnerIndex(SharedIndexInformer informer) {
        Function<HasMetadata, List<String>> byOwner = o -> o.getMetadata().getOwnerReferences() == null ? List.of()
                : o.getMetadata().getOwnerReferences().stream().map(OwnerReference::getUid).toList();
        if (!informer.getIndexer().getIndexers().containsKey(OWNER_UID_INDEX)) informer.addIndexers(Map.of(OWNER_UID_INDEX, byOwner));
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    public void start() {
        queue.start();
        for (Map.Entry<String, SharedIndexInformer<? extends HasMetadata>> e : informers.entrySet()) {
            for (HasMetadata o : e.getValue().getStore().list()) changed(e.getKey(), o);
        }
    }

    static String key(String kind, HasMetadata o) {
        return kind + "|" + o.getMetadata().getNamespace() + "|" + o.getMetadata().getName();
    }

    private void changed(String kind, HasMetadata o) {
        boolean owned = o.getMetadata().getOwnerReferences() != null && !o.getMetadata().getOwnerReferences().isEmpty();
        boolean finalizing = o.getMetadata().getDeletionTimestamp() != null && o.getMetadata().getFinalizers() != null
                && (o.getMetadata().getFinalizers().contains(FOREGROUND) || o.getMetadata().getFinalizers().contains(ORPHAN));
        if (owned || finalizing) queue.add(key(kind, o));
    }

    private void deleted(String kind, HasMetadata o) {
        // Its dependents may now be garbage; owners waiting in foreground may now be done.
        for (HasMetadata d : dependents(o.getMetadata().getUid())) queue.add(key(kindOf(d), d));
        if (o.getMetadata().getOwnerReferences() != null) {
            for (OwnerReference r : o.getMetadata().getOwnerReferences()) {
                if (informers.containsKey(r.getKind())) queue.add(r.getKind() + "|" + o.getMetadata().getNamespace() + "|" + r.getName());
            }
        }
    }

    private String kindOf(HasMetadata o) {
        for (Kind k : KINDS) if (k.type().isInstance(o)) return k.kind();
        return o.getKind();
    }

    private List<HasMetadata> dependents(String uid) {
        List<HasMetadata> out = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> informer : informers.values()) {
            out.addAll(informer.getIndexer().byIndex(OWNER_UID_INDEX, uid));
        }
        return out;
    }

    private void sync(String key) {
        String[] parts = key.split("\\|", 3);
        String kind = parts[0];
        String ns = parts[1];
        String name = parts[2];
        SharedIndexInformer<? extends HasMetadata> informer = informers.get(kind);
        if (informer == null) return;
        HasMetadata o = informer.getStore().getByKey(ns + "/" + name);
        if (o == null) return;
        List<String> finalizers = o.getMetadata().getFinalizers() == null ? List.of() : o.getMetadata().getFinalizers();
        if (o.getMetadata().getDeletionTimestamp() != null && finalizers.contains(ORPHAN)) {
            orphanDependents(o);
            removeFinalizer(kind, o, ORPHAN);
            return;
        }
        if (o.getMetadata().getDeletionTimestamp() != null && finalizers.contains(FOREGROUND)) {
            deleteDependentsInForeground(kind, o);
            return;
        }
        collectIfOrphaned(kind, o);
    }

    /** All owners gone → delete; some gone → drop the dangling references. */
    private void collectIfOrphaned(String kind, HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) return;
        List<OwnerReference> dangling = new ArrayList<>();
        boolean ownerInForeground = false;
        for (OwnerReference r : refs) {
            Optional<HasMetadata> owner = owner(o.getMetadata().getNamespace(), r);
            if (owner.isEmpty()) dangling.add(r);
            else if (owner.get().getMetadata().getDeletionTimestamp() != null && owner.get().getMetadata().getFinalizers() != null
                    && owner.get().getMetadata().getFinalizers().contains(FOREGROUND)) ownerInForeground = true;
        }
        if (dangling.isEmpty()) return;
        if (dangling.size() == refs.size()) {
            if (o.getMetadata().getDeletionTimestamp() != null) return;
            log.debug("gc: deleting {} {}/{}: owners gone", kind, o.getMetadata().getNamespace(), o.getMetadata().getName());
            delete(kind, o, DeletionPropagation.BACKGROUND);
            return;
        }
        List<String> danglingUids = dangling.stream().map(OwnerReference::getUid).toList();
        update(kind, o, fresh -> {
            List<OwnerReference> kept = new ArrayList<>(fresh.getMetadata().getOwnerReferences());
            kept.removeIf(r -> danglingUids.contains(r.getUid()));
            fresh.getMetadata().setOwnerReferences(kept);
        });
        if (ownerInForeground) queue.add(key(kind, o));
    }

    /** The owner as the cache sees it, confirmed with the API when the cache says it is gone. */
    private Optional<HasMetadata> owner(String ns, OwnerReference r) {
        SharedIndexInformer<? extends HasMetadata> informer = informers.get(r.getKind());
        if (informer == null) return Optional.of(new io.fabric8.kubernetes.api.model.GenericKubernetesResource()); // unknown kind: never collect
        HasMetadata cached = informer.getStore().getByKey(ns + "/" + r.getName());
        if (cached != null && r.getUid().equals(cached.getMetadata().getUid())) return Optional.of(cached);
        HasMetadata live = client.resources(typeOf(r.getKind())).inNamespace(ns).withName(r.getName()).get();
        if (live != null && r.getUid().equals(live.getMetadata().getUid())) return Optional.of(live);
        return Optional.empty();
    }

    private void orphanDependents(HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        for (HasMetadata d : dependents(uid)) {
            update(kindOf(d), d, fresh -> {
                List<OwnerReference> kept = new ArrayList<>(fresh.getMetadata().getOwnerReferences() == null ? List.of() : fresh.getMetadata().getOwnerReferences());
                kept.removeIf(r -> uid.equals(r.getUid()));
                fresh.getMetadata().setOwnerReferences(kept);
            });
        }
    }

    private void deleteDependentsInForeground(String kind, HasMetadata owner) {
        String uid = owner.getMetadata().getUid();
        boolean blocking = false;
        for (HasMetadata d : dependents(uid)) {
            OwnerReference ref = d.getMetadata().getOwnerReferences().stream().filter(r -> uid.equals(r.getUid())).findFirst().orElse(null);
            if (ref == null) continue;
            if (Boolean.TRUE.equals(ref.getBlockOwnerDeletion())) blocking = true;
            if (d.getMetadata().getDeletionTimestamp() == null) {
                if (d.getMetadata().getOwnerReferences().size() > 1) {
                    // Other owners keep it: only drop this reference.
                    update(kindOf(d), d, fresh -> fresh.getMetadata().getOwnerReferences().removeIf(r -> uid.equals(r.getUid())));
                } else {
                    delete(kindOf(d), d, DeletionPropagation.FOREGROUND);
                }
            }
        }
        if (!blocking) removeFinalizer(kind, owner, FOREGROUND);
    }

    private Class<? extends HasMetadata> typeOf(String kind) {
        return KINDS.stream().filter(k -> k.kind().equals(kind)).findFirst().orElseThrow().type();
    }

    private void delete(String kind, HasMetadata o, DeletionPropagation policy) {
        deleteTyped(typeOf(kind), o, policy);
    }

    private <T extends HasMetadata> void deleteTyped(Class<T> type, HasMetadata o, DeletionPropagation policy) {
        try {
            client.resources(type).inNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
                    .withPropagationPolicy(policy).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) throw e;
        }
    }

    private void removeFinalizer(String kind, HasMetadata o, String finalizer) {
        update(kind, o, fresh -> {
            List<String> f = new ArrayList<>(fresh.getMetadata().getFinalizers() == null ? List.of() : fresh.getMetadata().getFinalizers());
            f.remove(finalizer);
            fresh.getMetadata().setFinalizers(f);
        });
    }

    /** Get–modify–put with retry on conflict; a vanished object is fine. */
    private void update(String kind, HasMetadata o, java.util.function.Consumer<HasMetadata> change) {
        updateTyped(typeOf(kind), o, change);
    }

    private <T extends HasMetadata> void updateTyped(Class<T> type, HasMetadata o, java.util.function.Consumer<HasMetadata> change) {
        String ns = o.getMetadata().getNamespace();
        for (int attempt = 0; ; attempt++) {
            T fresh = client.resources(type).inNamespace(ns).withName(o.getMetadata().getName()).get();
            if (fresh == null || !o.getMetadata().getUid().equals(fresh.getMetadata().getUid())) return;
            change.accept(fresh);
            try {
                client.resources(type).inNamespace(ns).resource(fresh).update();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return;
                if (e.getCode() != 409 || attempt >= 5) throw e;
            }
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
