package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** {@code pkg/apis/apps/validation}: the Deployment and ReplicaSet checks, upstream paths and messages. */
public final class AppsValidation {
    private AppsValidation() {}

    public static List<StatusCause> validateDeploymentSpec(DeploymentSpec spec) {
        List<StatusCause> out = new ArrayList<>();
        nonNegative(spec.getReplicas(), "spec.replicas", out);
        selectorAndTemplate(spec.getSelector(), spec.getTemplate(), "deployment", out);
        validateStrategy(spec.getStrategy(), out);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", out);
        nonNegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit", out);
        Integer pds = spec.getProgressDeadlineSeconds();
        if (pds != null) {
            nonNegative(pds, "spec.progressDeadlineSeconds", out);
            int mrs = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
            if (pds >= 0 && pds <= mrs) {
                out.add(Causes.invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
            }
        }
        return out;
    }

    public static List<StatusCause> validateReplicaSetSpec(ReplicaSetSpec spec) {
        List<StatusCause> out = new ArrayList<>();
        nonNegative(spec.getReplicas(), "spec.replicas", out);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", out);
        selectorAndTemplate(spec.getSelector(), spec.getTemplate(), "replicaset", out);
        return out;
    }

    /** spec.selector is immutable in apps/v1. */
    public static void selectorImmutable(LabelSelector newSel, LabelSelector oldSel, List<StatusCause> out) {
        if (!Objects.equals(newSel, oldSel)) out.add(Causes.invalid("spec.selector", selectorText(newSel), "field is immutable"));
    }

    private static void selectorAndTemplate(LabelSelector selector, PodTemplateSpec template, String kind, List<StatusCause> out) {
        if (selector == null) {
            out.add(Causes.required("spec.selector", ""));
        } else {
            Selectors.validate(selector, "spec.selector", out);
            if (Selectors.isEmpty(selector)) out.add(Causes.invalid("spec.selector", selectorText(selector), "empty selector is invalid for " + kind));
        }
        if (template == null) {
            out.add(Causes.required("spec.template", ""));
            return;
        }
        Map<String, String> labels = template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels();
        // ValidateLabels on the template's metadata (keys as qualified names, values as label values).
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(labels).entrySet()) {
            for (String msg : io.dualstack.apiserver.validation.Names.qualifiedName(e.getKey())) {
                out.add(Causes.invalid("spec.template.metadata.labels", e.getKey(), msg));
            }
            for (String msg : io.dualstack.apiserver.validation.Names.labelValue(e.getValue() == null ? "" : e.getValue())) {
                out.add(Causes.invalid("spec.template.metadata.labels", e.getValue(), msg));
            }
        }
        if (selector != null && !Selectors.isEmpty(selector) && !Selectors.matches(selector, labels)) {
            out.add(Causes.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"));
        }
        out.addAll(PodValidation.validatePodSpec(template.getSpec(), "spec.template.spec"));
        String rp = template.getSpec() == null ? null : template.getSpec().getRestartPolicy();
        if (rp != null && !"Always".equals(rp)) out.add(Causes.notSupported("spec.template.spec.restartPolicy", rp, List.of("Always")));
        if (template.getSpec() != null && template.getSpec().getActiveDeadlineSeconds() != null) {
            out.add(Causes.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"));
        }
    }

    private static void validateStrategy(DeploymentStrategy strategy, List<StatusCause> out) {
        if (strategy == null) return;
        String type = strategy.getType();
        if ("Recreate".equals(type)) {
            if (strategy.getRollingUpdate() != null) {
                out.add(Causes.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
            }
            return;
        }
        if (!"RollingUpdate".equals(type)) {
            out.add(Causes.notSupported("spec.strategy.type", type, List.of("Recreate", "RollingUpdate")));
            return;
        }
        RollingUpdateDeployment ru = strategy.getRollingUpdate();
        if (ru == null) {
            out.add(Causes.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
            return;
        }
        intOrPercent(ru.getMaxUnavailable(), "spec.strategy.rollingUpdate.maxUnavailable", out);
        intOrPercent(ru.getMaxSurge(), "spec.strategy.rollingUpdate.maxSurge", out);
        if (isZero(ru.getMaxSurge()) && isZero(ru.getMaxUnavailable())) {
            out.add(Causes.invalid("spec.strategy.rollingUpdate.maxUnavailable", valueOf(ru.getMaxUnavailable()),
                    "may not be 0 when `maxSurge` is 0"));
        }
        if (ru.getMaxUnavailable() != null && ru.getMaxUnavailable().getStrVal() != null) {
            Integer pct = percent(ru.getMaxUnavailable().getStrVal());
            if (pct != null && pct > 100) {
                out.add(Causes.invalid("spec.strategy.rollingUpdate.maxUnavailable", ru.getMaxUnavailable().getStrVal(), "must not be greater than 100%"));
            }
        }
    }

    private static void intOrPercent(IntOrString v, String path, List<StatusCause> out) {
        if (v == null) return;
        if (v.getStrVal() != null) {
            Integer pct = percent(v.getStrVal());
            if (pct == null) {
                out.add(Causes.invalid(path, v.getStrVal(), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
            } else if (pct < 0) {
                out.add(Causes.invalid(path, v.getStrVal(), "must be greater than or equal to 0"));
            }
        } else if (v.getIntVal() != null && v.getIntVal() < 0) {
            out.add(Causes.invalid(path, v.getIntVal(), "must be greater than or equal to 0"));
        }
    }

    static Integer percent(String s) {
        if (!s.matches("[0-9]+%")) return null;
        return Integer.parseInt(s.substring(0, s.length() - 1));
    }

    private static boolean isZero(IntOrString v) {
        if (v == null) return true;
        if (v.getStrVal() != null) {
            Integer pct = percent(v.getStrVal());
            return pct != null && pct == 0;
        }
        return v.getIntVal() == null || v.getIntVal() == 0;
    }

    private static Object valueOf(IntOrString v) {
        if (v == null) return 0;
        return v.getStrVal() != null ? v.getStrVal() : v.getIntVal();
    }

    private static void nonNegative(Integer v, String path, List<StatusCause> out) {
        if (v != null && v < 0) out.add(Causes.invalid(path, v, "must be greater than or equal to 0"));
    }

    /** A readable rendering of a selector for messages, close to Go's {@code %#v}. */
    static Causes.Raw selectorText(LabelSelector s) {
        if (s == null) return new Causes.Raw("null");
        StringBuilder b = new StringBuilder("v1.LabelSelector{MatchLabels:");
        b.append(s.getMatchLabels() == null || s.getMatchLabels().isEmpty() ? "map[string]string(nil)" : Causes.goValue(s.getMatchLabels()));
        b.append(", MatchExpressions:[]v1.LabelSelectorRequirement");
        b.append(s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty() ? "(nil)" : "{...}");
        return new Causes.Raw(b.append('}').toString());
    }
}
