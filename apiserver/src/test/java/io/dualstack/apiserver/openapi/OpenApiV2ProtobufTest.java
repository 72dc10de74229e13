package io.dualstack.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dualstack.apiserver.http.OpenApiEndpoint;
import io.dualstack.apiserver.http.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decodes the bytes of {@link OpenApiV2Protobuf} with a small independent protobuf reader and
 * checks them against gnostic's {@code openapiv2/OpenAPIv2.proto} field numbers — the fields
 * client-go and kubectl read: definitions with their GVK and patch extensions, and each PATCH
 * operation's GVK and {@code fieldValidation} query parameter.
 */
class OpenApiV2ProtobufTest {
    static final OpenApi API = OpenApi.served();
    static final Msg DOC = Msg.parse(OpenApiV2Protobuf.encode(API.v2()));
    static final YAMLMapper YAML = new YAMLMapper();

    /** A decoded message: field number → values (Long for varint, Double bits as Long for fixed64, byte[] otherwise). */
    record Msg(Map<Integer, List<Object>> fields) {
        static Msg parse(byte[] b) {
            Map<Integer, List<Object>> f = new LinkedHashMap<>();
            ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            while (in.hasRemaining()) {
                long key = varint(in);
                int field = (int) (key >>> 3);
                Object v = switch ((int) (key & 7)) {
                    case 0 -> varint(in);
                    case 1 -> in.getLong();
                    case 2 -> {
                        byte[] data = new byte[(int) varint(in)];
                        in.get(data);
                        yield data;
                    }
                    default -> throw new IllegalArgumentException("unexpected wire type in field " + field);
                };
                f.computeIfAbsent(field, k -> new ArrayList<>()).add(v);
            }
            return new Msg(f);
        }

        private static long varint(ByteBuffer in) {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = in.get();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
        }

        List<Object> all(int field) {
            return fields.getOrDefault(field, List.of());
        }

        Msg msg(int field) {
            List<Object> v = all(field);
            return v.isEmpty() ? new Msg(Map.of()) : parse((byte[]) v.get(v.size() - 1));
        }

        List<Msg> msgs(int field) {
            return all(field).stream().map(o -> parse((byte[]) o)).toList();
        }

        String str(int field) {
            List<Object> v = all(field);
            return v.isEmpty() ? "" : new String((byte[]) v.get(v.size() - 1), StandardCharsets.UTF_8);
        }

        List<String> strs(int field) {
            return all(field).stream().map(o -> new String((byte[]) o, StandardCharsets.UTF_8)).toList();
        }

        long num(int field) {
            List<Object> v = all(field);
            return v.isEmpty() ? 0 : (Long) v.get(v.size() - 1);
        }

        /** A repeated Named* pair (name = 1, value = 2) by name. */
        Optional<Msg> named(int field, String name) {
            return msgs(field).stream().filter(m -> m.str(1).equals(name)).map(m -> m.msg(2)).findFirst();
        }

        /** A vendor extension's {@code Any.yaml} (field 2), parsed as YAML. */
        JsonNode extension(int field, String name) throws Exception {
            Msg any = named(field, name).orElseThrow(() -> new AssertionError("no vendor extension " + name));
            return YAML.readTree(any.str(2));
        }
    }

    static Msg definition(String name) {
        return DOC.msg(9).named(1, name).orElseThrow(() -> new AssertionError("no definition " + name));
    }

    static Msg path(String p) {
        return DOC.msg(8).named(2, p).orElseThrow(() -> new AssertionError("no path " + p));
    }

    @Test
    void documentHeaderIsSwagger2WithKubernetesInfo() {
        assertThat(DOC.str(1)).isEqualTo("2.0");
        assertThat(DOC.msg(2).str(1)).isEqualTo("Kubernetes");
        assertThat(DOC.msg(2).str(2)).isEqualTo(OpenApi.KUBERNETES_VERSION);
    }

    @Test
    void everyJsonPathAndDefinitionIsInTheProtobufInOrder() {
        List<String> jsonPaths = new ArrayList<>();
        API.v2().get("paths").fieldNames().forEachRemaining(jsonPaths::add);
        List<String> jsonDefs = new ArrayList<>();
        API.v2().get("definitions").fieldNames().forEachRemaining(jsonDefs::add);
        assertThat(DOC.msg(8).msgs(2).stream().map(m -> m.str(1)).toList()).isEqualTo(jsonPaths);
        assertThat(DOC.msg(9).msgs(1).stream().map(m -> m.str(1)).toList()).isEqualTo(jsonDefs);
    }

