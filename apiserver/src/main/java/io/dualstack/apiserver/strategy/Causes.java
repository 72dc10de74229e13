package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Status causes shaped as upstream's {@code field.Error}: the reason ({@code FieldValueInvalid}
 * ...), the field path and the message body ({@code Invalid value: "x": detail}), with values
 * printed the way Go's {@code %q}/{@code %#v} prints them.
 */
final class Causes {
    private Causes() {}

    /** A value printed as is (already in Go's {@code %#v} shape). */
    record Raw(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    static StatusCause required(String field, String detail) {
        return cause("FieldValueRequired", field, "Required value" + (detail.isEmpty() ? "" : ": " + detail));
    }

    static StatusCause invalid(String field, Object value, String detail) {
        return cause("FieldValueInvalid", field, "Invalid value: " + goValue(value) + (detail.isEmpty() ? "" : ": " + detail));
    }

    static StatusCause notSupported(String field, Object value, List<String> supported) {
        String list = supported.stream().map(Causes::quote).collect(Collectors.joining(", "));
        return cause("FieldValueNotSupported", field, "Unsupported value: " + goValue(value) + ": supported values: " + list);
    }

    static StatusCause duplicate(String field, Object value) {
        return cause("FieldValueDuplicate", field, "Duplicate value: " + goValue(value));
    }

    static StatusCause forbidden(String field, String detail) {
        return cause("FieldValueForbidden", field, "Forbidden: " + detail);
    }

    private static StatusCause cause(String reason, String field, String message) {
        return new StatusCauseBuilder().withReason(reason).withField(field).withMessage(message).build();
    }

    /** Go's rendering of a value in a field error: strings quoted, maps as {@code map[string]string{...}}. */
    static String goValue(Object value) {
        if (value == null) return "null";
        if (value instanceof String s) return quote(s);
        if (value instanceof Map<?, ?> m) {
            return "map[string]string{" + new TreeMap<>(m).entrySet().stream()
                    .map(e -> quote(String.valueOf(e.getKey())) + ":" + quote(String.valueOf(e.getValue())))
                    .collect(Collectors.joining(", ")) + "}";
        }
        return String.valueOf(value);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
