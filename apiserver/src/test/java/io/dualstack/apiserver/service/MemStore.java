package io.dualstack.apiserver.service;

import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.apiserver.registry.StoredObjects;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A map-backed stand-in for the store: objects by type key. Thread-safe. */
final class MemStore implements StoredObjects {
    private final Map<String, HasMetadata> objects = new ConcurrentSkipListMap<>();

    void put(ResourceType type, HasMetadata obj) {
        objects.put(type.key(obj.getMetadata().getNamespace(), obj.getMetadata().getName()), obj);
    }

    void remove(ResourceType type, String namespace, String name) {
        objects.remove(type.key(namespace, name));
    }

    @SuppressWarnings("unchecked")
    <R extends HasMetadata> Optional<R> get(ResourceType type, String namespace, String name) {
        return Optional.ofNullable((R) objects.get(type.key(namespace, name)));
    }

    @SuppressWarnings("unchecked")
    <R extends HasMetadata> List<R> list(ResourceType type, String namespace) {
        List<R> out = new ArrayList<>();
        String prefix = namespace == null || !type.namespaced() ? type.keyPrefix() : type.keyPrefix() + namespace + "/";
        objects.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.add((R) v);
        });
        return out;
    }

    @Override
    public <R extends HasMetadata> List<R> list(ResourceType type) {
        return list(type, null);
    }
}
