package io.dualstack.apiserver.selectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A field selector ({@code a=b,c!=d}) over the fields upstream supports per resource
 * ({@code GetAttrs}/{@code AddFieldLabelConversionFunc} in each registry): {@code metadata.name}
 * and {@code metadata.namespace} everywhere, plus the resource-specific ones below.
 */
public record FieldSelector(List<Term> terms) {
    public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    public record Term(String field, boolean equals, String value, Function<JsonNode, String> getter) {}

    private static final Map<ResourceType, Map<String, Function<JsonNode, String>>> FIELDS = new HashMap<>();

    static {
        for (ResourceType t : ResourceCatalog.ALL) {
            Map<String, Function<JsonNode, String>> m = new HashMap<>();
            m.put("metadata.name", o -> str(o, "metadata", "name"));
            if (t.namespaced()) m.put("metadata.namespace", o -> str(o, "metadata", "namespace"));
            FIELDS.put(t, m);
        }
        Map<String, Function<JsonNode, String>> pods = FIELDS.get(ResourceCatalog.PODS);
        pods.put("spec.nodeName", o -> str(o, "spec", "nodeName"));
        pods.put("spec.restartPolicy", o -> str(o, "spec", "restartPolicy"));
        pods.put("spec.schedulerName", o -> str(o, "spec", "schedulerName"));
        pods.put("spec.serviceAccountName", o -> str(o, "spec", "serviceAccountName"));
        pods.put("spec.hostNetwork", o -> String.valueOf(o.path("spec").path("hostNetwork").asBoolean(false)));
        pods.put("status.phase", o -> str(o, "status", "phase"));
        pods.put("status.podIP", o -> str(o, "status", "podIP"));
        pods.put("status.nominatedNodeName", o -> str(o, "status", "nominatedNodeName"));
        Map<String, Function<JsonNode, String>> ev = FIELDS.get(ResourceCatalog.EVENTS);
        for (String f : List.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")) {
            ev.put("involvedObject." + f, o -> str(o, "involvedObject", f));
        }
        ev.put("reason", o -> str(o, "reason"));
        ev.put("reportingComponent", o -> str(o, "reportingComponent"));
        ev.put("source", o -> {
            String c = str(o, "reportingComponent");
            return c.isEmpty() ? str(o, "source", "component") : c;
        });
        ev.put("type", o -> str(o, "type"));
        Map<String, Function<JsonNode, String>> svc = FIELDS.get(ResourceCatalog.SERVICES);
        svc.put("spec.clusterIP", o -> str(o, "spec", "clusterIP"));
        svc.put("spec.type", o -> str(o, "spec", "type"));
        FIELDS.get(ResourceCatalog.NODES).put("spec.unschedulable", o -> String.valueOf(o.path("spec").path("unschedulable").asBoolean(false)));
        FIELDS.get(ResourceCatalog.NAMESPACES).put("status.phase", o -> str(o, "status", "phase"));
        FIELDS.get(ResourceCatalog.REPLICASETS).put("status.replicas", o -> String.valueOf(o.path("status").path("replicas").asInt(0)));
    }

    private static String str(JsonNode o, String... path) {
        JsonNode n = o;
        for (String p : path) n = n.path(p);
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    public boolean matches(JsonNode obj) {
        for (Term t : terms) {
            boolean eq = t.getter().apply(obj).equals(t.value());
            if (eq != t.equals()) return false;
        }
        return true;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** The value a {@code metadata.name=x} term pins, or empty. */
    public String pinnedName() {
        for (Term t : terms) if (t.equals() && t.field().equals("metadata.name")) return t.value();
        return "";
    }

    /** Parses {@code s} for {@code type}; an unknown field or malformed term is a 400 BadRequest. */
    public static FieldSelector parse(ResourceType type, String s) {
        if (s == null || s.isBlank()) return EVERYTHING;
        Map<String, Function<JsonNode, String>> known = FIELDS.get(type);
        List<Term> out = new ArrayList<>();
        for (String raw : s.split(",")) {
            String p = raw.trim();
            if (p.isEmpty()) continue;
            String field, value;
            boolean eq;
            int i;
            if ((i = p.indexOf("!=")) > 0) {
                field = p.substring(0, i); value = p.substring(i + 2); eq = false;
            } else if ((i = p.indexOf("==")) > 0) {
                field = p.substring(0, i); value = p.substring(i + 2); eq = true;
            } else if ((i = p.indexOf('=')) > 0) {
                field = p.substring(0, i); value = p.substring(i + 1); eq = true;
            } else {
                throw ApiException.badRequest("invalid selector: '" + s + "'; can't understand '" + p + "'");
            }
            field = field.trim();
            Function<JsonNode, String> g = known.get(field);
            if (g == null) throw ApiException.badRequest("field label not supported: " + field);
            out.add(new Term(field, eq, value.trim(), g));
        }
        return new FieldSelector(List.copyOf(out));
    }
}
