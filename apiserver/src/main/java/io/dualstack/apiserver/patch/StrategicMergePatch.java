package io.dualstack.apiserver.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) with upstream's
 * {@code patchStrategy}/{@code patchMergeKey} tags for the served types: lists merge by key
 * (containers, initContainers, volumes, env, imagePullSecrets by {@code name}; container ports by
 * {@code containerPort}; Service ports by {@code port}; volumeMounts by {@code mountPath};
 * conditions and node addresses by {@code type}; ownerReferences by {@code uid}; podIPs/hostIPs
 * by {@code ip}; topologySpreadConstraints by {@code topologyKey}); {@code finalizers} merge as a
 * set; every other list is replaced. Directives: {@code $patch: replace|merge|delete},
 * {@code $retainKeys}, {@code $deleteFromPrimitiveList/<field>}, {@code $setElementOrder/<field>}.
 */
public final class StrategicMergePatch {
    private StrategicMergePatch() {}

    /** How a list field merges: by a key, as a set of primitives, or replaced whole. */
    record ListRule(Optional<String> mergeKey, boolean merge) {
        static final ListRule REPLACE = new ListRule(Optional.empty(), false);
        static final ListRule PRIMITIVE_SET = new ListRule(Optional.empty(), true);

        static ListRule key(String k) {
            return new ListRule(Optional.of(k), true);
        }
    }

    private static final Map<String, ListRule> BY_FIELD = new HashMap<>();

    static {
        for (String f : List.of("containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets")) {
            BY_FIELD.put(f, ListRule.key("name"));
        }
        BY_FIELD.put("volumeMounts", ListRule.key("mountPath"));
        BY_FIELD.put("volumeDevices", ListRule.key("devicePath"));
        BY_FIELD.put("conditions", ListRule.key("type"));
        BY_FIELD.put("addresses", ListRule.key("type"));
        BY_FIELD.put("ownerReferences", ListRule.key("uid"));
        BY_FIELD.put("podIPs", ListRule.key("ip"));
        BY_FIELD.put("hostIPs", ListRule.key("ip"));
        BY_FIELD.put("hostAliases", ListRule.key("ip"));
        BY_FIELD.put("topologySpreadConstraints", ListRule.key("topologyKey"));
        BY_FIELD.put("finalizers", ListRule.PRIMITIVE_SET);
    }

    static ListRule rule(ResourceType type, List<String> path, String field) {
        if (field.equals("ports")) {
            if (path.contains("containers") || path.contains("initContainers") || path.contains("ephemeralContainers")) return ListRule.key("containerPort");
            if (type == ResourceCatalog.SERVICES && path.equals(List.of("spec"))) return ListRule.key("port");
            return ListRule.REPLACE;
        }
        if (field.equals("addresses") && !(type == ResourceCatalog.NODES && path.equals(List.of("status")))) return ListRule.REPLACE;
        if (field.equals("finalizers") && !path.equals(List.of("metadata"))) return ListRule.REPLACE;
        return BY_FIELD.getOrDefault(field, ListRule.REPLACE);
    }

    public static JsonNode apply(ResourceType type, JsonNode original, JsonNode patch) {
        if (!patch.isObject()) throw ApiException.badRequest("unable to find api field in struct for the patch: strategic merge patch must be a JSON object");
        JsonNode r = mergeMap(type, original.isObject() ? (ObjectNode) original.deepCopy() : JsonNodeFactory.instance.objectNode(),
                (ObjectNode) patch, new ArrayList<>());
        return r == null ? JsonNodeFactory.instance.objectNode() : r;
    }

