package io.dualstack.apiserver.service;

import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusCauseBuilder;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds {@code StatusCause}s the way upstream's {@code k8s.io/apimachinery/pkg/util/validation/field}
 * prints a {@code field.Error}: the cause type is the {@code FieldValue*} reason, the message is
 * {@code ErrorBody()} ("Invalid value: "x": detail"), the field is the path. Bad values are rendered
 * as Go's fmt would render them ({@code %q} for strings, {@code %v} for integers, {@code %#v} for
 * slices such as {@code []string{"10.0.0.1"}}, {@code null} for nil pointers).
 */
public final class FieldErrors {
    private FieldErrors() {}

    /** A Go value as upstream prints it inside an error body. */
    public sealed interface GoValue permits GoString, GoInt, GoStrings, GoFamilies, GoNull, GoRaw {
        String render();
    }

    public record GoString(String value) implements GoValue {
        public String render() {
            return quote(value);
        }
    }

    public record GoInt(long value) implements GoValue {
        public String render() {
            return Long.toString(value);
        }
    }

    /** {@code []string{...}} ({@code []string(nil)} when absent). */
    public record GoStrings(List<String> values) implements GoValue {
        public String render() {
            if (values == null) return "[]string(nil)";
            return "[]string{" + values.stream().map(FieldErrors::quote).collect(Collectors.joining(", ")) + "}";
        }
    }

    /** {@code []core.IPFamily{...}}. */
    public record GoFamilies(List<String> values) implements GoValue {
        public String render() {
            if (values == null) return "[]core.IPFamily(nil)";
            return "[]core.IPFamily{" + values.stream().map(FieldErrors::quote).collect(Collectors.joining(", ")) + "}";
        }
    }

    /** A value already rendered as Go's {@code %#v} would print it. */
    public record GoRaw(String text) implements GoValue {
        public String render() {
            return text;
        }
    }

    public record GoNull() implements GoValue {
        public String render() {
            return "null";
        }
    }

    public static GoValue str(String s) {
        return s == null ? new GoNull() : new GoString(s);
    }

    public static GoValue strs(List<String> s) {
        return new GoStrings(s == null ? null : new ArrayList<>(s));
    }

    public static GoValue fams(List<String> s) {
        return new GoFamilies(s == null ? null : new ArrayList<>(s));
    }

    public static GoValue num(long n) {
        return new GoInt(n);
    }

    public static StatusCause invalid(String field, GoValue value, String detail) {
        return cause("FieldValueInvalid", field, "Invalid value: " + value.render() + (detail.isEmpty() ? "" : ": " + detail));
    }

    public static StatusCause required(String field, String detail) {
        return cause("FieldValueRequired", field, "Required value" + (detail.isEmpty() ? "" : ": " + detail));
    }

    public static StatusCause forbidden(String field, String detail) {
        return cause("FieldValueForbidden", field, "Forbidden" + (detail.isEmpty() ? "" : ": " + detail));
    }

    public static StatusCause duplicate(String field, GoValue value) {
        return cause("FieldValueDuplicate", field, "Duplicate value: " + value.render());
    }

    public static StatusCause notSupported(String field, GoValue value, Collection<String> supported) {
        String detail = supported.stream().sorted().map(FieldErrors::quote).collect(Collectors.joining(", "));
        return cause("FieldValueNotSupported", field, "Unsupported value: " + value.render() + ": supported values: " + detail);
    }

    private static StatusCause cause(String reason, String field, String message) {
        return new StatusCauseBuilder().withReason(reason).withField(field).withMessage(message).build();
    }

    /** Go's {@code strconv.Quote} for the ASCII printable subset plus the common escapes. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
