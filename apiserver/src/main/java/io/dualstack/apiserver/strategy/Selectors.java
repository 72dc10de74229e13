package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;

import java.util.List;
import java.util.Map;

/** metav1.LabelSelector semantics (matchLabels AND matchExpressions) over a label map. */
final class Selectors {
    private Selectors() {}

    static boolean isEmpty(LabelSelector s) {
        return s == null || ((s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
                && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty()));
    }

    static boolean matches(LabelSelector s, Map<String, String> labels) {
        return io.dualstack.core.LabelSelectors.matches(s, labels);
    }

    /** Operator errors as ValidateLabelSelector reports them. */
    static void validate(LabelSelector s, String path, List<io.fabric8.kubernetes.api.model.StatusCause> out) {
        if (s == null || s.getMatchExpressions() == null) return;
        for (int i = 0; i < s.getMatchExpressions().size(); i++) {
            LabelSelectorRequirement r = s.getMatchExpressions().get(i);
            String p = path + ".matchExpressions[" + i + "]";
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            String op = r.getOperator() == null ? "" : r.getOperator();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) out.add(Causes.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) out.add(Causes.forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                }
                default -> out.add(Causes.invalid(p + ".operator", op, "not a valid selector operator"));
            }
        }
    }
}