    private static ObjectNode mergeMap(ResourceType type, ObjectNode orig, ObjectNode patch, List<String> path) {
        String directive = patch.path("$patch").asText("");
        if (directive.equals("delete")) return null;
        if (directive.equals("replace")) {
            ObjectNode copy = patch.deepCopy();
            copy.remove("$patch");
            return (ObjectNode) stripDirectives(copy);
        }
        Map<String, JsonNode> orders = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.equals("$patch") || k.equals("$retainKeys")) continue;
            if (k.startsWith("$setElementOrder/")) {
                orders.put(k.substring("$setElementOrder/".length()), v);
                continue;
            }
            if (k.startsWith("$deleteFromPrimitiveList/")) {
                String f = k.substring("$deleteFromPrimitiveList/".length());
                JsonNode cur = orig.get(f);
                if (cur != null && cur.isArray() && v.isArray()) {
                    Set<JsonNode> drop = new HashSet<>();
                    v.forEach(drop::add);
                    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                    for (JsonNode el : cur) if (!drop.contains(el)) kept.add(el);
                    orig.set(f, kept);
                }
                continue;
            }
            if (v.isNull()) {
                orig.remove(k);
                continue;
            }
            JsonNode cur = orig.get(k);
            List<String> sub = new ArrayList<>(path);
            sub.add(k);
            if (v.isObject()) {
                ObjectNode merged = mergeMap(type, cur != null && cur.isObject() ? (ObjectNode) cur : JsonNodeFactory.instance.objectNode(), (ObjectNode) v, sub);
                if (merged == null) orig.remove(k);
                else orig.set(k, merged);
            } else if (v.isArray()) {
                orig.set(k, mergeList(type, cur != null && cur.isArray() ? (ArrayNode) cur : JsonNodeFactory.instance.arrayNode(), (ArrayNode) v, path, k));
            } else {
                orig.set(k, v.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> o : orders.entrySet()) {
            JsonNode cur = orig.get(o.getKey());
            if (cur != null && cur.isArray() && o.getValue().isArray()) {
                orig.set(o.getKey(), reorder((ArrayNode) cur, (ArrayNode) o.getValue(), rule(type, path, o.getKey())));
            }
        }
        JsonNode retain = patch.get("$retainKeys");
        if (retain != null && retain.isArray()) {
            Set<String> keep = new HashSet<>();
            retain.forEach(n -> keep.add(n.asText()));
            orig.fieldNames().forEachRemaining(n -> { });
            List<String> names = new ArrayList<>();
            orig.fieldNames().forEachRemaining(names::add);
            for (String n : names) if (!keep.contains(n)) orig.remove(n);
        }
        return orig;
    }

    private static ArrayNode mergeList(ResourceType type, ArrayNode orig, ArrayNode patch, List<String> path, String field) {
        ListRule r = rule(type, path, field);
        List<String> sub = new ArrayList<>(path);
        sub.add(field);
        for (JsonNode el : patch) {
            if (el.isObject() && el.path("$patch").asText("").equals("replace")) {
                ArrayNode out = JsonNodeFactory.instance.arrayNode();
                for (JsonNode e2 : patch) if (!(e2.isObject() && e2.has("$patch"))) out.add(stripDirectives(e2.deepCopy()));
                return out;
            }
        }
        if (!r.merge()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode el : patch) out.add(stripDirectives(el.deepCopy()));
            return out;
        }
        ArrayNode out = orig.deepCopy();
        if (r.mergeKey().isEmpty()) {
            Set<JsonNode> have = new HashSet<>();
            out.forEach(have::add);
            for (JsonNode el : patch) if (have.add(el)) out.add(el.deepCopy());
            return out;
        }
        String key = r.mergeKey().get();
        for (JsonNode el : patch) {
            if (!el.isObject()) {
                out.add(el.deepCopy());
                continue;
            }
            JsonNode kv = el.get(key);
            int idx = -1;
            for (int i = 0; i < out.size(); i++) {
                if (kv != null && kv.equals(out.get(i).get(key))) {
                    idx = i;
                    break;
                }
            }
            if (el.path("$patch").asText("").equals("delete")) {
                if (idx >= 0) out.remove(idx);
                continue;
            }
            if (idx >= 0) {
                ObjectNode merged = mergeMap(type, (ObjectNode) out.get(idx), (ObjectNode) el, sub);
                if (merged == null) out.remove(idx);
                else out.set(idx, merged);
            } else {
                ObjectNode fresh = mergeMap(type, JsonNodeFactory.instance.objectNode(), (ObjectNode) el, sub);
                if (fresh != null) out.add(fresh);
            }
        }
        return out;
    }

    private static ArrayNode reorder(ArrayNode cur, ArrayNode order, ListRule r) {
        List<JsonNode> rest = new ArrayList<>();
        cur.forEach(rest::add);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode o : order) {
            for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                JsonNode el = it.next();
                boolean same = r.mergeKey().isPresent() ? o.isObject() && o.get(r.mergeKey().get()) != null && o.get(r.mergeKey().get()).equals(el.get(r.mergeKey().get()))
                        : o.equals(el);
                if (same) {
                    out.add(el);
                    it.remove();
                    break;
                }
            }
        }
        rest.forEach(out::add);
        return out;
    }

    private static JsonNode stripDirectives(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = (ObjectNode) n;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String k : names) {
                if (k.startsWith("$")) o.remove(k);
                else stripDirectives(o.get(k));
            }
        } else if (n.isArray()) {
            n.forEach(StrategicMergePatch::stripDirectives);
        }
        return n;
    }
}
