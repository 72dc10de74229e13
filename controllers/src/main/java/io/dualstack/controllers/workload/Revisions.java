package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Deployment revision bookkeeping (upstream {@code pkg/controller/deployment/util}), pure: each
 * ReplicaSet carries {@code deployment.kubernetes.io/revision}; the new ReplicaSet's revision is
 * one more than the highest among the old ones; when an old ReplicaSet becomes new again (a
 * rollback, e.g. {@code kubectl rollout undo}) its previous revision is appended to
 * {@code deployment.kubernetes.io/revision-history}; the Deployment's own revision annotation
 * mirrors its new ReplicaSet's; the Deployment's other annotations are copied to the new
 * ReplicaSet (so {@code kubectl rollout history} finds {@code kubernetes.io/change-cause}).
 */
public final class Revisions {
    private Revisions() {}

    public static final String REVISION = Rollouts.REVISION_ANNOTATION;
    public static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    public static final String DESIRED_REPLICAS = Rollouts.DESIRED_REPLICAS_ANNOTATION;
    public static final String MAX_REPLICAS = Rollouts.MAX_REPLICAS_ANNOTATION;
    /** upstream maxRevHistoryLengthInChars: the revision-history annotation never grows past this. */
    public static final int MAX_HISTORY_CHARS = 2000;

    /** upstream annotationsToSkip: never copied from the Deployment to its ReplicaSets (nor back by kubectl's undo). */
    static final Set<String> NOT_COPIED = Set.of(
            "kubectl.kubernetes.io/last-applied-configuration",
            REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
            "deprecated.deployment.rollback.to");

    /**
     * upstream FindNewReplicaSet: the oldest ReplicaSet (creation time, then name) whose template
     * equals the Deployment's ignoring the pod-template-hash label — so a rollback reuses it.
     */
    public static Optional<ReplicaSet> findNew(Deployment d, List<ReplicaSet> rss) {
        return rss.stream()
                .filter(rs -> PodTemplates.equalIgnoringHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
                .min(Comparator.comparing((ReplicaSet rs) -> String.valueOf(rs.getMetadata().getCreationTimestamp()))
                        .thenComparing(rs -> rs.getMetadata().getName()));
    }

    /** The revision annotation as a number; 0 when absent, empty when not a number (upstream skips such a ReplicaSet). */
    static Optional<Long> parse(Map<String, String> annotations) {
        String v = annotations == null ? null : annotations.get(REVISION);
        if (v == null || v.isEmpty()) return Optional.of(0L);
        try {
            return Optional.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** upstream MaxRevision over the old ReplicaSets: the next new revision is this + 1. */
    public static long nextRevision(List<ReplicaSet> old) {
        return Rollouts.maxRevision(old) + 1;
    }

    /**
     * upstream SetNewReplicaSetAnnotations: the annotations the new ReplicaSet should carry,
     * given what it carries now ({@code current}, empty for one about to be created).
     * <ul>
     *   <li>the Deployment's annotations except {@link #NOT_COPIED} are copied over;</li>
     *   <li>the revision becomes {@code newRevision} only when that is higher than the current
     *       one (a number that is not a number is left alone, and nothing else changes);</li>
     *   <li>a ReplicaSet that already had a revision and gets a higher one (a rollback to it)
     *       appends the old revision to revision-history, dropping the oldest entries so the
     *       annotation stays within {@link #MAX_HISTORY_CHARS};</li>
     *   <li>one about to be created ({@code exists == false}) gets desired-replicas and
     *       max-replicas (replicas and replicas + maxSurge).</li>
     * </ul>
     */
    public static Map<String, String> newReplicaSetAnnotations(Deployment d, Map<String, String> current, long newRevision, boolean exists) {
        Map<String, String> out = new LinkedHashMap<>(current == null ? Map.of() : current);
        if (d.getMetadata().getAnnotations() != null) {
            d.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!NOT_COPIED.contains(k)) out.put(k, v);
            });
        }
        boolean had = out.containsKey(REVISION);
        Optional<Long> old = parse(out);
        if (old.isEmpty()) return out;
        if (old.get() < newRevision) {
            out.put(REVISION, Long.toString(newRevision));
            if (had) out.put(REVISION_HISTORY, appendHistory(out.get(REVISION_HISTORY), Long.toString(old.get())));
        }
        if (!exists) {
            out.put(DESIRED_REPLICAS, Integer.toString(Rollouts.replicas(d)));
            out.put(MAX_REPLICAS, Integer.toString(Rollouts.replicas(d) + Rollouts.fenceposts(d).surge()));
        }
        return out;
    }

    /** Appends {@code revision} to a comma-separated history, dropping the oldest entries beyond {@link #MAX_HISTORY_CHARS}. */
    static String appendHistory(String history, String revision) {
        if (history == null || history.isEmpty()) return revision;
        List<String> entries = new ArrayList<>(Arrays.asList(history.split(",", -1)));
        int total = history.length() + revision.length() + 1;
        while (total > MAX_HISTORY_CHARS && !entries.isEmpty()) {
            total -= entries.remove(0).length() + 1;
        }
        if (total > MAX_HISTORY_CHARS) return history;
        entries.add(revision);
        return String.join(",", entries);
    }

    /**
     * The Deployment's annotations with its revision set to the new ReplicaSet's (upstream
     * SetDeploymentRevision); equal to the input when nothing changes.
     */
    public static Map<String, String> deploymentAnnotations(Deployment d, ReplicaSet newRs) {
        Map<String, String> out = new LinkedHashMap<>(d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations());
        String rev = newRs.getMetadata().getAnnotations() == null ? null : newRs.getMetadata().getAnnotations().get(REVISION);
        if (rev != null) out.put(REVISION, rev);
        return out;
    }
}
