package io.dualstack.controllers.scheduler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler's decision over values: filter the nodes a pod may run on in upstream's plugin
 * order (NodeUnschedulable, TaintToleration for NoSchedule/NoExecute taints — node readiness counts
 * as the {@code node.kubernetes.io/not-ready} taint, as upstream's lifecycle controller sets it —,
 * then NodeAffinity for {@code nodeSelector}; the first failing filter is the node's reason), then
 * pick the feasible node with the fewest pods (ties: node name order; upstream picks among ties
 * at random). When no node fits, the message is upstream's FailedScheduling text with reasons
 * counted and sorted ("0/3 nodes are available: 1 node(s) didn't match Pod's node
 * affinity/selector, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }.
 * preemption: ...").
 */
public final class Placement {
    private Placement() {}

    public static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";

    /** The outcome for one pod. */
    public sealed interface Decision permits Bind, Unschedulable {}

    public record Bind(String nodeName) implements Decision {}

    public record Unschedulable(String message) implements Decision {}

    public static Decision schedule(Pod pod, List<Node> nodes, Map<String, Integer> podsPerNode) {
        Map<String, Integer> reasons = new TreeMap<>();
        List<Node> feasible = new ArrayList<>();
        for (Node node : nodes) {
            Optional<String> reason = misfit(pod, node);
            if (reason.isPresent()) reasons.merge(reason.get(), 1, Integer::sum);
            else feasible.add(node);
        }
        if (feasible.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            sb.append("0/").append(nodes.size()).append(" nodes are available");
            if (!reasons.isEmpty()) {
                sb.append(": ");
                List<String> parts = new ArrayList<>();
                reasons.forEach((r, n) -> parts.add(n + " " + r));
                sb.append(String.join(", ", parts));
            }
            sb.append(". preemption: 0/").append(nodes.size()).append(" nodes are available: ");
            sb.append(nodes.size()).append(" Preemption is not helpful for scheduling.");
            return new Unschedulable(sb.toString());
        }
        Node best = feasible.stream()
                .min(Comparator.<Node>comparingInt(n -> podsPerNode.getOrDefault(n.getMetadata().getName(), 0))
                        .thenComparing(n -> n.getMetadata().getName()))
                .orElseThrow();
        return new Bind(best.getMetadata().getName());
    }

    /** Why the pod cannot go to this node (upstream's per-plugin reason text), or empty when it can. */
    public static Optional<String> misfit(Pod pod, Node node) {
        if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())
                && !tolerates(pod, new Taint("NoSchedule", "node.kubernetes.io/unschedulable", null, null))) {
            return Optional.of("node(s) were unschedulable");
        }
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        for (Taint taint : taints) {
            if (!"NoSchedule".equals(taint.getEffect()) && !"NoExecute".equals(taint.getEffect())) continue;
            if (!tolerates(pod, taint)) return Optional.of("node(s) had untolerated taint {" + taint.getKey() + ": "
                    + (taint.getValue() == null ? "" : taint.getValue()) + "}");
        }
        if (!isReady(node)) {
            Taint notReady = new Taint("NoSchedule", NOT_READY_TAINT, null, null);
            if (!tolerates(pod, notReady)) return Optional.of("node(s) had untolerated taint {" + NOT_READY_TAINT + ": }");
        }
        Map<String, String> selector = pod.getSpec() == null ? null : pod.getSpec().getNodeSelector();
        if (selector != null && !selector.isEmpty()) {
            Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
            for (var e : selector.entrySet()) {
                if (!Objects.equals(labels.get(e.getKey()), e.getValue())) {
                    return Optional.of("node(s) didn't match Pod's node affinity/selector");
                }
            }
        }
        return Optional.empty();
    }

    public static boolean isReady(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) return false;
        for (NodeCondition c : node.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) return "True".equals(c.getStatus());
        }
        return false;
    }

    /** upstream ToleratesTaint: key (empty = all keys with Exists), operator Equal/Exists, effect (empty = all). */
    public static boolean tolerates(Pod pod, Taint taint) {
        List<Toleration> tolerations = pod.getSpec() == null || pod.getSpec().getTolerations() == null
                ? List.of() : pod.getSpec().getTolerations();
        for (Toleration t : tolerations) {
            String effect = t.getEffect();
            if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) continue;
            String key = t.getKey();
            String op = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
            if (key == null || key.isEmpty()) {
                if ("Exists".equals(op)) return true;
                continue;
            }
            if (!key.equals(taint.getKey())) continue;
            if ("Exists".equals(op)) return true;
            if ("Equal".equals(op) && Objects.equals(emptyIfNull(t.getValue()), emptyIfNull(taint.getValue()))) return true;
        }
        return false;
    }

    private static String emptyIfNull(String s) {
        return s == null ? "" : s;
    }
}
