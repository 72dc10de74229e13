package io.dualstack.apiserver.validation;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Messages from k8s.io/apimachinery/pkg/util/validation, verbatim. */
class NamesTest {
    static Stream<Arguments> cases() {
        Function<String, List<String>> sub = Names::dns1123Subdomain, label = Names::dns1123Label, d1035 = Names::dns1035Label,
                qn = Names::qualifiedName, lv = Names::labelValue;
        return Stream.of(
                Arguments.of("subdomain accepts dots", sub, "web.example", List.of()),
                Arguments.of("subdomain rejects upper case", sub, "Web", List.of("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")),
                Arguments.of("namespace names are RFC 1123 labels", label, "a.b", List.of("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")),
                Arguments.of("label longer than 63", label, "a".repeat(64), List.of("must be no more than 63 characters")),
                Arguments.of("service names are DNS-1035 labels", d1035, "1web", List.of("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")),
                Arguments.of("qualified name with prefix", qn, "kubernetes.io/service-name", List.of()),
                Arguments.of("qualified name with empty prefix", qn, "/x", List.of("prefix part must be non-empty")),
                Arguments.of("qualified name with bad name part", qn, "-x", List.of("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")),
                Arguments.of("empty label value is valid", lv, "", List.of()),
                Arguments.of("label value with a space", lv, "a b", List.of("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validates(String name, Function<String, List<String>> rule, String value, List<String> expected) {
        assertThat(rule.apply(value)).isEqualTo(expected);
    }
}
