package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The replicaset controller's decisions (upstream {@code pkg/controller/replicaset}) as pure functions. */
public final class ReplicaSets {
    private ReplicaSets() {}

    /** upstream: a pod counts when it is neither terminating nor in a terminal phase. */
    public static boolean isActive(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return p.getMetadata().getDeletionTimestamp() == null && !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    public static boolean isReady(Pod p) {
        return readyCondition(p).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    static Optional<PodCondition> readyCondition(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) return Optional.empty();
        return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    /** Ready for at least minReadySeconds (upstream IsPodAvailable). */
    public static boolean isAvailable(Pod p, int minReadySeconds, Instant now) {
        if (!isReady(p)) return false;
        if (minReadySeconds <= 0) return true;
        return readyCondition(p).map(PodCondition::getLastTransitionTime).map(Instant::parse)
                .map(t -> !t.plusSeconds(minReadySeconds).isAfter(now)).orElse(false);
    }

    /**
     * The pods to delete when scaling down by {@code count}, upstream's order: unscheduled before
     * scheduled, Pending before Running, not ready before ready, newer before older.
     */
    public static List<Pod> podsToDelete(List<Pod> active, int count) {
        List<Pod> sorted = new ArrayList<>(active);
        sorted.sort(Comparator
                .comparingInt((Pod p) -> p.getSpec().getNodeName() == null || p.getSpec().getNodeName().isEmpty() ? 0 : 1)
                .thenComparingInt(p -> phaseRank(p))
                .thenComparingInt(p -> isReady(p) ? 1 : 0)
                .thenComparing((Pod p) -> String.valueOf(p.getMetadata().getCreationTimestamp()), Comparator.reverseOrder())
                .thenComparing(p -> p.getMetadata().getName()));
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    private static int phaseRank(Pod p) {
        String phase = p.getStatus() == null ? "Pending" : String.valueOf(p.getStatus().getPhase());
        return switch (phase) {
            case "Pending" -> 0;
            case "Running" -> 2;
            default -> 1;
        };
    }

    public static OwnerReference controllerRef(ReplicaSet rs) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs.getMetadata().getName())
                .withUid(rs.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
    }

    /** A new pod from the ReplicaSet's template: generateName {@code <rs>-}, template labels and annotations, controller ref. */
    public static Pod podFromTemplate(ReplicaSet rs) {
        var t = rs.getSpec().getTemplate();
        Map<String, String> labels = t.getMetadata() == null || t.getMetadata().getLabels() == null ? Map.of() : t.getMetadata().getLabels();
        Map<String, String> ann = t.getMetadata() == null || t.getMetadata().getAnnotations() == null ? Map.of() : t.getMetadata().getAnnotations();
        return new PodBuilder().withNewMetadata().withGenerateName(rs.getMetadata().getName() + "-")
                .withNamespace(rs.getMetadata().getNamespace()).withLabels(new LinkedHashMap<>(labels))
                .withAnnotations(ann.isEmpty() ? null : new LinkedHashMap<>(ann))
                .withOwnerReferences(controllerRef(rs)).endMetadata()
                .withSpec(new PodBuilder().withSpec(t.getSpec()).build().getSpec()).build();
    }

    /** upstream calculateStatus over the active pods the ReplicaSet owns. */
    public static ReplicaSetStatus status(ReplicaSet rs, List<Pod> active, Optional<String> createFailure, Instant now) {
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        Map<String, String> templateLabels = rs.getSpec().getTemplate() == null || rs.getSpec().getTemplate().getMetadata() == null
                || rs.getSpec().getTemplate().getMetadata().getLabels() == null ? Map.of() : rs.getSpec().getTemplate().getMetadata().getLabels();
        int fully = 0, ready = 0, available = 0;
        for (Pod p : active) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (labels.entrySet().containsAll(templateLabels.entrySet())) fully++;
            if (isReady(p)) ready++;
            if (isAvailable(p, minReady, now)) available++;
        }
        ReplicaSetStatus s = new ReplicaSetStatus();
        s.setReplicas(active.size());
        s.setFullyLabeledReplicas(Rollouts.z(fully));
        s.setReadyReplicas(Rollouts.z(ready));
        s.setAvailableReplicas(Rollouts.z(available));
        s.setObservedGeneration(rs.getMetadata().getGeneration());
        List<ReplicaSetCondition> conditions = new ArrayList<>();
        ReplicaSetStatus old = rs.getStatus();
        Optional<ReplicaSetCondition> failure = old == null || old.getConditions() == null ? Optional.empty()
                : old.getConditions().stream().filter(c -> "ReplicaFailure".equals(c.getType())).findFirst();
        if (createFailure.isPresent()) {
            conditions.add(failure.filter(f -> createFailure.get().equals(f.getMessage())).orElseGet(() ->
                    new io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder().withType("ReplicaFailure").withStatus("True")
                            .withReason("FailedCreate").withMessage(createFailure.get()).withLastTransitionTime(now.toString()).build()));
        }
        s.setConditions(conditions);
        return s;
    }

    /** Pods ready but not yet available for minReadySeconds: when to look again. */
    public static Optional<Instant> nextAvailabilityCheck(ReplicaSet rs, List<Pod> active, Instant now) {
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        if (minReady <= 0) return Optional.empty();
        return active.stream().filter(ReplicaSets::isReady).filter(p -> !isAvailable(p, minReady, now))
                .map(p -> readyCondition(p).map(PodCondition::getLastTransitionTime).map(Instant::parse).orElse(now).plusSeconds(minReady))
                .min(Comparator.naturalOrder());
    }
}
