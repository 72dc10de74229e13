package io.dualstack.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;
import java.util.Optional;

/**
 * What a strategy may do besides mutating the object: read other objects, stage writes of other
 * objects into the same store transaction, and register actions for when the transaction commits
 * or aborts (a failed compare, a validation error, a dry run). Allocators reserve in memory during
 * {@code prepare*} and release in {@link #onAbort}: a failed write changes nothing.
 */
public interface AdmissionContext {

    /** True for {@code dryRun=All}: the registry will abort after admission, never commit. */
    boolean dryRun();

    /** The current stored object, if any. */
    <R extends HasMetadata> Optional<R> get(ResourceType type, String namespace, String name);

    /** Every stored object of a type (namespace null: all namespaces). */
    <R extends HasMetadata> List<R> list(ResourceType type, String namespace);

    /** Creates {@code obj} in the same transaction (metadata filled by the registry). */
    void stageCreate(ResourceType type, HasMetadata obj);

    /** Replaces {@code obj} in the same transaction (unconditional on its resourceVersion). */
    void stageUpdate(ResourceType type, HasMetadata obj);

    /** Deletes an object in the same transaction, if it exists. */
    void stageDelete(ResourceType type, String namespace, String name);

    void onCommit(Runnable action);

    void onAbort(Runnable action);
}
