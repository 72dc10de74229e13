package io.dualstack.apiserver.discovery;

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
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryTest {

    private final Discovery discovery = Discovery.served();

    static Stream<Arguments> served() {
        return ResourceCatalog.ALL.stream().map(t -> Arguments.of(t.qualifiedPlural(), t));
    }

    private static JsonNode aggregatedEntry(ObjectNode list, ResourceType t) {
        for (JsonNode g : list.get("items")) {
            if (!g.get("metadata").get("name").asText().equals(t.group())) {
                continue;
            }
            for (JsonNode v : g.get("versions")) {
                for (JsonNode r : v.get("resources")) {
                    if (r.get("resource").asText().equals(t.plural())) {
                        return r;
                    }
                }
            }
        }
        throw new AssertionError("no aggregated entry for " + t.qualifiedPlural());
    }

    @ParameterizedTest(name = "{0}: aggregated entry carries responseKind, scope, verbs (client-go drops entries without responseKind)")
    @MethodSource("served")
    void aggregatedEntryPerResource(String name, ResourceType t) {
        ObjectNode list = t.group().isEmpty() ? discovery.aggregatedApi() : discovery.aggregatedApis();
        JsonNode r = aggregatedEntry(list, t);
        assertThat(r.get("responseKind").get("kind").asText()).isEqualTo(t.kind());
        assertThat(r.get("responseKind").get("group").asText()).isEqualTo(t.group());
        assertThat(r.get("responseKind").get("version").asText()).isEqualTo(t.version());
        assertThat(r.get("scope").asText()).isEqualTo(t.namespaced() ? "Namespaced" : "Cluster");
        assertThat(r.get("singularResource").asText()).isEqualTo(t.singular());
        assertThat(texts(r.get("verbs"))).containsExactlyElementsOf(ResourceCatalog.verbs(t));
        assertThat(texts(r.get("shortNames"))).containsExactlyElementsOf(t.shortNames());
        assertThat(texts(r.get("categories"))).containsExactlyElementsOf(t.categories());
        List<String> subs = new ArrayList<>();
        if (r.has("subresources")) {
            for (JsonNode s : r.get("subresources")) {
                assertThat(s.get("responseKind").get("kind").asText()).isNotEmpty();
                subs.add(s.get("subresource").asText());
            }
        }
        assertThat(subs).containsExactlyElementsOf(t.subresources());
    }

    @ParameterizedTest(name = "{0}: legacy APIResourceList lists it with kind, verbs and its subresources as plural/sub")
    @MethodSource("served")
    void legacyEntryPerResource(String name, ResourceType t) {
        JsonNode list = discovery.apiResourceList(t.group(), t.version()).orElseThrow();
        assertThat(list.get("groupVersion").asText()).isEqualTo(t.apiVersion());
        List<String> names = new ArrayList<>();
        for (JsonNode r : list.get("resources")) {
            names.add(r.get("name").asText());
            if (r.get("name").asText().equals(t.plural())) {
                assertThat(r.get("kind").asText()).isEqualTo(t.kind());
                assertThat(r.get("namespaced").asBoolean()).isEqualTo(t.namespaced());
                assertThat(texts(r.get("verbs"))).containsExactlyElementsOf(ResourceCatalog.verbs(t));
            }
        }
        assertThat(names).contains(t.plural());
        for (String sub : t.subresources()) {
            assertThat(names).contains(t.plural() + "/" + sub);
        }
    }

    @ParameterizedTest(name = "{0}/{1} answers {2}/{3} {4} with verbs {5}")
    @CsvSource(delimiter = '|', value = {
            "deployments|scale|autoscaling|v1|Scale|get patch update",
            "replicasets|scale|autoscaling|v1|Scale|get patch update",
            "deployments|status|apps|v1|Deployment|get patch update",
            "pods|status|''|v1|Pod|get patch update",
            "pods|exec|''|v1|PodExecOptions|create get",
            "pods|log|''|v1|Pod|get",
            "namespaces|finalize|''|v1|Namespace|update",
    })
    void subresourceKinds(String plural, String sub, String group, String version, String kind, String verbs) {
        ResourceType t = ResourceCatalog.ALL.stream().filter(x -> x.plural().equals(plural)).findFirst().orElseThrow();
        ObjectNode list = t.group().isEmpty() ? discovery.aggregatedApi() : discovery.aggregatedApis();
        JsonNode entry = null;
        for (JsonNode s : aggregatedEntry(list, t).get("subresources")) {
            if (s.get("subresource").asText().equals(sub)) {
                entry = s;
            }
        }
        assertThat(entry).isNotNull();
        assertThat(entry.get("responseKind").get("group").asText()).isEqualTo(group);
        assertThat(entry.get("responseKind").get("version").asText()).isEqualTo(version);
        assertThat(entry.get("responseKind").get("kind").asText()).isEqualTo(kind);
        assertThat(String.join(" ", texts(entry.get("verbs")))).isEqualTo(verbs);
    }

    @Test
    void legacyScaleNamesItsForeignGroup() {
        JsonNode list = discovery.apiResourceList("apps", "v1").orElseThrow();
        JsonNode scale = null;
        for (JsonNode r : list.get("resources")) {
            if (r.get("name").asText().equals("deployments/scale")) {
                scale = r;
            }
        }
        assertThat(scale).isNotNull();
        assertThat(scale.get("group").asText()).isEqualTo("autoscaling");
        assertThat(scale.get("version").asText()).isEqualTo("v1");
        assertThat(scale.get("kind").asText()).isEqualTo("Scale");
    }

    @Test
    void groupListHasEveryNamedGroupWithPreferredVersion() {
        ObjectNode groups = discovery.apiGroupList();
        List<String> names = new ArrayList<>();
        for (JsonNode g : groups.get("groups")) {
            names.add(g.get("name").asText());
            assertThat(g.get("preferredVersion").get("groupVersion").asText()).isEqualTo(g.get("name").asText() + "/v1");
        }
        assertThat(names).containsExactly("apps", "discovery.k8s.io", "networking.k8s.io", "coordination.k8s.io", "authorization.k8s.io");
        assertThat(discovery.apiGroup("apps")).isPresent();
        assertThat(discovery.apiGroup("batch")).isEmpty();
        assertThat(discovery.apiResourceList("batch", "v1")).isEmpty();
    }

    @Test
    void aggregatedApiHoldsOnlyTheCoreGroupAndApisNoCore() {
        ObjectNode api = discovery.aggregatedApi();
        assertThat(api.get("kind").asText()).isEqualTo("APIGroupDiscoveryList");
        assertThat(api.get("apiVersion").asText()).isEqualTo("apidiscovery.k8s.io/v2");
        assertThat(api.get("items")).hasSize(1);
        assertThat(api.get("items").get(0).get("metadata").get("name").asText()).isEmpty();
        assertThat(api.get("items").get(0).get("versions").get(0).get("freshness").asText()).isEqualTo("Current");
        for (JsonNode g : discovery.aggregatedApis().get("items")) {
            assertThat(g.get("metadata").get("name").asText()).isNotEmpty();
        }
        assertThat(discovery.apiVersions("127.0.0.1:6443").get("versions").get(0).asText()).isEqualTo("v1");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "kubectl 1.32 Accept (v2 first)|application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json|true",
            "parameters in another order|application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io|true",
            "plain JSON (fabric8) gets legacy|application/json|false",
            "v2beta1 only gets legacy|application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList|false",
            "no header|''|false",
    })
    void acceptNegotiation(String name, String accept, boolean aggregated) {
        assertThat(Discovery.acceptsAggregated(accept)).isEqualTo(aggregated);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
