package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deployment controller's decisions (upstream {@code pkg/controller/deployment}), as pure
 * functions over the Deployment and its ReplicaSets: how far the new ReplicaSet may scale up
 * (maxSurge), how far old ones may scale down (maxUnavailable), the status and its Available and
 * Progressing conditions.
 */
public final class Rollouts {
    private Rollouts() {}

    public static final String REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
    public static final String DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
    public static final String MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";

    // Progressing reasons and messages (pkg/controller/deployment/util).
    public static final String NEW_RS_CREATED = "NewReplicaSetCreated";
    public static final String FOUND_NEW_RS = "FoundNewReplicaSet";
    public static final String RS_UPDATED = "ReplicaSetUpdated";
    public static final String NEW_RS_AVAILABLE = "NewReplicaSetAvailable";
    public static final String TIMED_OUT = "ProgressDeadlineExceeded";
    public static final String MIN_AVAILABLE = "MinimumReplicasAvailable";
    public static final String MIN_UNAVAILABLE = "MinimumReplicasUnavailable";

    /** maxSurge and maxUnavailable resolved against replicas: surge rounds up, unavailable down; both 0 → unavailable 1. */
    public record Fenceposts(int surge, int unavailable) {}

    public static Fenceposts fenceposts(Deployment d) {
        int replicas = replicas(d);
        if (!"RollingUpdate".equals(strategyType(d))) return new Fenceposts(0, 0);
        var ru = d.getSpec().getStrategy().getRollingUpdate();
        int surge = scaled(ru == null ? null : ru.getMaxSurge(), replicas, true);
        int unavailable = scaled(ru == null ? null : ru.getMaxUnavailable(), replicas, false);
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return new Fenceposts(surge, unavailable);
    }

    /** upstream MaxUnavailable: never more than replicas. */
    public static int maxUnavailable(Deployment d) {
        if (!"RollingUpdate".equals(strategyType(d)) || replicas(d) == 0) return 0;
        return Math.min(fenceposts(d).unavailable(), replicas(d));
    }

    static int scaled(IntOrString v, int total, boolean roundUp) {
        if (v == null) return 0;
        if (v.getStrVal() != null) {
            String s = v.getStrVal();
            int pct = Integer.parseInt(s.endsWith("%") ? s.substring(0, s.length() - 1) : s);
            long num = (long) pct * total;
            return (int) (roundUp ? (num + 99) / 100 : num / 100);
        }
        return v.getIntVal() == null ? 0 : v.getIntVal();
    }

    public static String strategyType(Deployment d) {
        return d.getSpec().getStrategy() == null || d.getSpec().getStrategy().getType() == null
                ? "RollingUpdate" : d.getSpec().getStrategy().getType();
    }

    public static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    public static int specReplicas(ReplicaSet rs) {
        return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
    }

    static int ready(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas();
    }

    static int available(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0 : rs.getStatus().getAvailableReplicas();
    }

