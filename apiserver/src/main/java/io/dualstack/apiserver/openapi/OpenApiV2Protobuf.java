package io.dualstack.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Transcodes the Swagger 2.0 document ({@link OpenApi#v2()}) to gnostic's {@code openapi.v2.Document}
 * protobuf — what {@code GET /openapi/v2} answers to
 * {@code Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf}
 * (answered with Content-Type {@link #MEDIA_TYPE}) (client-go's
 * {@code OpenAPISchema()}, which kubectl uses for client-side validation of a {@code kind: List} and
 * for its v2 fallback when a kind is absent from {@code /openapi/v3}).
 *
 * <p>Field numbers follow gnostic's {@code openapiv2/OpenAPIv2.proto}. Objects of string keys become
 * the repeated {@code Named*} pairs in document order; {@code x-*} keys become
 * {@code NamedAny{name, Any{yaml}}} whose yaml is the value's JSON text (JSON is YAML). Keys the
 * generator never emits (xml, externalDocs, security, response headers/examples) are skipped.
 * Pure: bytes in, bytes out.
 */
public final class OpenApiV2Protobuf {
    /** The media type client-go asks for (its {@code @} is not a valid MIME token character). */
    public static final String MEDIA_TYPE_REQUESTED = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    /**
     * The RFC-legal spelling: accepted too, and the Content-Type of every protobuf answer, as
     * kube-openapi's handler does — client-go parses the response Content-Type with Go's
     * {@code mime.ParseMediaType}, which rejects the {@code @} form ("unexpected content after media subtype").
     */
    public static final String MEDIA_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenApiV2Protobuf() {
    }

    /**
     * Whether an Accept header asks for the protobuf encoding (either spelling) before any JSON type
     * ({@code application/json}, {@code application/*}, {@code * / *}); false means answer JSON.
     */
    public static boolean wantsProtobuf(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String type = range.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (type.equals(MEDIA_TYPE) || type.equals(MEDIA_TYPE_REQUESTED)) {
                return true;
            }
            if (type.equals("application/json") || type.equals("application/*") || type.equals("*/*")) {
                return false;
            }
        }
        return false;
    }

    /** Encodes a Swagger 2.0 JSON document as {@code openapi.v2.Document}. */
    public static byte[] encode(JsonNode doc) {
        return document(doc).toByteArray();
    }

    // ------------------------------------------------------------------ Document and friends

    private static ProtoWriter document(JsonNode d) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : d.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "swagger" -> w.string(1, v.asText());
                case "info" -> w.message(2, info(v));
                case "host" -> w.string(3, v.asText());
                case "basePath" -> w.string(4, v.asText());
                case "schemes" -> strings(w, 5, v);
                case "consumes" -> strings(w, 6, v);
                case "produces" -> strings(w, 7, v);
                case "paths" -> w.message(8, paths(v));
                case "definitions" -> w.message(9, named(v, 1, OpenApiV2Protobuf::schema));
                default -> vendor(w, 16, e.getKey(), v);
            }
        }
        return w;
    }

    private static ProtoWriter info(JsonNode n) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            switch (e.getKey()) {
                case "title" -> w.string(1, e.getValue().asText());
                case "version" -> w.string(2, e.getValue().asText());
                case "description" -> w.string(3, e.getValue().asText());
                case "termsOfService" -> w.string(4, e.getValue().asText());
                default -> vendor(w, 7, e.getKey(), e.getValue());
            }
        }
        return w;
    }

    private static ProtoWriter paths(JsonNode n) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (e.getKey().startsWith("x-")) {
                vendor(w, 1, e.getKey(), e.getValue());
            } else {
                w.message(2, new ProtoWriter().string(1, e.getKey()).message(2, pathItem(e.getValue())));
            }
        }
        return w;
    }

    private static ProtoWriter pathItem(JsonNode n) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "$ref" -> w.string(1, v.asText());
                case "get" -> w.message(2, operation(v));
                case "put" -> w.message(3, operation(v));
                case "post" -> w.message(4, operation(v));
                case "delete" -> w.message(5, operation(v));
                case "options" -> w.message(6, operation(v));
                case "head" -> w.message(7, operation(v));
                case "patch" -> w.message(8, operation(v));
                case "parameters" -> v.forEach(p -> w.message(9, parametersItem(p)));
                default -> vendor(w, 10, e.getKey(), v);
            }
        }
        return w;
    }

    private static ProtoWriter operation(JsonNode n) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "tags" -> strings(w, 1, v);
                case "summary" -> w.string(2, v.asText());
                case "description" -> w.string(3, v.asText());
                case "operationId" -> w.string(5, v.asText());
                case "produces" -> strings(w, 6, v);
                case "consumes" -> strings(w, 7, v);
                case "parameters" -> v.forEach(p -> w.message(8, parametersItem(p)));
                case "responses" -> w.message(9, responses(v));
                case "schemes" -> strings(w, 10, v);
                case "deprecated" -> w.bool(11, v.asBoolean());
                default -> vendor(w, 13, e.getKey(), v);
            }
        }
        return w;
    }

    /** ParametersItem: oneof parameter = 1 | json_reference = 2. */
    private static ProtoWriter parametersItem(JsonNode p) {
        if (p.has("$ref")) {
            return new ProtoWriter().message(2, jsonReference(p));
        }
        return new ProtoWriter().message(1, parameter(p));
    }

    private static ProtoWriter jsonReference(JsonNode p) {
        ProtoWriter r = new ProtoWriter().string(1, p.get("$ref").asText());
        if (p.has("description")) {
            r.string(2, p.get("description").asText());
        }
        return r;
    }

    /** Parameter: oneof body_parameter = 1 | non_body_parameter = 2 (header 1, formData 2, query 3, path 4). */
    private static ProtoWriter parameter(JsonNode p) {
        String in = p.path("in").asText();
        if (in.equals("body")) {
            ProtoWriter b = new ProtoWriter();
            for (Map.Entry<String, JsonNode> e : p.properties()) {
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "description" -> b.string(1, v.asText());
                    case "name" -> b.string(2, v.asText());
                    case "in" -> b.string(3, v.asText());
                    case "required" -> b.bool(4, v.asBoolean());
                    case "schema" -> b.message(5, schema(v));
                    default -> vendor(b, 6, e.getKey(), v);
                }
            }
            return new ProtoWriter().message(1, b);
        }
        int choice = switch (in) {
            case "header" -> 1;
            case "formData" -> 2;
            case "path" -> 4;
            default -> 3;
        };
        List<String> layout = choice == 2 || choice == 3 ? QUERY_LAYOUT : PATH_LAYOUT;
        return new ProtoWriter().message(2, new ProtoWriter().message(choice, laidOut(p, layout)));
    }

    /** QueryParameterSubSchema / FormDataParameterSubSchema: field number = position + 1, then vendor extensions. */
    private static final List<String> QUERY_LAYOUT = List.of("required", "in", "description", "name", "allowEmptyValue",
            "type", "format", "items", "collectionFormat", "default", "maximum", "exclusiveMaximum", "minimum",
            "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "enum", "multipleOf");
    /** PathParameterSubSchema / HeaderParameterSubSchema: as query without allowEmptyValue. */
    private static final List<String> PATH_LAYOUT = QUERY_LAYOUT.stream().filter(k -> !k.equals("allowEmptyValue")).toList();
    /** PrimitivesItems. */
    private static final List<String> ITEMS_LAYOUT = List.of("type", "format", "items", "collectionFormat", "default",
            "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems",
            "minItems", "uniqueItems", "enum", "multipleOf");

    private static ProtoWriter laidOut(JsonNode n, List<String> layout) {
        ProtoWriter w = new ProtoWriter();
        int vendorField = layout.size() + 1;
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            int f = layout.indexOf(k) + 1;
            if (f == 0) {
                vendor(w, vendorField, k, v);
                continue;
            }
            switch (k) {
                case "items" -> w.message(f, laidOut(v, ITEMS_LAYOUT));
                case "default" -> w.message(f, any(v));
                case "enum" -> v.forEach(x -> w.message(f, any(x)));
                default -> scalar(w, f, k, v);
            }
        }
        return w;
    }

    private static ProtoWriter responses(JsonNode n) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (e.getKey().startsWith("x-")) {
                vendor(w, 2, e.getKey(), e.getValue());
                continue;
            }
            JsonNode r = e.getValue();
            ProtoWriter value;
            if (r.has("$ref")) {
                value = new ProtoWriter().message(2, jsonReference(r));
            } else {
                ProtoWriter resp = new ProtoWriter();
                for (Map.Entry<String, JsonNode> f : r.properties()) {
                    switch (f.getKey()) {
                        case "description" -> resp.string(1, f.getValue().asText());
                        case "schema" -> resp.message(2, new ProtoWriter().message(1, schema(f.getValue())));
                        default -> vendor(resp, 5, f.getKey(), f.getValue());
                    }
                }
                value = new ProtoWriter().message(1, resp);
            }
            w.message(1, new ProtoWriter().string(1, e.getKey()).message(2, value));
        }
        return w;
    }

    // ------------------------------------------------------------------ Schema

    private static ProtoWriter schema(JsonNode n) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "$ref" -> w.string(1, v.asText());
                case "format" -> w.string(2, v.asText());
                case "title" -> w.string(3, v.asText());
                case "description" -> w.string(4, v.asText());
                case "default" -> w.message(5, any(v));
                case "multipleOf" -> w.float64(6, v.asDouble());
                case "maximum" -> w.float64(7, v.asDouble());
                case "exclusiveMaximum" -> w.bool(8, v.asBoolean());
                case "minimum" -> w.float64(9, v.asDouble());
                case "exclusiveMinimum" -> w.bool(10, v.asBoolean());
                case "maxLength" -> w.int64(11, v.asLong());
                case "minLength" -> w.int64(12, v.asLong());
                case "pattern" -> w.string(13, v.asText());
                case "maxItems" -> w.int64(14, v.asLong());
                case "minItems" -> w.int64(15, v.asLong());
                case "uniqueItems" -> w.bool(16, v.asBoolean());
                case "maxProperties" -> w.int64(17, v.asLong());
                case "minProperties" -> w.int64(18, v.asLong());
                case "required" -> strings(w, 19, v);
                case "enum" -> v.forEach(x -> w.message(20, any(x)));
                case "additionalProperties" -> w.message(21, v.isBoolean()
                        ? new ProtoWriter().bool(2, v.asBoolean())
                        : new ProtoWriter().message(1, schema(v)));
                case "type" -> {
                    ProtoWriter t = new ProtoWriter();
                    if (v.isArray()) {
                        strings(t, 1, v);
                    } else {
                        t.string(1, v.asText());
                    }
                    w.message(22, t);
                }
                case "items" -> {
                    ProtoWriter items = new ProtoWriter();
                    if (v.isArray()) {
                        v.forEach(s -> items.message(1, schema(s)));
                    } else {
                        items.message(1, schema(v));
                    }
                    w.message(23, items);
                }
                case "allOf" -> v.forEach(s -> w.message(24, schema(s)));
                case "properties" -> w.message(25, named(v, 1, OpenApiV2Protobuf::schema));
                case "discriminator" -> w.string(26, v.asText());
                case "readOnly" -> w.bool(27, v.asBoolean());
                case "example" -> w.message(30, any(v));
                default -> vendor(w, 31, k, v);
            }
        }
        return w;
    }

    // ------------------------------------------------------------------ helpers

    /** A JSON object as repeated {@code Named*{name = 1, value = 2}} pairs in {@code field}. */
    private static ProtoWriter named(JsonNode obj, int field, java.util.function.Function<JsonNode, ProtoWriter> value) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            w.message(field, new ProtoWriter().string(1, e.getKey()).message(2, value.apply(e.getValue())));
        }
        return w;
    }

    /** {@code x-*} keys as {@code NamedAny}; any other unknown key is dropped (gnostic rejects them too). */
    private static void vendor(ProtoWriter w, int field, String key, JsonNode v) {
        if (key.startsWith("x-")) {
            w.message(field, new ProtoWriter().string(1, key).message(2, any(v)));
        }
    }

    /** gnostic {@code Any{yaml = 2}}: the value's JSON text, which YAML parsers read as the same value. */
    private static ProtoWriter any(JsonNode v) {
        try {
            return new ProtoWriter().string(2, JSON.writeValueAsString(v));
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialize OpenAPI value", e);
        }
    }

    private static void strings(ProtoWriter w, int field, JsonNode v) {
        if (v.isArray()) {
            v.forEach(s -> w.string(field, s.asText()));
        } else {
            w.string(field, v.asText());
        }
    }

    private static void scalar(ProtoWriter w, int field, String key, JsonNode v) {
        switch (key) {
            case "required", "allowEmptyValue", "exclusiveMaximum", "exclusiveMinimum", "uniqueItems" -> w.bool(field, v.asBoolean());
            case "maximum", "minimum", "multipleOf" -> w.float64(field, v.asDouble());
            case "maxLength", "minLength", "maxItems", "minItems" -> w.int64(field, v.asLong());
            default -> w.string(field, v.asText());
        }
    }
}
