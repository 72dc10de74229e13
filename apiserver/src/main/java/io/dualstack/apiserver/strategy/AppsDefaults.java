package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

/** Upstream's {@code pkg/apis/apps/v1/defaults.go} for Deployments and ReplicaSets (pod template included). */
public final class AppsDefaults {
    private AppsDefaults() {}

    public static final String DEFAULT_MAX_SURGE = "25%";
    public static final String DEFAULT_MAX_UNAVAILABLE = "25%";
    public static final int DEFAULT_REVISION_HISTORY_LIMIT = 10;
    public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

    public static void defaultDeployment(Deployment d) {
        if (d.getSpec() == null) d.setSpec(new DeploymentSpec());
        DeploymentSpec spec = d.getSpec();
        if (spec.getReplicas() == null) spec.setReplicas(1);
        if (spec.getStrategy() == null) spec.setStrategy(new DeploymentStrategy());
        DeploymentStrategy strategy = spec.getStrategy();
        if (strategy.getType() == null || strategy.getType().isEmpty()) strategy.setType("RollingUpdate");
        if ("RollingUpdate".equals(strategy.getType())) {
            if (strategy.getRollingUpdate() == null) strategy.setRollingUpdate(new RollingUpdateDeployment());
            RollingUpdateDeployment ru = strategy.getRollingUpdate();
            if (ru.getMaxUnavailable() == null) ru.setMaxUnavailable(new IntOrString(DEFAULT_MAX_UNAVAILABLE));
            if (ru.getMaxSurge() == null) ru.setMaxSurge(new IntOrString(DEFAULT_MAX_SURGE));
        }
        if (spec.getRevisionHistoryLimit() == null) spec.setRevisionHistoryLimit(DEFAULT_REVISION_HISTORY_LIMIT);
        if (spec.getProgressDeadlineSeconds() == null) spec.setProgressDeadlineSeconds(DEFAULT_PROGRESS_DEADLINE_SECONDS);
        PodDefaults.defaultPodTemplate(spec.getTemplate());
    }

    public static void defaultReplicaSet(ReplicaSet rs) {
        if (rs.getSpec() == null) rs.setSpec(new ReplicaSetSpec());
        if (rs.getSpec().getReplicas() == null) rs.getSpec().setReplicas(1);
        PodDefaults.defaultPodTemplate(rs.getSpec().getTemplate());
    }
}
