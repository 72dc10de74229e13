package io.dualstack.core;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class LabelSelectorsTest {
    static final Map<String, String> WEB = Map.of("app", "web", "tier", "front");

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("nil selector matches nothing (LabelSelectorAsSelector(nil) = Nothing)", null, WEB, false),
                argumentSet("empty selector matches everything", new LabelSelector(), WEB, true),
                argumentSet("matchLabels all equal", new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web")).build(), WEB, true),
                argumentSet("matchLabels value differs", new LabelSelectorBuilder().withMatchLabels(Map.of("app", "db")).build(), WEB, false),
                argumentSet("In with the value", expr("tier", "In", "front", "back"), WEB, true),
                argumentSet("In without the key", expr("zone", "In", "a"), WEB, false),
                argumentSet("NotIn without the key matches", expr("zone", "NotIn", "a"), WEB, true),
                argumentSet("NotIn with the value", expr("app", "NotIn", "web"), WEB, false),
                argumentSet("Exists", expr("app", "Exists"), WEB, true),
                argumentSet("DoesNotExist on a present key", expr("app", "DoesNotExist"), WEB, false),
                argumentSet("unknown operator matches nothing", expr("app", "Equals", "web"), WEB, false),
                argumentSet("matchLabels AND expressions", new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web"))
                        .addNewMatchExpression().withKey("tier").withOperator("In").withValues("back").endMatchExpression().build(), WEB, false));
    }

    static LabelSelector expr(String key, String op, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(op).withValues(values).endMatchExpression().build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesAsUpstream(LabelSelector selector, Map<String, String> labels, boolean expected) {
        assertThat(LabelSelectors.matches(selector, labels)).isEqualTo(expected);
    }
}
