package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class EventRecorderTest {
    static final String CONFLICT_MESSAGE = "Operation cannot be fulfilled on endpoints \"my-nlb\": the object has been modified; "
            + "please apply your changes to the latest version and try again";

    static KubernetesClientException apiError(int code, String reason, String message) {
        Status status = new StatusBuilder().withApiVersion("v1").withKind("Status").withStatus("Failure").withCode(code)
                .withReason(reason).withMessage(message).build();
        // What fabric8 throws for a failed PUT: its own message embeds the whole Status dump.
        return new KubernetesClientException("Failure executing: PUT at: https://127.0.0.1:6443/api/v1/namespaces/default/endpoints/my-nlb. "
                + "Message: " + message + ". Received status: " + status + ".", code, status);
    }

    static Stream<Arguments> message() {
        return Stream.of(
                argumentSet("409 Conflict: upstream's message only, no fabric8 dump",
                        apiError(409, "Conflict", CONFLICT_MESSAGE), CONFLICT_MESSAGE),
                argumentSet("403 Forbidden (namespace terminating): the Status message",
                        apiError(403, "Forbidden", "endpoints \"x\" is forbidden: unable to create new content in namespace t because it is being terminated"),
                        "endpoints \"x\" is forbidden: unable to create new content in namespace t because it is being terminated"),
                argumentSet("wrapped in an ExecutionException (parallel pod creates): the Status message",
                        new ExecutionException(apiError(422, "Invalid", "Pod \"p\" is invalid: spec.containers: Required value")),
                        "Pod \"p\" is invalid: spec.containers: Required value"),
                argumentSet("no Status (connection refused): the exception's own message",
                        new KubernetesClientException("An error has occurred.", new IOException("Connection refused")), "An error has occurred."),
                argumentSet("a Status without a message: the exception's own message",
                        new KubernetesClientException("Failure executing: PUT", 500, new StatusBuilder().withCode(500).build()), "Failure executing: PUT"));
    }

    @ParameterizedTest
    @MethodSource
    void message(Throwable error, String expected) {
        assertThat(EventRecorder.message(error)).isEqualTo(expected).doesNotContain("Received status").doesNotContain("additionalProperties");
    }
}
