package io.dualstack.apiserver.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class OpenApiTest {
    static final OpenApi API = OpenApi.served();

    static Stream<Arguments> served() {
        return ResourceCatalog.ALL.stream().map(t -> Arguments.of(t.qualifiedPlural(), t));
    }

    /**
     * What kubectl's QueryParamVerifierV3 does: find a PATCH operation whose
     * x-kubernetes-group-version-kind is the kind, and look for the fieldValidation query parameter.
     */
    static boolean kubectlSeesFieldValidation(JsonNode doc, ResourceType t) {
        Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
        while (paths.hasNext()) {
            JsonNode patch = paths.next().getValue().get("patch");
            if (patch == null) {
                continue;
            }
            JsonNode gvk = patch.get("x-kubernetes-group-version-kind");
            if (!gvk.get("group").asText().equals(t.group()) || !gvk.get("version").asText().equals(t.version())
                    || !gvk.get("kind").asText().equals(t.kind())) {
                continue;
            }
            for (JsonNode p : patch.get("parameters")) {
                if (p.get("name").asText().equals("fieldValidation") && p.get("in").asText().equals("query")) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }

    @ParameterizedTest(name = "{0}: v3 index points at its GV document whose PATCH op has GVK + fieldValidation")
    @MethodSource("served")
    void v3LetsKubectlSkipClientSideValidation(String name, ResourceType t) {
        JsonNode entry = API.v3Index().get("paths").get(OpenApi.gvPath(t));
        assertThat(entry).isNotNull();
        String url = entry.get("serverRelativeURL").asText();
        assertThat(url).startsWith("/openapi/v3/" + OpenApi.gvPath(t) + "?hash=");
        JsonNode doc = API.v3Document(url.substring("/openapi/v3/".length())).orElseThrow();
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(kubectlSeesFieldValidation(doc, t)).isTrue();
        assertThat(kubectlSeesFieldValidation(API.v2(), t)).isTrue();
    }

    @ParameterizedTest(name = "{0}: kind and list schemas carry x-kubernetes-group-version-kind, generated from the model")
    @MethodSource("served")
    void kindSchemasAreGeneratedWithGvk(String name, ResourceType t) {
        JsonNode schemas = API.v3Document(OpenApi.gvPath(t)).orElseThrow().get("components").get("schemas");
        String def = SchemaGenerator.definitionName(t.modelClass());
        JsonNode kind = schemas.get(def);
        assertThat(kind).as(def).isNotNull();
        JsonNode gvk = kind.get("x-kubernetes-group-version-kind").get(0);
        assertThat(gvk.get("kind").asText()).isEqualTo(t.kind());
        assertThat(gvk.get("group").asText()).isEqualTo(t.group());
        assertThat(kind.get("properties").fieldNames()).toIterable().contains("apiVersion", "kind", "metadata");
        assertThat(schemas.get(def + "List").get("x-kubernetes-group-version-kind").get(0).get("kind").asText()).isEqualTo(t.listKind());
        assertAllRefsResolve(API.v3Document(OpenApi.gvPath(t)).orElseThrow(), "#/components/schemas/", schemas);
    }

    @Test
    void v2RefsResolve() {
        assertAllRefsResolve(API.v2(), "#/definitions/", API.v2().get("definitions"));
        assertThat(API.v2().get("swagger").asText()).isEqualTo("2.0");
    }

    private static void assertAllRefsResolve(JsonNode node, String prefix, JsonNode defs) {
        List<String> missing = new ArrayList<>();
        collect(node, prefix, defs, missing);
        assertThat(missing).isEmpty();
    }

    private static void collect(JsonNode n, String prefix, JsonNode defs, List<String> missing) {
        if (n.isObject()) {
            if (n.has("$ref")) {
                String r = n.get("$ref").asText();
                if (!r.startsWith(prefix) || !defs.has(r.substring(prefix.length()))) {
                    missing.add(r);
                }
            }
            n.elements().forEachRemaining(c -> collect(c, prefix, defs, missing));
        } else if (n.isArray()) {
            n.elements().forEachRemaining(c -> collect(c, prefix, defs, missing));
        }
    }

    @ParameterizedTest(name = "{0}.{1}: patch strategy {2}, merge key {3} (as upstream's struct tags)")
    @CsvSource({
            "io.k8s.api.core.v1.PodSpec,containers,merge,name",
            "io.k8s.api.core.v1.PodSpec,volumes,'merge,retainKeys',name",
            "io.k8s.api.core.v1.Container,ports,merge,containerPort",
            "io.k8s.api.core.v1.Container,env,merge,name",
            "io.k8s.api.core.v1.ServiceSpec,ports,merge,port",
            "io.k8s.api.core.v1.NodeStatus,addresses,merge,type",
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta,ownerReferences,merge,uid",
            "io.k8s.api.apps.v1.DeploymentStatus,conditions,merge,type",
    })
    void patchMergeKeys(String def, String property, String strategy, String key) {
        JsonNode schemas = API.v3Document("api/v1").orElseThrow().get("components").get("schemas");
        if (def.startsWith("io.k8s.api.apps")) {
            schemas = API.v3Document("apis/apps/v1").orElseThrow().get("components").get("schemas");
        }
        JsonNode p = schemas.get(def).get("properties").get(property);
        assertThat(p.get("x-kubernetes-patch-strategy").asText()).isEqualTo(strategy);
        assertThat(p.get("x-kubernetes-patch-merge-key").asText()).isEqualTo(key);
    }

    @ParameterizedTest(name = "{0}.{1} has type {2}")
    @CsvSource({
            "io.k8s.api.core.v1.ServiceSpec,clusterIPs,array",
            "io.k8s.api.core.v1.ServiceSpec,ipFamilyPolicy,string",
            "io.k8s.api.core.v1.ServicePort,port,integer",
            "io.k8s.api.core.v1.ServiceSpec,selector,object",
            "io.k8s.api.core.v1.ServiceSpec,publishNotReadyAddresses,boolean",
    })
    void propertyTypesFollowTheModel(String def, String property, String type) {
        JsonNode schemas = API.v3Document("api/v1").orElseThrow().get("components").get("schemas");
        assertThat(schemas.get(def).get("properties").get(property).get("type").asText()).isEqualTo(type);
    }

    @Test
    void intOrStringTargetPort() {
        JsonNode schemas = API.v3Document("api/v1").orElseThrow().get("components").get("schemas");
        assertThat(schemas.get("io.k8s.api.core.v1.ServicePort").get("properties").get("targetPort").get("$ref").asText())
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(schemas.get("io.k8s.apimachinery.pkg.util.intstr.IntOrString").get("format").asText()).isEqualTo("int-or-string");
    }

    @Test
    void unknownGroupVersionIsAbsent() {
        assertThat(API.v3Document("apis/batch/v1")).isEmpty();
        ObjectNode doc = API.v3Document("/apis/apps/v1?hash=X").orElseThrow();
        assertThat(doc.get("paths").has("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status")).isTrue();
    }
}
