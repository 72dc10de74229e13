package io.dualstack.apiserver.openapi;

import java.util.Map;
import java.util.Optional;

/**
 * Upstream's strategic-merge-patch metadata for the served types: the {@code patchStrategy} and
 * {@code patchMergeKey} struct tags of {@code k8s.io/api}, keyed by definition simple name and
 * JSON property ({@code "PodSpec.containers"}). OpenAPI publishes them as
 * {@code x-kubernetes-patch-strategy} / {@code x-kubernetes-patch-merge-key}; kubectl computes
 * client-side apply patches from them, and a strategic-merge-patch implementation can use the same
 * table. A property with a strategy and no key (e.g. {@code finalizers}) is a merged primitive list.
 */
public final class PatchMeta {
    private PatchMeta() {}

    /** One list field's patch metadata; {@code mergeKey} is empty for primitive lists. */
    public record Entry(String strategy, String mergeKey) {}

    private static Entry merge(String key) {
        return new Entry("merge", key);
    }

    private static final Map<String, Entry> TABLE = Map.ofEntries(
            // meta/v1
            Map.entry("ObjectMeta.finalizers", merge("")),
            Map.entry("ObjectMeta.ownerReferences", merge("uid")),
            // core/v1 PodSpec / Container
            Map.entry("PodSpec.containers", merge("name")),
            Map.entry("PodSpec.initContainers", merge("name")),
            Map.entry("PodSpec.ephemeralContainers", merge("name")),
            Map.entry("PodSpec.volumes", new Entry("merge,retainKeys", "name")),
            Map.entry("PodSpec.imagePullSecrets", merge("name")),
            Map.entry("PodSpec.hostAliases", merge("ip")),
            Map.entry("PodSpec.resourceClaims", new Entry("merge,retainKeys", "name")),
            Map.entry("PodSpec.schedulingGates", merge("name")),
            Map.entry("Container.ports", merge("containerPort")),
            Map.entry("Container.env", merge("name")),
            Map.entry("Container.volumeMounts", merge("mountPath")),
            Map.entry("Container.volumeDevices", merge("devicePath")),
            Map.entry("EphemeralContainer.ports", merge("containerPort")),
            Map.entry("EphemeralContainer.env", merge("name")),
            Map.entry("EphemeralContainer.volumeMounts", merge("mountPath")),
            Map.entry("EphemeralContainer.volumeDevices", merge("devicePath")),
            // core/v1 statuses
            Map.entry("PodStatus.conditions", merge("type")),
            Map.entry("PodStatus.podIPs", merge("ip")),
            Map.entry("PodStatus.hostIPs", merge("ip")),
            Map.entry("NodeStatus.conditions", merge("type")),
            Map.entry("NodeStatus.addresses", merge("type")),
            Map.entry("NodeSpec.podCIDRs", merge("")),
            Map.entry("NamespaceStatus.conditions", merge("type")),
            Map.entry("ServiceStatus.conditions", merge("type")),
            // core/v1 ServiceSpec
            Map.entry("ServiceSpec.ports", merge("port")),
            // apps/v1
            Map.entry("DeploymentSpec.strategy", new Entry("retainKeys", "")),
            Map.entry("DeploymentStatus.conditions", merge("type")),
            Map.entry("ReplicaSetStatus.conditions", merge("type")),
            // networking/v1
            Map.entry("ServiceCIDRStatus.conditions", merge("type")));

    /** Patch metadata of {@code definition.property}, if upstream declares any. */
    public static Optional<Entry> of(String definitionSimpleName, String property) {
        return Optional.ofNullable(TABLE.get(definitionSimpleName + "." + property));
    }

    /** The whole table ({@code "PodSpec.containers" -> merge/name}). */
    public static Map<String, Entry> table() {
        return TABLE;
    }
}
