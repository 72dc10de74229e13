package io.dualstack.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** ConfigMap validation as upstream's {@code ValidateConfigMap}/{@code ValidateConfigMapUpdate}, on the JSON tree. */
public final class ConfigMapValidation {
    private ConfigMapValidation() {}

    private static final String KEY_FMT = "[-._a-zA-Z0-9]+";
    private static final Pattern KEY = Pattern.compile(KEY_FMT);
    private static final int MAX_SIZE = 1024 * 1024;
    private static final String IMMUTABLE = "Forbidden: field is immutable when `immutable` is set";

    public static List<StatusCause> validate(JsonNode cm) {
        List<StatusCause> errs = new ArrayList<>();
        long total = 0;
        JsonNode data = cm.path("data"), binary = cm.path("binaryData");
        for (String field : List.of("data", "binaryData")) {
            JsonNode m = cm.path(field);
            if (!m.isObject()) continue;
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                if (k.length() > 253) errs.add(MetadataValidation.invalid(field, k, Names.maxLen(253)));
                if (!KEY.matcher(k).matches()) {
                    errs.add(MetadataValidation.invalid(field, k, Names.regexError(
                            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'", KEY_FMT, "key.name", "KEY_NAME", "key-name")));
                } else if (k.equals(".") || k.equals("..") || k.startsWith("..")) {
                    errs.add(MetadataValidation.invalid(field, k, k.startsWith("..") && !k.equals("..") ? "must not start with '..'" : "must not be '" + k + "'"));
                }
                if (field.equals("binaryData") && data.has(k)) {
                    errs.add(MetadataValidation.invalid("data", k, "duplicate of key present in binaryData"));
                }
                total += k.length() + e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
            }
        }
        if (total > MAX_SIZE) errs.add(new StatusCause("", "Too long: must have at most " + MAX_SIZE + " bytes", "FieldValueTooLong"));
        return errs;
    }

    public static List<StatusCause> validateUpdate(JsonNode cm, JsonNode old) {
        List<StatusCause> errs = new ArrayList<>();
        if (old.path("immutable").asBoolean(false)) {
            if (!cm.path("immutable").asBoolean(false)) errs.add(new StatusCause("immutable", IMMUTABLE, "FieldValueForbidden"));
            if (!cm.path("data").equals(old.path("data"))) errs.add(new StatusCause("data", IMMUTABLE, "FieldValueForbidden"));
            if (!cm.path("binaryData").equals(old.path("binaryData"))) errs.add(new StatusCause("binaryData", IMMUTABLE, "FieldValueForbidden"));
        }
        errs.addAll(validate(cm));
        return errs;
    }
}
