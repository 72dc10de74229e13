package io.dualstack.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@code ValidateObjectMeta} as upstream: name (per resource), labels, annotations, finalizers. */
public final class MetadataValidation {
    private MetadataValidation() {}

    private static final int TOTAL_ANNOTATION_SIZE = 256 * 1024;

    /** The name rule each resource uses upstream; empty for resources whose strategy checks names itself. */
    public static Function<String, List<String>> nameRule(ResourceType t) {
        if (t == ResourceCatalog.NAMESPACES) return Names::dns1123Label;
        if (t == ResourceCatalog.SERVICES) return Names::dns1035Label;
        if (t == ResourceCatalog.IPADDRESSES) return n -> List.of();
        return Names::dns1123Subdomain;
    }

    public static StatusCause invalid(String field, String value, String detail) {
        return new StatusCause(field, "Invalid value: " + quote(value) + ": " + detail, "FieldValueInvalid");
    }

    public static StatusCause required(String field, String detail) {
        return new StatusCause(field, "Required value: " + detail, "FieldValueRequired");
    }

    public static StatusCause forbidden(String field, String detail) {
        return new StatusCause(field, "Forbidden: " + detail, "FieldValueForbidden");
    }

    static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Validates {@code metadata} of an object of {@code type} (generateName already resolved). */
    public static List<StatusCause> validate(ResourceType type, JsonNode meta) {
        List<StatusCause> causes = new ArrayList<>();
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            causes.add(required("metadata.name", "name or generateName is required"));
        } else {
            for (String e : nameRule(type).apply(name)) causes.add(invalid("metadata.name", name, e));
        }
        JsonNode labels = meta.path("labels");
        if (labels.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                for (String m : Names.qualifiedName(e.getKey())) causes.add(invalid("metadata.labels", e.getKey(), m));
                String v = e.getValue().isNull() ? "" : e.getValue().asText();
                for (String m : Names.labelValue(v)) causes.add(invalid("metadata.labels", v, m));
            }
        }
        JsonNode ann = meta.path("annotations");
        if (ann.isObject()) {
            long total = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = ann.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                for (String m : Names.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) causes.add(invalid("metadata.annotations", e.getKey(), m));
                total += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
            }
            if (total > TOTAL_ANNOTATION_SIZE) {
                causes.add(new StatusCause("metadata.annotations", "Too long: must have at most " + TOTAL_ANNOTATION_SIZE + " bytes", "FieldValueTooLong"));
            }
        }
        JsonNode fin = meta.path("finalizers");
        if (fin.isArray()) {
            int i = 0;
            for (JsonNode f : fin) {
                for (String m : Names.qualifiedName(f.asText(""))) causes.add(invalid("metadata.finalizers[" + i + "]", f.asText(""), m));
                i++;
            }
        }
        return causes;
    }
}
