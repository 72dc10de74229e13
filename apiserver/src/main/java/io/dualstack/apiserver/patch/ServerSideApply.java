package io.dualstack.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceType;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Server-side apply ({@code application/apply-patch+yaml}), partial:
 * <ul>
 *   <li>the applied configuration creates the object when it is absent;</li>
 *   <li>otherwise its fields are merged into the live object with the strategic-merge rules of
 *       {@link StrategicMergePatch} (lists merge by their merge keys);</li>
 *   <li>each manager's applied field set is recorded in {@code metadata.managedFields}
 *       (operation {@code Apply}, {@code FieldsV1}; lists count as one field), and fields the same
 *       manager applied before but no longer applies are removed.</li>
 * </ul>
 * Not done: ownership of fields written by other operations (Update entries), and therefore no
 * 409 {@code FieldManagerConflict}; {@code force} is accepted and changes nothing.
 */
public final class ServerSideApply {
    private ServerSideApply() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    public static ObjectNode apply(ResourceType type, ObjectNode live, ObjectNode applied, String manager, boolean force) {
        ObjectNode patch = applied.deepCopy();
        JsonNode meta = patch.get("metadata");
        if (meta instanceof ObjectNode m) {
            for (String f : List.of("resourceVersion", "managedFields", "uid", "creationTimestamp", "generation", "deletionTimestamp")) m.remove(f);
        }
        ObjectNode newFields = fieldsV1(patch, true);
        ObjectNode result = live.deepCopy();
        ArrayNode entries = managedFields(result);
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            if (manager.equals(e.path("manager").asText()) && "Apply".equals(e.path("operation").asText())) {
                removeDropped(result, e.path("fieldsV1"), newFields);
            }
        }
        result = (ObjectNode) StrategicMergePatch.apply(type, result, patch);
        ArrayNode kept = F.arrayNode();
        for (JsonNode e : managedFields(result)) {
            if (!(manager.equals(e.path("manager").asText()) && "Apply".equals(e.path("operation").asText()))) kept.add(e);
        }
        ObjectNode entry = kept.addObject();
        entry.put("manager", manager).put("operation", "Apply").put("apiVersion", type.apiVersion())
                .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).put("fieldsType", "FieldsV1");
        entry.set("fieldsV1", newFields);
        ((ObjectNode) result.get("metadata")).set("managedFields", kept);
        return result;
    }

    private static ArrayNode managedFields(ObjectNode obj) {
        JsonNode m = obj.path("metadata").path("managedFields");
        return m.isArray() ? (ArrayNode) m : F.arrayNode();
    }

    /** The {@code FieldsV1} set of an applied object: maps recurse, anything else is a leaf {@code {}}. */
    static ObjectNode fieldsV1(JsonNode n, boolean top) {
        ObjectNode out = F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            if (top && (k.equals("apiVersion") || k.equals("kind"))) continue;
            JsonNode v = e.getValue();
            if (top && k.equals("metadata")) {
                ObjectNode m = F.objectNode();
                for (Iterator<Map.Entry<String, JsonNode>> mi = v.fields(); mi.hasNext(); ) {
                    Map.Entry<String, JsonNode> me = mi.next();
                    if (me.getKey().equals("name") || me.getKey().equals("namespace")) continue;
                    m.set("f:" + me.getKey(), me.getValue().isObject() && !me.getValue().isEmpty() ? fieldsV1(me.getValue(), false) : F.objectNode());
                }
                if (!m.isEmpty()) out.set("f:metadata", m);
                continue;
            }
            out.set("f:" + k, v.isObject() && !v.isEmpty() ? fieldsV1(v, false) : F.objectNode());
        }
        return out;
    }

    /** Removes from {@code live} every field in {@code before} that is not in {@code now}. */
    static void removeDropped(ObjectNode live, JsonNode before, JsonNode now) {
        List<String> names = new ArrayList<>();
        before.fieldNames().forEachRemaining(names::add);
        for (String f : names) {
            if (!f.startsWith("f:")) continue;
            String k = f.substring(2);
            JsonNode prevChild = before.get(f);
            if (!now.has(f)) {
                live.remove(k);
            } else if (!prevChild.isEmpty() && live.get(k) instanceof ObjectNode child) {
                removeDropped(child, prevChild, now.get(f));
            }
        }
    }
}
