package io.dualstack.core;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.List;
import java.util.Map;

/**
 * {@code metav1.LabelSelector} matching as upstream's {@code LabelSelectorAsSelector}: a nil selector
 * matches nothing, an empty one matches everything, otherwise matchLabels AND every matchExpression
 * (In, NotIn, Exists, DoesNotExist; an unknown operator matches nothing).
 */
public final class LabelSelectors {
    private LabelSelectors() {}

    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) return false;
        Map<String, String> l = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(l.get(e.getKey()))) return false;
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                if (!matches(r, l)) return false;
            }
        }
        return true;
    }

    private static boolean matches(LabelSelectorRequirement r, Map<String, String> labels) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        String v = labels.get(r.getKey());
        return switch (r.getOperator() == null ? "" : r.getOperator()) {
            case "In" -> v != null && values.contains(v);
            case "NotIn" -> v == null || !values.contains(v);
            case "Exists" -> labels.containsKey(r.getKey());
            case "DoesNotExist" -> !labels.containsKey(r.getKey());
            default -> false;
        };
    }
}
