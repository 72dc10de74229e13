package io.dualstack.core.plan;

/** Input that cannot be used at all (unreadable file, YAML syntax error, unparsable CIDR): exit 2. */
public final class PlanInputException extends Exception {
    public PlanInputException(String message) {
        super(message);
    }
}
