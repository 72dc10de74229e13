package io.dualstack.apiserver.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parity with upstream found by QA with kubectl 1.32: objects kubectl sends as protobuf, JSON / merge
 * patch errors, Service status, and the kubernetes Service's Endpoints / EndpointSlice.
 */
class ApiParityTest {
    static TestApiServer api;
    static Kubectl k;
    static RawHttp http;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Kubectl.available(), "kubectl not installed at /usr/bin/kubectl");
        api = TestApiServer.start();
        k = new Kubectl(api.kubeconfigPath());
        http = RawHttp.of(api);
        for (String[] create : new String[][] {
                {"create", "configmap", "cmx", "--from-literal=a=b"},
                {"create", "service", "clusterip", "p3", "--tcp=80"},
                {"create", "deployment", "d2", "--image=nginx"}}) {
            Kubectl.Result r = k.run(create);
            assertThat(r.exit()).as(r.all()).isZero();
        }
        Kubectl.Result r = k.runWithInput(JSON_DEPLOYMENT, "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
    }

    static final String JSON_DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: dj, labels: {app: dj}}
            spec:
              replicas: 1
              selector: {matchLabels: {app: dj}}
              template:
                metadata: {labels: {app: dj}}
                spec:
                  terminationGracePeriodSeconds: 30
                  containers: [{name: c, image: nginx}]
            """;

    @AfterAll
    static void down() {
        if (k != null) k.run("delete", "configmap/cmx", "service/p3", "deployment/d2", "deployment/dj", "--wait=false");
        if (api != null) api.close();
    }

    static JsonNode get(String path) {
        RawHttp.Response r = http.get(path, "application/json", true);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return parse(r.body());
    }

    static JsonNode parse(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------ 1. protobuf bodies decode like their JSON

    static Stream<Arguments> protobufFields() {
        String cm = "/api/v1/namespaces/default/configmaps/cmx";
        String svc = "/api/v1/namespaces/default/services/p3";
        String dep = "/apis/apps/v1/namespaces/default/deployments/d2";
        return Stream.of(
                Arguments.of("ObjectMeta.generateName is omitempty", cm, "/metadata", "generateName", false),
                Arguments.of("ConfigMap data survives", cm, "/data", "a", true),
                Arguments.of("ServicePort.nodePort is omitempty (ClusterIP has none)", svc, "/spec/ports/0", "nodePort", false),
                Arguments.of("ServicePort.port is not omitempty", svc, "/spec/ports/0", "port", true),
                Arguments.of("ServicePort.targetPort kept", svc, "/spec/ports/0", "targetPort", true),
                Arguments.of("Service metadata.generateName omitempty", svc, "/metadata", "generateName", false),
                Arguments.of("pod template ObjectMeta.name omitempty", dep, "/spec/template/metadata", "name", false),
                Arguments.of("pod template ObjectMeta.uid omitempty", dep, "/spec/template/metadata", "uid", false),
                Arguments.of("pod template ObjectMeta.generation omitempty", dep, "/spec/template/metadata", "generation", false),
                Arguments.of("pod template ObjectMeta.resourceVersion omitempty", dep, "/spec/template/metadata", "resourceVersion", false),
                Arguments.of("pod template labels kept", dep, "/spec/template/metadata", "labels", true),
                Arguments.of("Container.name is not omitempty", dep, "/spec/template/spec/containers/0", "name", true),
                Arguments.of("DeploymentSpec.replicas is a pointer: kept", dep, "/spec", "replicas", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protobufFields")
    void protobufCreatedObjectsHaveTheJsonShape(String name, String path, String pointer, String field, boolean present) {
        JsonNode parent = get(path).at(pointer);
        assertThat(parent.isObject()).as(pointer).isTrue();
        assertThat(parent.has(field)).as(pointer + "/" + field + " in " + parent).isEqualTo(present);
    }

    @ParameterizedTest(name = "no-op patch/label keeps resourceVersion: {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"d2", "dj"})
    void noOpPatchAndLabelKeepTheResourceVersion(String name) {
        String path = "/apis/apps/v1/namespaces/default/deployments/" + name;
        String rv = get(path).at("/metadata/resourceVersion").asText();
        Kubectl.Result patch = k.run("patch", "deployment", name, "-p", "{\"spec\":{\"replicas\":1}}");
        assertThat(patch.all()).contains("deployment.apps/" + name + " patched (no change)");
        Kubectl.Result label = k.run("label", "deployment", name, "app=" + name, "--overwrite");
        assertThat(label.exit()).as(label.all()).isZero();
        Kubectl.Result merge = k.run("patch", "deployment", name, "--type=merge", "-p", "{\"metadata\":{\"labels\":{\"app\":\"" + name + "\"}}}");
        assertThat(merge.all()).contains("deployment.apps/" + name + " patched (no change)");
        assertThat(get(path).at("/metadata/resourceVersion").asText()).isEqualTo(rv);
        Kubectl.Result real = k.run("patch", "deployment", name, "-p", "{\"spec\":{\"replicas\":2}}");
        assertThat(real.all()).contains("deployment.apps/" + name + " patched").doesNotContain("no change");
        assertThat(get(path).at("/metadata/resourceVersion").asText()).isNotEqualTo(rv);
        k.run("patch", "deployment", name, "-p", "{\"spec\":{\"replicas\":1}}");
    }

    // ------------------------------------------------------------ 2. JSON / merge patch errors

    static Stream<Arguments> patchErrors() {
        String gen = "the server rejected our request due to an error in our request";
        return Stream.of(
                Arguments.of("json patch remove of a missing path: 422 Invalid with the generic message (patch.go)",
                        "application/json-patch+json", "[{\"op\":\"remove\",\"path\":\"/spec/nonexistent\"}]", 422, "Invalid", gen),
                Arguments.of("json patch failing test op: 422 Invalid",
                        "application/json-patch+json", "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":7}]", 422, "Invalid", gen),
                Arguments.of("json patch replace of a missing path: 422 Invalid",
                        "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/spec/nope/x\",\"value\":1}]", 422, "Invalid", gen),
                Arguments.of("json patch that is not an array fails DecodePatch: 400",
                        "application/json-patch+json", "{\"op\":\"remove\"}", 400, "BadRequest",
                        "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
                Arguments.of("merge patch with a string replicas does not decode: 422 Invalid on field patch",
                        "application/merge-patch+json", "{\"spec\":{\"replicas\":\"abc\"}}", 422, "Invalid",
                        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
                Arguments.of("merge patch with an object where a string goes: 422 Invalid",
                        "application/merge-patch+json", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"n\",\"image\":{\"a\":1}}]}}}}",
                        422, "Invalid", "json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.image of type string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patchErrors")
    void patchErrorsAnswerAsUpstream(String name, String contentType, String body, int code, String reason, String message) {
        String path = "/apis/apps/v1/namespaces/default/deployments/d2";
        String rv = get(path).at("/metadata/resourceVersion").asText();
        RawHttp.Response r = http.send("PATCH", path, contentType, body, true);
        assertThat(r.code()).as(r.body()).isEqualTo(code);
        JsonNode st = parse(r.body());
        assertThat(st.path("kind").asText()).isEqualTo("Status");
        assertThat(st.path("reason").asText()).isEqualTo(reason);
        assertThat(st.path("message").asText()).contains(message);
        assertThat(r.body()).doesNotContain("java.", "Jackson", "`", "Cannot deserialize");
        assertThat(get(path).at("/metadata/resourceVersion").asText()).as("nothing written").isEqualTo(rv);
    }

    @Test
    void mergePatchDecodeErrorNamesThePatchFieldLikeNewInvalid() {
        RawHttp.Response r = http.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/d2", "application/merge-patch+json",
                "{\"spec\":{\"replicas\":\"abc\"}}", true);
        JsonNode st = parse(r.body());
        assertThat(st.path("message").asText()).startsWith(" \"\" is invalid: patch: Invalid value: \"{");
        JsonNode cause = st.at("/details/causes/0");
        assertThat(cause.path("field").asText()).isEqualTo("patch");
        assertThat(cause.path("reason").asText()).isEqualTo("FieldValueInvalid");
        Kubectl.Result kr = k.run("patch", "deployment", "d2", "--type=merge", "-p", "{\"spec\":{\"replicas\":\"abc\"}}");
        assertThat(kr.exit()).isNotZero();
        assertThat(kr.err()).contains("json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32")
                .doesNotContain("java");
    }

    @Test
    void scaleSubresourceMergePatchDecodesAsScale() {
        String path = "/apis/apps/v1/namespaces/default/deployments/dj/scale";
        RawHttp.Response ok = http.send("PATCH", path, "application/merge-patch+json", "{\"spec\":{\"replicas\":3}}", true);
        assertThat(ok.code()).as(ok.body()).isEqualTo(200);
        assertThat(get("/apis/apps/v1/namespaces/default/deployments/dj").at("/spec/replicas").asInt()).isEqualTo(3);
        RawHttp.Response bad = http.send("PATCH", path, "application/merge-patch+json", "{\"spec\":{\"replicas\":\"abc\"}}", true);
        assertThat(bad.code()).as(bad.body()).isEqualTo(422);
        assertThat(parse(bad.body()).path("message").asText())
                .contains("json: cannot unmarshal string into Go struct field ScaleSpec.spec.replicas of type int32");
        http.send("PATCH", path, "application/merge-patch+json", "{\"spec\":{\"replicas\":1}}", true);
    }

    @Test
    void jsonPatchErrorThroughKubectl() {
        Kubectl.Result r = k.run("patch", "deployment", "d2", "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/spec/nonexistent\"}]");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("the server rejected our request due to an error in our request");
    }

    @Test
    void postWithAWronglyTypedFieldIsUpstreamsDecodeError() {
        String body = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"replicas\":\"x\","
                + "\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}";
        RawHttp.Response r = http.send("POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", body, true);
        assertThat(r.code()).as(r.body()).isIn(400, 422);
        assertThat(r.body()).doesNotContain("java.", "`", "Cannot deserialize");
        http.send("DELETE", "/apis/apps/v1/namespaces/default/deployments/bad", null, null, true);
    }

    // ------------------------------------------------------------ 3. Service status

    @Test
    void servicesShowAnEmptyLoadBalancerStatus() {
        assertThat(get("/api/v1/namespaces/default/services/p3").path("status").toString()).isEqualTo("{\"loadBalancer\":{}}");
        assertThat(get("/api/v1/namespaces/default/services/kubernetes").path("status").toString()).isEqualTo("{\"loadBalancer\":{}}");
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"js\"},\"spec\":{\"ports\":[{\"port\":81}]}}";
        RawHttp.Response created = http.send("POST", "/api/v1/namespaces/default/services", "application/json", json, true);
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        assertThat(parse(created.body()).path("status").toString()).isEqualTo("{\"loadBalancer\":{}}");
        Kubectl.Result label = k.run("label", "service", "js", "x=y");
        assertThat(label.exit()).as(label.all()).isZero();
        assertThat(get("/api/v1/namespaces/default/services/js").path("status").toString()).isEqualTo("{\"loadBalancer\":{}}");
        http.send("DELETE", "/api/v1/namespaces/default/services/js", null, null, true);
    }

    // ------------------------------------------------------------ 4. kubernetes Endpoints / EndpointSlice

    @Test
    void kubernetesServiceHasEndpointsLikeTheApiserverReconciler() {
        JsonNode ep = get("/api/v1/namespaces/default/endpoints/kubernetes");
        assertThat(ep.at("/metadata/labels").toString()).isEqualTo("{\"endpointslice.kubernetes.io/skip-mirror\":\"true\"}");
        assertThat(ep.at("/subsets/0/addresses/0/ip").asText()).isEqualTo("172.18.0.2");
        assertThat(ep.at("/subsets/0/ports/0").toString()).isEqualTo("{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}");

        JsonNode slice = get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes");
        assertThat(slice.path("addressType").asText()).isEqualTo("IPv4");
        assertThat(slice.at("/metadata/labels").toString()).isEqualTo("{\"kubernetes.io/service-name\":\"kubernetes\"}");
        assertThat(slice.at("/endpoints/0/addresses").toString()).isEqualTo("[\"172.18.0.2\"]");
        assertThat(slice.at("/endpoints/0/conditions/ready").asBoolean()).isTrue();
        assertThat(slice.at("/ports/0").toString()).isEqualTo("{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}");

        Kubectl.Result r = k.run("get", "endpoints", "kubernetes");
        assertThat(r.out()).contains("172.18.0.2:6443");
        Kubectl.Result s = k.run("get", "endpointslices", "-l", "kubernetes.io/service-name=kubernetes", "-o", "name");
        assertThat(s.out().trim()).isEqualTo("endpointslice.discovery.k8s.io/kubernetes");
    }
}
