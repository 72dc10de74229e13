package io.dualstack.apiserver.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dualstack.apiserver.registry.ApiException;

import java.io.IOException;

/** The JSON and YAML mappers of the API server (one instance each, thread-safe). */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Parses a request body as one JSON (or YAML) object; anything else is a 400 BadRequest. */
    public static ObjectNode parseObject(byte[] body, boolean yaml) {
        if (body.length == 0) throw ApiException.badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        JsonNode n;
        try {
            n = (yaml ? YAML : MAPPER).readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("couldn't get version/kind; json parse error: " + firstLine(e));
        }
        if (n == null || !n.isObject()) throw ApiException.badRequest("couldn't get version/kind; json parse error: body is not a JSON object");
        return (ObjectNode) n;
    }

    public static JsonNode parseAny(byte[] body, boolean yaml) {
        try {
            JsonNode n = (yaml ? YAML : MAPPER).readTree(body);
            if (n == null) throw ApiException.badRequest("empty patch body");
            return n;
        } catch (IOException e) {
            throw ApiException.badRequest("json parse error: " + firstLine(e));
        }
    }

    public static byte[] bytes(Object o) {
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw ApiException.internal(e.getOriginalMessage());
        }
    }

    public static ObjectNode tree(Object o) {
        return MAPPER.valueToTree(o);
    }

    /**
     * Converts to a fabric8 type; a value of the wrong JSON type is upstream's 400 for a body that does not
     * decode: {@code Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal
     * string into Go struct field DeploymentSpec.spec.replicas of type int32}.
     */
    public static <T> T convert(JsonNode n, Class<T> cls) {
        try {
            return MAPPER.treeToValue(n, cls);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String kind = cls.getSimpleName();
            io.fabric8.kubernetes.model.annotation.Version v = cls.getAnnotation(io.fabric8.kubernetes.model.annotation.Version.class);
            throw ApiException.badRequest(kind + " in version \"" + (v == null ? "v1" : v.value()) + "\" cannot be handled as a " + kind + ": "
                    + goDecodeMessage(n, cls, e));
        }
    }

    /** The Go decode error {@code n} would give as {@code cls} (see {@link #goDecodeMessage}), if any. */
    public static java.util.Optional<String> decodeError(JsonNode n, Class<?> cls) {
        try {
            MAPPER.treeToValue(n, cls);
            return java.util.Optional.empty();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return java.util.Optional.of(goDecodeMessage(n, cls, e));
        }
    }

    /**
     * A Jackson decode failure told as Go's {@code encoding/json} tells it (no Java class names):
     * {@code json: cannot unmarshal <JSON kind> into Go struct field <Struct>.<json.path> of type <go type>}.
     */
    static String goDecodeMessage(JsonNode root, Class<?> cls, Exception e) {
        Throwable t = e;
        while (t != null && !(t instanceof com.fasterxml.jackson.databind.JsonMappingException)) t = t.getCause();
        if (!(t instanceof com.fasterxml.jackson.databind.JsonMappingException jme) || jme.getPath().isEmpty()) {
            return "json: cannot unmarshal " + goKind(root) + " into Go value of type " + goType(cls);
        }
        java.util.List<com.fasterxml.jackson.databind.JsonMappingException.Reference> path = jme.getPath();
        JsonNode bad = root;
        java.util.List<String> fields = new java.util.ArrayList<>();
        String struct = cls.getSimpleName();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                Object from = r.getFrom();
                Class<?> owner = from instanceof Class<?> c ? c : from == null ? null : from.getClass();
                if (owner != null && !java.util.Collection.class.isAssignableFrom(owner) && !java.util.Map.class.isAssignableFrom(owner)) {
                    struct = owner.getSimpleName();
                }
                fields.add(r.getFieldName());
                bad = bad == null ? null : bad.get(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                bad = bad == null ? null : bad.get(r.getIndex());
            }
        }
        Class<?> target = jme instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException mie ? mie.getTargetType() : null;
        String kind = bad == null ? "value" : goKind(bad);
        if (bad != null && bad.isNumber() && !bad.isIntegralNumber()) kind = "number " + bad.asText();
        return "json: cannot unmarshal " + kind + " into Go struct field " + struct + "." + String.join(".", fields)
                + " of type " + goType(target);
    }

    private static String goKind(JsonNode n) {
        if (n.isTextual()) return "string";
        if (n.isNumber()) return "number";
        if (n.isBoolean()) return "bool";
        if (n.isArray()) return "array";
        if (n.isObject()) return "object";
        return "value";
    }

    private static String goType(Class<?> c) {
        if (c == null) return "interface {}";
        if (c == Integer.class || c == int.class) return "int32";
        if (c == Long.class || c == long.class) return "int64";
        if (c == String.class) return "string";
        if (c == Boolean.class || c == boolean.class) return "bool";
        if (c == Double.class || c == double.class || c == Float.class || c == float.class) return "float64";
        if (java.util.Map.class.isAssignableFrom(c)) return "map[string]string";
        if (java.util.Collection.class.isAssignableFrom(c)) return "[]string";
        if (c == io.fabric8.kubernetes.api.model.IntOrString.class) return "intstr.IntOrString";
        if (c == io.fabric8.kubernetes.api.model.Quantity.class) return "resource.Quantity";
        return "v1." + c.getSimpleName();
    }

    static String firstLine(Exception e) {
        String m = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        int i = m.indexOf('\n');
        return i < 0 ? m : m.substring(0, i);
    }

    /** {@code obj.metadata}, created when absent. */
    public static ObjectNode meta(ObjectNode obj) {
        JsonNode m = obj.get("metadata");
        if (m instanceof ObjectNode o) return o;
        return obj.putObject("metadata");
    }

    public static String text(JsonNode n, String field) {
        if (n == null) return "";
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
