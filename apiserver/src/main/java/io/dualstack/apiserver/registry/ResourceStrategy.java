package io.dualstack.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.util.List;

/**
 * Per-resource admission: defaulting, allocation and validation, the role of upstream's
 * {@code RESTCreateStrategy}/{@code RESTUpdateStrategy} plus the {@code BeginCreate}/{@code BeginUpdate}
 * hooks. The registry calls, for a create: {@code prepareForCreate} (defaulting, allocation — it
 * may stage side effects in the context) then {@code validateCreate}; a non-empty cause list is a
 * 422 {@code Invalid} and the registry runs the context's abort actions. Updates likewise.
 *
 * <p>Strategies are pure over the objects they are given plus the allocator state they own; they
 * never write to the store directly — extra writes go through {@link AdmissionContext} so they
 * commit in the same transaction as the object.
 */
public interface ResourceStrategy<T extends HasMetadata> {

    /** Called once before the server serves, with every stored object, to rebuild in-memory state. */
    default void start(StoredObjects stored) {}

    default void prepareForCreate(T obj, AdmissionContext ctx) {}

    default List<StatusCause> validateCreate(T obj) {
        return List.of();
    }

    /** {@code newObj} is the incoming object; {@code oldObj} the stored one (do not mutate it). */
    default void prepareForUpdate(T newObj, T oldObj, AdmissionContext ctx) {}

    default List<StatusCause> validateUpdate(T newObj, T oldObj) {
        return List.of();
    }

    /** Called when the object is finally removed from storage (after finalizers and grace). */
    default void prepareForDelete(T obj, AdmissionContext ctx) {}
}
