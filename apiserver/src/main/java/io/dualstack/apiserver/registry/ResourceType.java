package io.dualstack.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/**
 * One served resource: what discovery advertises, what OpenAPI documents, what tables print and
 * where the registry stores it. {@code group} is "" for the core group.
 */
public record ResourceType(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        boolean namespaced,
        List<String> shortNames,
        List<String> categories,
        List<String> subresources,
        Class<? extends HasMetadata> modelClass) {

    public ResourceType {
        shortNames = List.copyOf(shortNames);
        categories = List.copyOf(categories);
        subresources = List.copyOf(subresources);
    }

    /** {@code v1} or {@code apps/v1}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String listKind() {
        return kind + "List";
    }

    /** {@code /api/v1} or {@code /apis/apps/v1}. */
    public String groupVersionPath() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    /** Storage key prefix, e.g. {@code /registry/services/} (namespaced keys add {@code ns/name}). */
    public String keyPrefix() {
        return "/registry/" + (group.isEmpty() ? "" : group + "/") + plural + "/";
    }

    public String key(String namespace, String name) {
        return namespaced ? keyPrefix() + namespace + "/" + name : keyPrefix() + name;
    }

    /** {@code services} or {@code deployments.apps}, as upstream names resources in messages. */
    public String qualifiedPlural() {
        return group.isEmpty() ? plural : plural + "." + group;
    }
}
