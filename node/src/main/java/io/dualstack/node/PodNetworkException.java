package io.dualstack.node;

/**
 * A pod network could not set a pod up. {@link #reason()} is the Event reason the kubelet uses
 * ({@code FailedCreatePodSandBox}); the message says what failed, as a user reads it in
 * {@code kubectl describe pod}. The pod stays Pending and the agent retries.
 */
public class PodNetworkException extends Exception {
    public static final String FAILED_CREATE_SANDBOX = "FailedCreatePodSandBox";

    private final String reason;

    public PodNetworkException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