    /**
     * upstream NewRSNewReplicas for RollingUpdate: the new ReplicaSet may grow until all pods
     * reach replicas + maxSurge, never beyond replicas. Recreate: replicas.
     */
    public static int newReplicaSetReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        int replicas = replicas(d);
        if (!"RollingUpdate".equals(strategyType(d))) return replicas;
        int current = newRs == null ? 0 : specReplicas(newRs);
        if (current >= replicas) return replicas;
        int maxTotal = replicas + fenceposts(d).surge();
        int allPods = all.stream().mapToInt(Rollouts::specReplicas).sum();
        if (newRs == null) allPods += 0;
        if (allPods >= maxTotal) return current;
        int scaleUp = Math.min(maxTotal - allPods, replicas - current);
        return current + scaleUp;
    }

    /**
     * upstream reconcileOldReplicaSets for RollingUpdate: first drop old pods that are not
     * available anyway, then scale old ReplicaSets down as far as keeping replicas − maxUnavailable
     * available allows. Returns the new spec.replicas per old ReplicaSet name (only changed ones).
     */
    public static Map<String, Integer> scaleDownOld(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, List<ReplicaSet> old) {
        Map<String, Integer> out = new LinkedHashMap<>();
        int oldPods = old.stream().mapToInt(Rollouts::specReplicas).sum();
        if (oldPods == 0) return out;
        int allPods = all.stream().mapToInt(Rollouts::specReplicas).sum();
        int minAvailable = replicas(d) - maxUnavailable(d);
        int newUnavailable = newRs == null ? 0 : Math.max(0, specReplicas(newRs) - available(newRs));
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) return out;
        List<ReplicaSet> oldestFirst = new ArrayList<>(old);
        oldestFirst.sort(Comparator.comparing((ReplicaSet rs) -> String.valueOf(rs.getMetadata().getCreationTimestamp()))
                .thenComparing(rs -> rs.getMetadata().getName()));
        Map<String, Integer> target = new LinkedHashMap<>();
        for (ReplicaSet rs : oldestFirst) target.put(rs.getMetadata().getName(), specReplicas(rs));
        // 1. cleanupUnhealthyReplicas
        int cleaned = 0;
        for (ReplicaSet rs : oldestFirst) {
            if (cleaned >= maxScaledDown) break;
            int spec = target.get(rs.getMetadata().getName());
            int unhealthy = spec - available(rs);
            if (spec == 0 || unhealthy <= 0) continue;
            int down = Math.min(unhealthy, maxScaledDown - cleaned);
            target.put(rs.getMetadata().getName(), spec - down);
            cleaned += down;
        }
        // 2. scaleDownOldReplicaSetsForRollingUpdate
        int availablePods = all.stream().mapToInt(Rollouts::available).sum();
        int totalScaleDown = availablePods - minAvailable;
        for (ReplicaSet rs : oldestFirst) {
            if (totalScaleDown <= 0) break;
            int spec = target.get(rs.getMetadata().getName());
            if (spec == 0) continue;
            int down = Math.min(spec, totalScaleDown);
            target.put(rs.getMetadata().getName(), spec - down);
            totalScaleDown -= down;
        }
        for (ReplicaSet rs : oldestFirst) {
            int t = target.get(rs.getMetadata().getName());
            if (t != specReplicas(rs)) out.put(rs.getMetadata().getName(), t);
        }
        return out;
    }

    /** The deployment has finished rolling out (upstream DeploymentComplete). */
    public static boolean complete(Deployment d, DeploymentStatus s) {
        int replicas = replicas(d);
        return n(s.getUpdatedReplicas()) == replicas && n(s.getReplicas()) == replicas
                && n(s.getAvailableReplicas()) == replicas
                && n(s.getObservedGeneration()) >= n(d.getMetadata().getGeneration());
    }

    /** The new status differs from the old in a way upstream counts as progress (DeploymentProgressing). */
    public static boolean progressing(DeploymentStatus old, DeploymentStatus now, int oldReplicasNow, int oldReplicasBefore) {
        return n(now.getUpdatedReplicas()) > n(old.getUpdatedReplicas())
                || oldReplicasNow < oldReplicasBefore
                || n(now.getReadyReplicas()) > n(old.getReadyReplicas())
                || n(now.getAvailableReplicas()) > n(old.getAvailableReplicas());
    }

    /** What happened to the new ReplicaSet in this sync, for the Progressing condition. */
    public enum NewRsEvent { NONE, CREATED, FOUND }

    /**
     * upstream calculateStatus + syncRolloutStatus: counts summed over ReplicaSets, the Available
     * condition against replicas − maxUnavailable, and the Progressing condition.
     */
    public static DeploymentStatus status(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, NewRsEvent event, Instant now) {
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int available = all.stream().mapToInt(Rollouts::available).sum();
        int total = all.stream().mapToInt(Rollouts::specReplicas).sum();
        DeploymentStatus s = new DeploymentStatus();
        s.setObservedGeneration(d.getMetadata().getGeneration());
        s.setReplicas(z(all.stream().mapToInt(Rollouts::statusReplicas).sum()));
        s.setUpdatedReplicas(z(newRs == null ? 0 : statusReplicas(newRs)));
        s.setReadyReplicas(z(all.stream().mapToInt(Rollouts::ready).sum()));
        s.setAvailableReplicas(z(available));
        s.setUnavailableReplicas(z(Math.max(0, total - available)));
        s.setCollisionCount(old.getCollisionCount());
        List<DeploymentCondition> conditions = new ArrayList<>(old.getConditions() == null ? List.of() : old.getConditions());
        if (available >= replicas(d) - maxUnavailable(d)) {
            set(conditions, cond("Available", "True", MIN_AVAILABLE, "Deployment has minimum availability.", now));
        } else {
            set(conditions, cond("Available", "False", MIN_UNAVAILABLE, "Deployment does not have minimum availability.", now));
        }
        s.setConditions(conditions);
        Integer deadline = d.getSpec().getProgressDeadlineSeconds();
        if (deadline == null || deadline == Integer.MAX_VALUE || newRs == null) return s;
        String rsName = newRs.getMetadata().getName();
        Optional<DeploymentCondition> current = get(conditions, "Progressing");
        int oldReplicasNow = all.stream().filter(rs -> rs != newRs).mapToInt(Rollouts::statusReplicas).sum();
        int oldReplicasBefore = n(old.getReplicas()) - n(old.getUpdatedReplicas());
        if (complete(d, s)) {
            set(conditions, cond("Progressing", "True", NEW_RS_AVAILABLE, "ReplicaSet \"" + rsName + "\" has successfully progressed.", now));
        } else if (event == NewRsEvent.CREATED) {
            set(conditions, cond("Progressing", "True", NEW_RS_CREATED, "Created new replica set \"" + rsName + "\"", now));
        } else if (event == NewRsEvent.FOUND && current.isEmpty()) {
            set(conditions, cond("Progressing", "True", FOUND_NEW_RS, "Found new replica set \"" + rsName + "\"", now));
        } else if (progressing(old, s, oldReplicasNow, oldReplicasBefore) || current.isEmpty()) {
            set(conditions, cond("Progressing", "True", RS_UPDATED, "ReplicaSet \"" + rsName + "\" is progressing.", now));
        } else if (current.isPresent() && !TIMED_OUT.equals(current.get().getReason())
                && !NEW_RS_AVAILABLE.equals(current.get().getReason()) && timedOut(current.get(), deadline, now)) {
            set(conditions, cond("Progressing", "False", TIMED_OUT, "ReplicaSet \"" + rsName + "\" has timed out progressing.", now));
        }
        return s;
    }

    /** When the current Progressing condition (last updated at its lastUpdateTime) times out. */
    public static Optional<Instant> deadline(Deployment d) {
        Integer deadline = d.getSpec().getProgressDeadlineSeconds();
        if (deadline == null || deadline == Integer.MAX_VALUE || d.getStatus() == null) return Optional.empty();
        return get(d.getStatus().getConditions(), "Progressing")
                .filter(c -> "True".equals(c.getStatus()) && !NEW_RS_AVAILABLE.equals(c.getReason()) && c.getLastUpdateTime() != null)
                .map(c -> Instant.parse(c.getLastUpdateTime()).plusSeconds(deadline));
    }

    static boolean timedOut(DeploymentCondition c, int deadlineSeconds, Instant now) {
        if (c.getLastUpdateTime() == null) return false;
        return Instant.parse(c.getLastUpdateTime()).plusSeconds(deadlineSeconds).isBefore(now);
    }

    static Optional<DeploymentCondition> get(List<DeploymentCondition> conditions, String type) {
        if (conditions == null) return Optional.empty();
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /**
     * upstream SetDeploymentCondition: an unchanged status and reason keeps the condition as it is
     * (so a resync writes nothing); a changed reason with the same status keeps lastTransitionTime.
     */
    static void set(List<DeploymentCondition> conditions, DeploymentCondition c) {
        for (int i = 0; i < conditions.size(); i++) {
            DeploymentCondition old = conditions.get(i);
            if (!old.getType().equals(c.getType())) continue;
            if (old.getStatus().equals(c.getStatus()) && java.util.Objects.equals(old.getReason(), c.getReason())) {
                // RS_UPDATED refreshes lastUpdateTime on every progress; others stay as they are.
                if (RS_UPDATED.equals(c.getReason())) {
                    conditions.set(i, new DeploymentConditionBuilder(old).withLastUpdateTime(c.getLastUpdateTime()).build());
                }
                return;
            }
            if (old.getStatus().equals(c.getStatus())) c.setLastTransitionTime(old.getLastTransitionTime());
            conditions.set(i, c);
            return;
        }
        // Available is listed before Progressing, as upstream ends up ordering them.
        conditions.add(c);
        conditions.sort(Comparator.comparingInt(x -> "Available".equals(x.getType()) ? 0 : 1));
    }

    static DeploymentCondition cond(String type, String status, String reason, String message, Instant now) {
        return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastUpdateTime(now.toString()).withLastTransitionTime(now.toString()).build();
    }

    /** The highest revision among the ReplicaSets (0 when none). */
    public static long maxRevision(List<ReplicaSet> rss) {
        long max = 0;
        for (ReplicaSet rs : rss) max = Math.max(max, revision(rs));
        return max;
    }

    public static long revision(ReplicaSet rs) {
        Map<String, String> ann = rs.getMetadata().getAnnotations();
        if (ann == null || ann.get(REVISION_ANNOTATION) == null) return 0;
        try {
            return Long.parseLong(ann.get(REVISION_ANNOTATION));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static int n(Integer v) {
        return v == null ? 0 : v;
    }

    static long n(Long v) {
        return v == null ? 0 : v;
    }

    /** Zero as absent, as upstream's omitempty serializes it. */
    static Integer z(int v) {
        return v == 0 ? null : v;
    }
}
