package io.dualstack.core.plan;

/** How bad a finding is: any {@code ERROR} makes {@code plan check} exit 1. */
public enum Severity {
    ERROR, WARNING, INFO;

    /** The spelling used in output: {@code error}, {@code warning}, {@code info}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
