package io.dualstack.apiserver.selectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The field selectors upstream registries support for the served resources. */
class FieldSelectorTest {
    static JsonNode obj(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final JsonNode POD = obj("{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"},\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.1.5\"}}");
    static final JsonNode EVENT = obj("{\"metadata\":{\"name\":\"e\",\"namespace\":\"ns\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\",\"namespace\":\"ns\",\"uid\":\"u1\"},\"reason\":\"Started\",\"type\":\"Normal\"}");
    static final JsonNode SVC = obj("{\"metadata\":{\"name\":\"s\",\"namespace\":\"ns\"},\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.10\"}}");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("metadata.name on pods (kubectl wait/rollout status)", ResourceCatalog.PODS, POD, "metadata.name=p", true),
                Arguments.of("metadata.namespace", ResourceCatalog.PODS, POD, "metadata.namespace=other", false),
                Arguments.of("pods spec.nodeName", ResourceCatalog.PODS, POD, "spec.nodeName=n1", true),
                Arguments.of("pods status.phase inequality", ResourceCatalog.PODS, POD, "status.phase!=Running", false),
                Arguments.of("pods status.podIP", ResourceCatalog.PODS, POD, "status.podIP=10.244.1.5", true),
                Arguments.of("empty value selects unscheduled pods", ResourceCatalog.PODS, obj("{\"metadata\":{\"name\":\"q\"}}"), "spec.nodeName=", true),
                Arguments.of("events involvedObject.* (kubectl describe)", ResourceCatalog.EVENTS, EVENT,
                        "involvedObject.name=p,involvedObject.namespace=ns,involvedObject.kind=Pod,involvedObject.uid=u1", true),
                Arguments.of("events reason", ResourceCatalog.EVENTS, EVENT, "reason=Killing", false),
                Arguments.of("services spec.type", ResourceCatalog.SERVICES, SVC, "spec.type==ClusterIP", true),
                Arguments.of("services spec.clusterIP", ResourceCatalog.SERVICES, SVC, "spec.clusterIP=10.96.0.10", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matches(String name, ResourceType type, JsonNode o, String selector, boolean expected) {
        assertThat(FieldSelector.parse(type, selector).matches(o)).isEqualTo(expected);
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(
                Arguments.of(ResourceCatalog.CONFIGMAPS, "data.key=x", "field label not supported: data.key"),
                Arguments.of(ResourceCatalog.NODES, "metadata.namespace=x", "field label not supported: metadata.namespace"),
                Arguments.of(ResourceCatalog.PODS, "spec.nodeName", "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("unsupported")
    void unsupportedFieldsAreBadRequests(ResourceType type, String selector, String message) {
        assertThatThrownBy(() -> FieldSelector.parse(type, selector))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }
}
