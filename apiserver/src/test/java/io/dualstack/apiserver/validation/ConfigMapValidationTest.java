package io.dualstack.apiserver.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.apiserver.registry.ApiException;
import io.fabric8.kubernetes.api.model.StatusCause;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** upstream ValidateConfigMap / ValidateConfigMapUpdate messages. */
class ConfigMapValidationTest {
    static JsonNode j(String s) {
        try {
            return new ObjectMapper().readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("valid keys", "{'data':{'a.b_C-1':'x'}}", null, List.of()),
                Arguments.of("key with a slash", "{'data':{'a/b':'x'}}", null, List.of("data: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")),
                Arguments.of("key '..'", "{'data':{'..':'x'}}", null, List.of("data: Invalid value: \"..\": must not be '..'")),
                Arguments.of("key in data and binaryData", "{'data':{'k':'x'},'binaryData':{'k':'eA=='}}", null, List.of("data: Invalid value: \"k\": duplicate of key present in binaryData")),
                Arguments.of("immutable data cannot change", "{'immutable':true,'data':{'k':'y'}}", "{'immutable':true,'data':{'k':'x'}}",
                        List.of("data: Forbidden: field is immutable when `immutable` is set")),
                Arguments.of("immutable cannot be unset", "{'data':{'k':'x'}}", "{'immutable':true,'data':{'k':'x'}}",
                        List.of("immutable: Forbidden: field is immutable when `immutable` is set")),
                Arguments.of("mutable data may change", "{'data':{'k':'y'}}", "{'data':{'k':'x'}}", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validates(String name, String cm, String old, List<String> expected) {
        List<StatusCause> causes = old == null ? ConfigMapValidation.validate(j(cm)) : ConfigMapValidation.validateUpdate(j(cm), j(old));
        assertThat(causes).extracting(ApiException::causeText).isEqualTo(expected);
    }
}
