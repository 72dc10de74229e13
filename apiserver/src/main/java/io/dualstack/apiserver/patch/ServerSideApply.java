package io.dualstack.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceType;

/**
 * Server-side apply ({@code application/apply-patch+yaml}), partial: the applied configuration
 * creates the object when absent, otherwise its fields are merged into the live object with the
 * strategic-merge rules of {@link StrategicMergePatch} (lists merge by their merge keys).
 * Not done: {@code managedFields} ownership, conflicts between managers (409
 * FieldManagerConflict), and removal of fields a manager stopped applying.
 */
public final class ServerSideApply {
    private ServerSideApply() {}

    public static ObjectNode apply(ResourceType type, ObjectNode live, ObjectNode applied, String manager, boolean force) {
        ObjectNode patch = applied.deepCopy();
        JsonNode meta = patch.get("metadata");
        if (meta instanceof ObjectNode m) {
            m.remove("resourceVersion");
            m.remove("managedFields");
            m.remove("uid");
            m.remove("creationTimestamp");
        }
        return (ObjectNode) StrategicMergePatch.apply(type, live, patch);
    }
}
