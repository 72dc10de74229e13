package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceType;

import java.util.ArrayList;
import java.util.List;

/** The {@code autoscaling/v1 Scale} view of a Deployment or ReplicaSet. */
final class Scale {
    private Scale() {}

    static ObjectNode of(ResourceType t, ObjectNode obj) {
        ObjectNode s = Json.NODES.objectNode();
        s.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode m = s.putObject("metadata");
        JsonNode om = obj.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (om.has(f)) m.set(f, om.get(f));
        }
        s.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(1));
        ObjectNode st = s.putObject("status");
        st.put("replicas", obj.path("status").path("replicas").asInt(0));
        String sel = selector(obj.path("spec").path("selector"));
        if (!sel.isEmpty()) st.put("selector", sel);
        return s;
    }

    /** A LabelSelector object printed as upstream's {@code metav1.FormatLabelSelector}. */
    static String selector(JsonNode sel) {
        List<String> parts = new ArrayList<>();
        JsonNode ml = sel.path("matchLabels");
        List<String> keys = new ArrayList<>();
        ml.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        for (String k : keys) parts.add(k + "=" + ml.get(k).asText());
        for (JsonNode e : sel.path("matchExpressions")) {
            String key = e.path("key").asText(), op = e.path("operator").asText();
            List<String> vals = new ArrayList<>();
            e.path("values").forEach(v -> vals.add(v.asText()));
            switch (op) {
                case "In" -> parts.add(key + " in (" + String.join(",", vals) + ")");
                case "NotIn" -> parts.add(key + " notin (" + String.join(",", vals) + ")");
                case "Exists" -> parts.add(key);
                case "DoesNotExist" -> parts.add("!" + key);
                default -> { }
            }
        }
        return String.join(",", parts);
    }
}
