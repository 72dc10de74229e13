package io.dualstack.apiserver.validation;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds fields of a JSON object that the API type does not declare, with upstream's paths
 * ({@code spec.template.spec.containers[0].foo}), for {@code fieldValidation=Strict|Warn}. The
 * known-property table of each model class is computed once from the fabric8 model's Jackson
 * annotations and cached.
 */
public final class UnknownFields {
    private final ObjectMapper mapper;
    private final Map<JavaType, Map<String, JavaType>> known = new ConcurrentHashMap<>();

    public UnknownFields(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public List<String> find(JsonNode obj, Class<?> modelClass) {
        List<String> out = new ArrayList<>();
        walk(obj, mapper.constructType(modelClass), "", out);
        return out;
    }

    private void walk(JsonNode node, JavaType type, String path, List<String> out) {
        if (node == null || node.isNull()) return;
        if (type.isContainerType()) {
            JavaType content = type.getContentType();
            if (type.isMapLikeType() && node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    walk(e.getValue(), content, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
                }
            } else if (node.isArray() && content != null) {
                int i = 0;
                for (JsonNode el : node) walk(el, content, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (!node.isObject()) return;
        Map<String, JavaType> props = properties(type);
        if (props.isEmpty()) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            JavaType pt = props.get(e.getKey());
            if (pt == null) out.add(p);
            else walk(e.getValue(), pt, p, out);
        }
    }

    private Map<String, JavaType> properties(JavaType type) {
        return known.computeIfAbsent(type, t -> {
            Class<?> raw = t.getRawClass();
            if (!raw.getName().startsWith("io.fabric8.") || raw == IntOrString.class || raw == Quantity.class || raw.isEnum()) return Map.of();
            BeanDescription bd = mapper.getDeserializationConfig().introspect(t);
            Map<String, JavaType> m = new HashMap<>();
            for (BeanPropertyDefinition d : bd.findProperties()) {
                if (d.getName().equals("additionalProperties")) continue;
                if (d.hasSetter() || d.hasField() || d.hasConstructorParameter()) m.put(d.getName(), d.getPrimaryType());
            }
            return m;
        });
    }

    /** upstream's {@code strict decoding error: unknown field "a", unknown field "b"}. */
    public static String strictMessage(List<String> unknown) {
        StringBuilder b = new StringBuilder("strict decoding error: ");
        for (int i = 0; i < unknown.size(); i++) {
            if (i > 0) b.append(", ");
            b.append("unknown field \"").append(unknown.get(i)).append('"');
        }
        return b.toString();
    }
}