    static Stream<Arguments> patchOperations() {
        return Stream.of(
                Arguments.of("core ConfigMap", "/api/v1/namespaces/{namespace}/configmaps/{name}", "", "v1", "ConfigMap"),
                Arguments.of("core Service", "/api/v1/namespaces/{namespace}/services/{name}", "", "v1", "Service"),
                Arguments.of("apps Deployment", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "apps", "v1", "Deployment"),
                Arguments.of("cluster-scoped Namespace (kubectl's CRD probe)", "/api/v1/namespaces/{name}", "", "v1", "Namespace"));
    }

    /** What client-go's v2 QueryParamVerifier reads: PathItem.patch → vendor GVK and a query parameter named fieldValidation. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("patchOperations")
    void patchOperationCarriesGvkAndFieldValidation(String name, String p, String group, String version, String kind) throws Exception {
        Msg patch = path(p).msg(8);
        JsonNode gvk = patch.extension(13, "x-kubernetes-group-version-kind");
        assertThat(gvk.path("group").asText()).isEqualTo(group);
        assertThat(gvk.path("version").asText()).isEqualTo(version);
        assertThat(gvk.path("kind").asText()).isEqualTo(kind);
        List<String> queryParams = patch.msgs(8).stream()
                .map(item -> item.msg(1).msg(2).msg(3).str(4)) // ParametersItem.parameter → NonBodyParameter → query → name
                .filter(s -> !s.isEmpty()).toList();
        assertThat(queryParams).contains("fieldValidation", "dryRun", "fieldManager", "force");
        Msg body = patch.msgs(8).get(0).msg(1).msg(1); // ParametersItem.parameter → body_parameter
        assertThat(body.str(2)).isEqualTo("body");
        assertThat(body.str(3)).isEqualTo("body");
        assertThat(body.num(4)).as("required").isEqualTo(1);
        assertThat(body.msg(5).str(1)).isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
        Msg ok = patch.msg(9).named(1, "200").orElseThrow().msg(1); // Responses → ResponseValue.response
        assertThat(ok.str(1)).isEqualTo("OK");
        assertThat(ok.msg(2).msg(1).str(1)).startsWith("#/definitions/"); // SchemaItem.schema._ref
        assertThat(patch.strs(7)).contains("application/strategic-merge-patch+json");
        assertThat(patch.str(5)).startsWith("patch");
    }

    @Test
    void pathParametersAreNonBodyPathSubSchemas() {
        Msg name = path("/api/v1/namespaces/{namespace}/configmaps/{name}").msgs(9).get(0).msg(1).msg(2).msg(4);
        assertThat(name.str(4)).isEqualTo("name");
        assertThat(name.str(2)).isEqualTo("path");
        assertThat(name.num(1)).as("required").isEqualTo(1);
        assertThat(name.str(5)).as("type (field 5 in PathParameterSubSchema)").isEqualTo("string");
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("ConfigMap", "io.k8s.api.core.v1.ConfigMap", "", "v1", "ConfigMap"),
                Arguments.of("ConfigMapList", "io.k8s.api.core.v1.ConfigMapList", "", "v1", "ConfigMapList"),
                Arguments.of("Deployment", "io.k8s.api.apps.v1.Deployment", "apps", "v1", "Deployment"));
    }

    /** kubectl's openapi.Resources.LookupResource finds a model by its x-kubernetes-group-version-kind list. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void definitionsCarryTheirGvkList(String name, String def, String group, String version, String kind) throws Exception {
        Msg d = definition(def);
        assertThat(d.msg(22).strs(1)).containsExactly("object");
        JsonNode gvks = d.extension(31, "x-kubernetes-group-version-kind");
        assertThat(gvks.isArray()).isTrue();
        assertThat(gvks.get(0).path("group").asText()).isEqualTo(group);
        assertThat(gvks.get(0).path("version").asText()).isEqualTo(version);
        assertThat(gvks.get(0).path("kind").asText()).isEqualTo(kind);
    }

    @Test
    void mapAndArrayAndReferenceShapes() {
        Msg configMap = definition("io.k8s.api.core.v1.ConfigMap");
        Msg data = configMap.msg(25).named(1, "data").orElseThrow();
        assertThat(data.msg(22).strs(1)).containsExactly("object");
        assertThat(data.msg(21).msg(1).msg(22).strs(1)).as("additionalProperties.schema.type").containsExactly("string");
        assertThat(configMap.msg(25).named(1, "metadata").orElseThrow().str(1))
                .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        Msg items = definition("io.k8s.api.core.v1.ConfigMapList").msg(25).named(1, "items").orElseThrow();
        assertThat(items.msg(22).strs(1)).containsExactly("array");
        assertThat(items.msg(23).msgs(1)).hasSize(1);
        assertThat(items.msg(23).msgs(1).get(0).str(1)).isEqualTo("#/definitions/io.k8s.api.core.v1.ConfigMap");
        assertThat(definition("io.k8s.api.core.v1.ConfigMapList").strs(19)).containsExactly("items");
    }

    static Stream<Arguments> patchMeta() {
        return Stream.of(
                Arguments.of("PodSpec.containers merge by name", "io.k8s.api.core.v1.PodSpec", "containers", "merge", "name"),
                Arguments.of("ServiceSpec.ports merge by port", "io.k8s.api.core.v1.ServiceSpec", "ports", "merge", "port"));
    }

    /** kubectl apply's strategic merge patch reads these from the v2 models when it uses them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("patchMeta")
    void patchStrategyAndMergeKeyAreVendorExtensions(String name, String def, String prop, String strategy, String key) throws Exception {
        Msg p = definition(def).msg(25).named(1, prop).orElseThrow();
        assertThat(p.extension(31, "x-kubernetes-patch-strategy").asText()).isEqualTo(strategy);
        assertThat(p.extension(31, "x-kubernetes-patch-merge-key").asText()).isEqualTo(key);
    }

    @Test
    void scalarWireTypesFollowTheProto() throws Exception {
        JsonNode doc = new ObjectMapper().readTree("""
                {"swagger":"2.0","definitions":{"X":{"type":"integer","minimum":1.5,"maxLength":300,
                 "uniqueItems":true,"enum":["a",2],"additionalProperties":false,"x-flag":true,
                 "description":"%s"}}}""".formatted("d".repeat(200)));
        Msg x = Msg.parse(OpenApiV2Protobuf.encode(doc)).msg(9).named(1, "X").orElseThrow();
        assertThat(Double.longBitsToDouble(x.num(9))).as("minimum: fixed64 double").isEqualTo(1.5);
        assertThat(x.num(11)).as("maxLength: varint over one byte").isEqualTo(300);
        assertThat(x.num(16)).as("uniqueItems").isEqualTo(1);
        assertThat(x.msgs(20).stream().map(m -> m.str(2)).toList()).as("enum as Any.yaml").containsExactly("\"a\"", "2");
        assertThat(x.msg(21).num(2)).as("additionalProperties: false is the boolean arm").isZero();
        assertThat(x.msg(21).all(2)).hasSize(1);
        assertThat(x.str(4)).as("a string longer than 127 bytes").hasSize(200);
        assertThat(x.extension(31, "x-flag").asBoolean()).isTrue();
    }

    static Stream<Arguments> accepts() {
        return Stream.of(
                Arguments.of("client-go OpenAPISchema() Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true),
                Arguments.of("the RFC-legal dotted spelling", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", true),
                Arguments.of("protobuf with a q parameter before json", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.9, application/json", true),
                Arguments.of("json", "application/json", false),
                Arguments.of("json before protobuf", "application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", false),
                Arguments.of("wildcard", "*/*", false),
                Arguments.of("no Accept header", "", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepts")
    void endpointNegotiatesTheEncoding(String name, String accept, boolean protobuf) {
        Reply r = new OpenApiEndpoint(() -> API).get("/openapi/v2", accept, Map.of()).orElseThrow();
        assertThat(r.status()).isEqualTo(200);
        if (protobuf) {
            // kube-openapi answers the dotted type: Go's mime.ParseMediaType rejects '@'.
            assertThat(r.contentType()).isEqualTo("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
            assertThat(Msg.parse(r.body()).str(1)).isEqualTo("2.0");
        } else {
            assertThat(r.contentType()).isEqualTo("application/json");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).startsWith("{\"swagger\":\"2.0\"");
        }
    }
}
