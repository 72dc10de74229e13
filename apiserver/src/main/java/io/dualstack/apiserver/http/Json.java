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

    public static <T> T convert(JsonNode n, Class<T> cls) {
        try {
            return MAPPER.treeToValue(n, cls);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw ApiException.badRequest("decoding error: " + firstLine(e));
        }
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
