package io.dualstack.node;

import io.fabric8.kubernetes.api.model.Pod;

/** A pod as the node agent and its pod network know it: namespace, name and uid. */
public record PodRef(String namespace, String name, String uid) {
    public static PodRef of(Pod pod) {
        return new PodRef(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid());
    }

    public String key() {
        return namespace + "/" + name;
    }

    @Override
    public String toString() {
        return key();
    }
}
