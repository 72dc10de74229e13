package io.dualstack.controllers.workload;

import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The Deployment controller: one ReplicaSet per pod template (named {@code <deployment>-<hash>},
 * labelled and selected by {@code pod-template-hash}), RollingUpdate within maxSurge /
 * maxUnavailable or Recreate, revision annotations, old ReplicaSets pruned to
 * revisionHistoryLimit, and the status {@code kubectl rollout status} waits for.
 */
final class DeploymentController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeploymentController.class);

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final KubernetesClient client;
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<ReplicaSet> rss;
    private final EventRecorder events;
    private final WorkQueue<String> queue;

    DeploymentController(SharedInformers informers, EventRecorder events, int workers) {
        this.client = informers.client();
        this.deployments = informers.informer(Deployment.class);
        this.rss = informers.informer(ReplicaSet.class);
        this.events = events;
        this.queue = new WorkQueue<>("deployment", workers, this::sync);
        deployments.addEventHandler(SharedInformers.handler(this::enqueue, (o, n) -> enqueue(n), this::enqueue));
        rss.addEventHandler(SharedInformers.handler(this::rsChanged, (o, n) -> {
            rsChanged(o);
            rsChanged(n);
        }, this::rsChanged));
    }

    WorkQueue<String> queue() {
        return queue;
    }

    void start() {
        queue.start();
    }

    private void enqueue(Deployment d) {
        queue.add(d.getMetadata().getNamespace() + "/" + d.getMetadata().getName());
    }

    private void rsChanged(ReplicaSet rs) {
        Optional<OwnerReference> ref = ReplicaSetController.controllerOf(rs, "Deployment");
        if (ref.isPresent()) {
            queue.add(rs.getMetadata().getNamespace() + "/" + ref.get().getName());
            return;
        }
        boolean hasController = rs.getMetadata().getOwnerReferences() != null
                && rs.getMetadata().getOwnerReferences().stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()));
        if (hasController) return;
        for (Deployment d : deployments.getStore().list()) {
            if (d.getMetadata().getNamespace().equals(rs.getMetadata().getNamespace())
                    && PodTemplates.matches(d.getSpec().getSelector(), rs.getMetadata().getLabels())) enqueue(d);
        }
    }

    private void sync(String key) throws Exception {
        final Deployment stored = deployments.getStore().getByKey(key);
        if (stored == null || stored.getMetadata().getDeletionTimestamp() != null) return;
        Deployment d = stored;
        String ns = d.getMetadata().getNamespace();
        List<ReplicaSet> all = new ArrayList<>();
        for (ReplicaSet rs : rss.getStore().list()) {
            if (!ns.equals(rs.getMetadata().getNamespace())) continue;
            Optional<OwnerReference> ref = ReplicaSetController.controllerOf(rs, "Deployment");
            if (ref.isPresent()) {
                if (d.getMetadata().getUid().equals(ref.get().getUid())) all.add(rs);
            } else if ((rs.getMetadata().getOwnerReferences() == null || rs.getMetadata().getOwnerReferences().stream()
                    .noneMatch(r -> Boolean.TRUE.equals(r.getController())))
                    && rs.getMetadata().getDeletionTimestamp() == null
                    && PodTemplates.matches(d.getSpec().getSelector(), rs.getMetadata().getLabels())) {
                ReplicaSet adopted = updateRs(rs, r -> {
                    List<OwnerReference> refs = new ArrayList<>(r.getMetadata().getOwnerReferences() == null ? List.of() : r.getMetadata().getOwnerReferences());
                    refs.add(controllerRef(stored));
                    r.getMetadata().setOwnerReferences(refs);
                    return r;
                });
                if (adopted != null) all.add(adopted);
            }
        }
        final ReplicaSet found = Revisions.findNew(d, all).orElse(null);
        List<ReplicaSet> old = all.stream().filter(rs -> rs != found).toList();
        ReplicaSet newRs = found;
        Rollouts.NewRsEvent event = Rollouts.NewRsEvent.NONE;

        if (Boolean.TRUE.equals(d.getSpec().getPaused())) {
            // upstream getAllReplicaSetsAndSyncRevision(createIfNotExisted=false): revisions stay in sync while paused.
            if (newRs != null) {
                newRs = syncRevision(d, newRs, old);
                d = syncDeploymentRevision(d, newRs);
                final ReplicaSet pausedNew = newRs;
                all = all.stream().map(rs -> rs.getMetadata().getName().equals(pausedNew.getMetadata().getName()) ? pausedNew : rs).toList();
            }
            syncStatus(d, all, newRs, event);
            return;
        }
        if (newRs == null) {
            Optional<ReplicaSet> created = createNewRs(d, all, old);
            if (created.isEmpty()) return; // collision: the status update requeues
            newRs = created.get();
            all = new ArrayList<>(all);
            all.add(newRs);
            event = Rollouts.NewRsEvent.CREATED;
        } else {
            newRs = syncRevision(d, newRs, old);
            if (d.getStatus() == null || d.getStatus().getConditions() == null || d.getStatus().getConditions().isEmpty()) {
                event = Rollouts.NewRsEvent.FOUND;
            }
        }
        d = syncDeploymentRevision(d, newRs);
        final ReplicaSet theNew = newRs;
        List<ReplicaSet> current = all.stream().map(rs -> rs.getMetadata().getName().equals(theNew.getMetadata().getName()) ? theNew : rs).toList();

        if ("Recreate".equals(Rollouts.strategyType(d))) {
            current = recreate(d, current, theNew, old);
        } else {
            current = rollingUpdate(d, current, theNew);
        }
        List<ReplicaSet> oldNow = current.stream().filter(rs -> rs != theNew && !rs.getMetadata().getName().equals(theNew.getMetadata().getName())).toList();
        ReplicaSet newNow = current.stream().filter(rs -> rs.getMetadata().getName().equals(theNew.getMetadata().getName())).findFirst().orElse(theNew);
        DeploymentStatus status = syncStatus(d, current, newNow, event);
        if (Rollouts.complete(d, status)) cleanup(d, oldNow);
        Rollouts.deadline(new DeploymentBuilder(d).withStatus(status).build())
                .ifPresent(t -> queue.addAfter(key, Duration.between(Instant.now(), t).plusSeconds(1)));
    }

    private List<ReplicaSet> rollingUpdate(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        List<ReplicaSet> out = new ArrayList<>(all);
        int target = Rollouts.newReplicaSetReplicas(d, all, newRs);
        if (target != Rollouts.specReplicas(newRs)) {
            ReplicaSet scaled = scale(d, newRs, target);
            replace(out, scaled);
            return out; // upstream returns after scaling up; RS events bring us back
        }
        List<ReplicaSet> old = out.stream().filter(rs -> !rs.getMetadata().getName().equals(newRs.getMetadata().getName())).toList();
        Map<String, Integer> down = Rollouts.scaleDownOld(d, out, newRs, old);
        for (ReplicaSet rs : old) {
            Integer t = down.get(rs.getMetadata().getName());
            if (t != null) replace(out, scale(d, rs, t));
        }
        return out;
    }

    private List<ReplicaSet> recreate(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, List<ReplicaSet> old) {
        List<ReplicaSet> out = new ArrayList<>(all);
        boolean oldActive = false;
        for (ReplicaSet rs : old) {
            if (Rollouts.specReplicas(rs) != 0) replace(out, scale(d, rs, 0));
            if (Rollouts.specReplicas(rs) != 0 || Rollouts.statusReplicas(rs) != 0) oldActive = true;
        }
        if (oldActive) return out;
        if (Rollouts.specReplicas(newRs) != Rollouts.replicas(d)) replace(out, scale(d, newRs, Rollouts.replicas(d)));
        return out;
    }

    private static void replace(List<ReplicaSet> list, ReplicaSet rs) {
        if (rs == null) return;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).getMetadata().getName().equals(rs.getMetadata().getName())) list.set(i, rs);
        }
    }

    private ReplicaSet scale(Deployment d, ReplicaSet rs, int replicas) {
        int from = Rollouts.specReplicas(rs);
        int maxReplicas = Rollouts.replicas(d) + Rollouts.fenceposts(d).surge();
        ReplicaSet updated = updateRs(rs, r -> {
            r.getSpec().setReplicas(replicas);
            Map<String, String> ann = r.getMetadata().getAnnotations() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(r.getMetadata().getAnnotations());
            ann.put(Rollouts.DESIRED_REPLICAS_ANNOTATION, String.valueOf(Rollouts.replicas(d)));
            ann.put(Rollouts.MAX_REPLICAS_ANNOTATION, String.valueOf(maxReplicas));
            r.getMetadata().setAnnotations(ann);
            return r;
        });
        if (updated != null && from != replicas) {
            events.event(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled " + (replicas > from ? "up" : "down")
                    + " replica set " + rs.getMetadata().getName() + " from " + from + " to " + replicas);
        }
        return updated;
    }

    private Optional<ReplicaSet> createNewRs(Deployment d, List<ReplicaSet> all, List<ReplicaSet> old) {
        Integer collisions = d.getStatus() == null ? null : d.getStatus().getCollisionCount();
        String hash = PodTemplates.hash(d.getSpec().getTemplate(), collisions);
        PodTemplateSpec template = new PodTemplateSpecBuilder(d.getSpec().getTemplate()).build();
        if (template.getMetadata() == null) template.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
        Map<String, String> labels = new LinkedHashMap<>(template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels());
        labels.put(PodTemplates.HASH_LABEL, hash);
        template.getMetadata().setLabels(labels);
        LabelSelector selector = new LabelSelectorBuilder(d.getSpec().getSelector()).addToMatchLabels(PodTemplates.HASH_LABEL, hash).build();
        int replicas = Rollouts.newReplicaSetReplicas(d, all, null);
        Map<String, String> ann = Revisions.newReplicaSetAnnotations(d, Map.of(), Revisions.nextRevision(old), false);
        String name = d.getMetadata().getName() + "-" + hash;
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace(d.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(ann).withOwnerReferences(controllerRef(d)).endMetadata()
                .withNewSpec().withReplicas(replicas).withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withSelector(selector).withTemplate(template).endSpec().build();
        try {
            ReplicaSet created = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).resource(rs).create();
            events.event(d, EventRecorder.NORMAL, "ScalingReplicaSet", "Scaled up replica set " + name + " from 0 to " + replicas);
            return Optional.of(created);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) throw e;
        }
        ReplicaSet existing = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).withName(name).get();
        if (existing != null && ReplicaSetController.controllerOf(existing, "Deployment").map(r -> r.getUid().equals(d.getMetadata().getUid())).orElse(false)
                && PodTemplates.equalIgnoringHash(existing.getSpec().getTemplate(), d.getSpec().getTemplate())) {
            return Optional.of(existing);
        }
        // A different object holds the name: bump collisionCount so the next hash differs.
        updateStatus(d, s -> {
            s.setCollisionCount(s.getCollisionCount() == null ? 1 : s.getCollisionCount() + 1);
            return s;
        });
        return Optional.empty();
    }

    /**
     * upstream getNewReplicaSet for an existing new ReplicaSet: its annotations follow the
     * Deployment's, its revision becomes the highest (a rollback to an old template bumps it and
     * records the old revision in revision-history), and minReadySeconds follows the Deployment.
     */
    private ReplicaSet syncRevision(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        long next = Revisions.nextRevision(old);
        Map<String, String> want = Revisions.newReplicaSetAnnotations(d, newRs.getMetadata().getAnnotations(), next, true);
        Map<String, String> have = newRs.getMetadata().getAnnotations() == null ? Map.of() : newRs.getMetadata().getAnnotations();
        boolean minReady = !java.util.Objects.equals(newRs.getSpec().getMinReadySeconds(), d.getSpec().getMinReadySeconds());
        if (want.equals(have) && !minReady) return newRs;
        ReplicaSet updated = updateRs(newRs, r -> {
            r.getMetadata().setAnnotations(Revisions.newReplicaSetAnnotations(d, r.getMetadata().getAnnotations(), next, true));
            r.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
            return r;
        });
        return updated == null ? newRs : updated;
    }

    /**
     * upstream SetDeploymentRevision: the Deployment's revision annotation is its new ReplicaSet's
     * ({@code kubectl rollout undo} patches {@code /metadata/annotations}, which must exist).
     * Written as a merge patch of that one annotation on the main resource (our status
     * subresource keeps metadata as stored). Returns the Deployment to continue the sync with.
     */
    private Deployment syncDeploymentRevision(Deployment d, ReplicaSet newRs) {
        Map<String, String> want = Revisions.deploymentAnnotations(d, newRs);
        if (want.equals(d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations())) return d;
        String rev = want.get(Revisions.REVISION);
        try {
            String patch = JSON.writeValueAsString(Map.of("metadata", Map.of("annotations", Map.of(Revisions.REVISION, rev))));
            Deployment patched = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            if (patched == null || !d.getMetadata().getUid().equals(patched.getMetadata().getUid())
                    || !java.util.Objects.equals(patched.getMetadata().getGeneration(), d.getMetadata().getGeneration())) {
                return d; // changed meanwhile: the watch event brings us back
            }
            return new DeploymentBuilder(d).editMetadata().withAnnotations(patched.getMetadata().getAnnotations())
                    .withResourceVersion(patched.getMetadata().getResourceVersion()).endMetadata().build();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) return d;
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes old, scaled-down ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
    private void cleanup(Deployment d, List<ReplicaSet> old) {
        Integer limit = d.getSpec().getRevisionHistoryLimit();
        if (limit == null) return;
        List<ReplicaSet> idle = old.stream().filter(rs -> Rollouts.specReplicas(rs) == 0 && Rollouts.statusReplicas(rs) == 0
                && rs.getMetadata().getDeletionTimestamp() == null).sorted(Comparator.comparingLong(Rollouts::revision)).toList();
        for (int i = 0; i < idle.size() - limit; i++) {
            try {
                client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).withName(idle.get(i).getMetadata().getName()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) throw e;
            }
        }
    }

    private DeploymentStatus syncStatus(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, Rollouts.NewRsEvent event) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        DeploymentStatus desired = Rollouts.status(d, all, newRs, event, now);
        if (desired.equals(d.getStatus())) return desired;
        return updateStatus(d, s -> {
            Deployment fresh = new DeploymentBuilder(d).withStatus(s).build();
            DeploymentStatus recomputed = Rollouts.status(fresh, all, newRs, event, now);
            recomputed.setCollisionCount(s.getCollisionCount());
            return recomputed;
        });
    }

    private DeploymentStatus updateStatus(Deployment d, UnaryOperator<DeploymentStatus> change) {
        Deployment current = d;
        for (int attempt = 0; ; attempt++) {
            DeploymentStatus base = current.getStatus() == null ? new DeploymentStatus()
                    : new DeploymentBuilder(current).build().getStatus();
            DeploymentStatus next = change.apply(base);
            if (next.equals(current.getStatus())) return next;
            Deployment copy = new DeploymentBuilder(current).withStatus(next).build();
            try {
                client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(copy).updateStatus();
                return next;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return next;
                if (e.getCode() != 409 || attempt >= 5) throw e;
            }
            current = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName()).get();
            if (current == null || !d.getMetadata().getUid().equals(current.getMetadata().getUid())) return next;
        }
    }

    private ReplicaSet updateRs(ReplicaSet rs, UnaryOperator<ReplicaSet> change) {
        String ns = rs.getMetadata().getNamespace();
        ReplicaSet current = rs;
        for (int attempt = 0; ; attempt++) {
            ReplicaSet next = change.apply(new ReplicaSetBuilder(current).build());
            try {
                return client.apps().replicaSets().inNamespace(ns).resource(next).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return null;
                if (e.getCode() != 409 || attempt >= 5) throw e;
            }
            current = client.apps().replicaSets().inNamespace(ns).withName(rs.getMetadata().getName()).get();
            if (current == null) return null;
        }
    }

    static OwnerReference controllerRef(Deployment d) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment").withName(d.getMetadata().getName())
                .withUid(d.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
    }

    @Override
    public void close() {
        queue.close();
    }
}
