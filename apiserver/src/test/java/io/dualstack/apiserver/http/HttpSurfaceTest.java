package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP surface: authentication, Status errors, content negotiation, watch streaming, both loopbacks. */
class HttpSurfaceTest {
    static TestApiServer api;
    static RawHttp http;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void up() {
        api = TestApiServer.start();
        http = RawHttp.of(api);
    }

    @AfterAll
    static void down() {
        api.close();
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    @ParameterizedTest(name = "{0} answers without a token")
    @ValueSource(strings = {"/healthz", "/livez", "/readyz", "/version"})
    void healthAndVersionNeedNoToken(String path) {
        assertThat(http.get(path, null, false).code()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} without a token is a 401 Status")
    @ValueSource(strings = {"/api", "/apis", "/api/v1/namespaces", "/openapi/v3"})
    void everythingElseNeedsTheToken(String path) {
        RawHttp.Response r = http.get(path, "application/json", false);
        assertThat(r.code()).isEqualTo(401);
        JsonNode st = json(r.body());
        assertThat(st.path("kind").asText()).isEqualTo("Status");
        assertThat(st.path("reason").asText()).isEqualTo("Unauthorized");
    }

    @Test
    void servesOnIpv6LoopbackToo() {
        RawHttp.Response r = RawHttp.of(api, api.urlIpv6()).get("/api/v1/namespaces/default", "application/json", true);
        assertThat(r.code()).isEqualTo(200);
        assertThat(json(r.body()).path("metadata").path("name").asText()).isEqualTo("default");
    }

    @Test
    void keyAndTokenFilesAreOwnerOnly() throws Exception {
        for (String f : List.of("token", "ca.key", "apiserver.key")) {
            assertThat(Files.getPosixFilePermissions(api.stateDir().resolve(f)))
                    .as(f).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
    }

    static Stream<Arguments> errors() {
        String cms = "/api/v1/namespaces/default/configmaps";
        return Stream.of(
                Arguments.of("malformed JSON body is BadRequest", "POST", cms, "application/json", "{\"metadata\": {", 400, "BadRequest"),
                Arguments.of("malformed YAML body is BadRequest", "POST", cms, "application/yaml", "metadata: [unclosed", 400, "BadRequest"),
                Arguments.of("wrong kind in body is BadRequest", "POST", cms, "application/json", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}", 400, "BadRequest"),
                Arguments.of("unknown resource path is NotFound", "GET", "/api/v1/frobs", null, null, 404, "NotFound"),
                Arguments.of("unknown non-API path is NotFound", "GET", "/nope", null, null, 404, "NotFound"),
                Arguments.of("missing object is NotFound", "GET", cms + "/missing", null, null, 404, "NotFound"),
                Arguments.of("unsupported patch type is UnsupportedMediaType", "PATCH", "/api/v1/namespaces/default", "text/plain", "x", 415, "UnsupportedMediaType"),
                Arguments.of("malformed protobuf envelope is UnsupportedMediaType", "POST", cms, "application/vnd.kubernetes.protobuf", "k8s", 415, "UnsupportedMediaType"),
                Arguments.of("strict decoding of an unknown field", "POST", cms + "?fieldValidation=Strict", "application/json",
                        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"foo\":1}}", 400, "BadRequest"),
                Arguments.of("bad label selector is BadRequest", "GET", cms + "?labelSelector=a%20in%20", null, null, 400, "BadRequest"),
                Arguments.of("invalid name is Invalid", "POST", cms, "application/json", "{\"metadata\":{\"name\":\"UPPER\"}}", 422, "Invalid"),
                Arguments.of("create of a namespaced object without namespace path is MethodNotAllowed", "POST", "/api/v1/configmaps", "application/json", "{\"metadata\":{\"name\":\"x\"}}", 405, "MethodNotAllowed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errorsAreStatusObjects(String name, String method, String path, String contentType, String body, int code, String reason) {
        RawHttp.Response r = http.send(method, path, contentType, body, true);
        assertThat(r.code()).as(r.body()).isEqualTo(code);
        JsonNode st = json(r.body());
        assertThat(st.path("kind").asText()).isEqualTo("Status");
        assertThat(st.path("reason").asText()).isEqualTo(reason);
        assertThat(st.path("code").asInt()).isEqualTo(code);
    }

    @Test
    void strictMessageNamesTheFieldPath() {
        RawHttp.Response r = http.send("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", "application/json",
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
                        + "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"foo\":1}]}}}}", true);
        assertThat(json(r.body()).path("message").asText()).isEqualTo("Deployment in version \"v1\" cannot be handled as a Deployment: "
                + "strict decoding error: unknown field \"spec.template.spec.containers[0].foo\"");
    }

    @Test
    void warnModeCreatesAndSendsAWarningHeader() {
        RawHttp.Response r = http.send("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"warned\"},\"bogus\":true}", true);
        assertThat(r.code()).isEqualTo(201);
        assertThat(r.headers().get("warning")).containsExactly("299 - \"unknown field \\\"bogus\\\"\"");
        http.send("DELETE", "/api/v1/namespaces/default/configmaps/warned", null, null, true);
    }

    @Test
    void tablesHonourIncludeObject() {
        String accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
        JsonNode meta = json(http.get("/api/v1/namespaces", accept, true).body());
        assertThat(meta.path("kind").asText()).isEqualTo("Table");
        assertThat(meta.path("columnDefinitions").get(0).path("name").asText()).isEqualTo("Name");
        assertThat(meta.path("rows").get(0).path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
        JsonNode none = json(http.get("/api/v1/namespaces?includeObject=None", accept, true).body());
        assertThat(none.path("rows").get(0).has("object")).isFalse();
        JsonNode full = json(http.get("/api/v1/namespaces?includeObject=Object", accept, true).body());
        assertThat(full.path("rows").get(0).path("object").path("kind").asText()).isEqualTo("Namespace");
    }

    @Test
    void watchStreamsJsonLinesAndEndsAtTimeoutWithABookmark() throws Exception {
        String rv = json(http.get("/api/v1/namespaces/default/configmaps", "application/json", true).body()).path("metadata").path("resourceVersion").asText();
        http.send("POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"metadata\":{\"name\":\"streamed\"}}", true);
        List<JsonNode> events = new ArrayList<>();
        try (InputStream in = http.stream("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&timeoutSeconds=2&resourceVersion=" + rv)) {
            BufferedReader rd = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = rd.readLine()) != null) events.add(json(line));
        }
        assertThat(events).extracting(e -> e.path("type").asText()).containsExactly("ADDED", "BOOKMARK");
        assertThat(events.get(0).path("object").path("metadata").path("name").asText()).isEqualTo("streamed");
        http.send("DELETE", "/api/v1/namespaces/default/configmaps/streamed", null, null, true);
    }

    @Test
    void fieldSelectorWatchOnOneNameSeesOnlyThatObject() throws Exception {
        http.send("POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"metadata\":{\"name\":\"one\"}}", true);
        http.send("POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"metadata\":{\"name\":\"two\"}}", true);
        List<String> names = new ArrayList<>();
        try (InputStream in = http.stream("/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dtwo")) {
            BufferedReader rd = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = rd.readLine()) != null) names.add(json(line).path("object").path("metadata").path("name").asText());
        }
        assertThat(names).containsExactly("two");
        http.send("DELETE", "/api/v1/namespaces/default/configmaps/one", null, null, true);
        http.send("DELETE", "/api/v1/namespaces/default/configmaps/two", null, null, true);
    }

    @Test
    void discoveryIsAggregatedWhenAsked() {
        RawHttp.Response r = http.get("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json", true);
        assertThat(r.headers().get("content-type").get(0)).contains("as=APIGroupDiscoveryList");
        assertThat(json(http.get("/openapi/v3", "application/json", true).body()).path("paths").has("apis/apps/v1")).isTrue();
    }
}
