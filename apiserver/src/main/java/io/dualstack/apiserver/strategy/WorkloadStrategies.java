package io.dualstack.apiserver.strategy;

import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.ResourceType;

import java.util.Map;

/** The admission strategies for pods, deployments and replicasets; the registry wires them by type. */
public final class WorkloadStrategies {
    private WorkloadStrategies() {}

    public static Map<ResourceType, ResourceStrategy<?>> all() {
        return Map.of(
                ResourceCatalog.PODS, new PodStrategy(),
                ResourceCatalog.DEPLOYMENTS, new DeploymentStrategy(),
                ResourceCatalog.REPLICASETS, new ReplicaSetStrategy());
    }
}
