package io.dualstack.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/** Read access to every stored object of a type, given to strategies at start-up. */
public interface StoredObjects {
    <R extends HasMetadata> List<R> list(ResourceType type);
}
