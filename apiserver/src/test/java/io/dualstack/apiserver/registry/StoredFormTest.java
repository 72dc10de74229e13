package io.dualstack.apiserver.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** resourceVersion is spliced into stored bytes without parsing, only into the top-level metadata. */
class StoredFormTest {
    static final ObjectMapper M = new ObjectMapper();

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("metadata first", "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"v\"}}"),
                Arguments.of("empty metadata", "{\"kind\":\"ConfigMap\",\"metadata\":{}}"),
                Arguments.of("nested metadata before the top-level one", "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{}}}},\"metadata\":{\"name\":\"d\"}}"),
                Arguments.of("a string value that looks like a metadata key", "{\"data\":{\"x\":\"\\\"metadata\\\":{\"},\"metadata\":{\"name\":\"s\"}}"),
                Arguments.of("no metadata at all", "{\"kind\":\"X\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void splicesIntoTopLevelMetadata(String name, String json) throws Exception {
        byte[] out = GenericRegistry.withResourceVersion(json.getBytes(StandardCharsets.UTF_8), 42);
        var expected = (com.fasterxml.jackson.databind.node.ObjectNode) M.readTree(json);
        expected.with("metadata").put("resourceVersion", "42");
        assertThat(M.readTree(out)).isEqualTo(expected);
    }
}
