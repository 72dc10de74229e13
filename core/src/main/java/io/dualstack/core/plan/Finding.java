package io.dualstack.core.plan;

/**
 * One result of checking a plan. {@code id} is stable (documented in core/README.md),
 * {@code path} names the field or flag the finding is about (as the input spelled it),
 * {@code message} names the values involved, {@code fix} says what to change.
 */
public record Finding(String id, Severity severity, String path, String message, String fix) {
    public static Finding error(String id, String path, String message, String fix) {
        return new Finding(id, Severity.ERROR, path, message, fix);
    }

    public static Finding warning(String id, String path, String message, String fix) {
        return new Finding(id, Severity.WARNING, path, message, fix);
    }

    public static Finding info(String id, String path, String message) {
        return new Finding(id, Severity.INFO, path, message, "");
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }
}
