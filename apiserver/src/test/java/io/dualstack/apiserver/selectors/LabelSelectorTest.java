package io.dualstack.apiserver.selectors;

import io.dualstack.apiserver.registry.ApiException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Upstream labels.Parse semantics (k8s.io/apimachinery/pkg/labels/selector.go). */
class LabelSelectorTest {
    static final Map<String, String> LABELS = Map.of("app", "web", "tier", "front", "replicas", "3");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("empty selector matches everything", "", true),
                Arguments.of("equality", "app=web", true),
                Arguments.of("double-equals equality", "app==web", true),
                Arguments.of("equality on another value", "app=db", false),
                Arguments.of("inequality matches a different value", "app!=db", true),
                Arguments.of("inequality matches a missing key", "zone!=a", true),
                Arguments.of("set in", "tier in (front, back)", true),
                Arguments.of("set in without the value", "tier in (back)", false),
                Arguments.of("set notin", "tier notin (back)", true),
                Arguments.of("set notin matches a missing key", "zone notin (a)", true),
                Arguments.of("exists", "app", true),
                Arguments.of("exists on a missing key", "zone", false),
                Arguments.of("does not exist", "!zone", true),
                Arguments.of("does not exist on a present key", "!app", false),
                Arguments.of("greater than", "replicas>2", true),
                Arguments.of("less than", "replicas<2", false),
                Arguments.of("requirements are ANDed", "app=web,tier=back", false),
                Arguments.of("commas inside a set do not split requirements", "app in (web,db),tier=front", true),
                Arguments.of("prefixed keys", "example.com/x!=y", true));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void matches(String name, String selector, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(LABELS)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is a 400")
    @ValueSource(strings = {"bad key=x", "a=b c", "x>y", "a,,b"})
    void malformedSelectorsAreBadRequests(String selector) {
        assertThatThrownBy(() -> LabelSelector.parse(selector))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }
}
