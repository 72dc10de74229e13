package io.dualstack.controllers.endpoints;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/** Conflict retry before any FailedToUpdateEndpoint event, and the event text upstream writes. */
class EndpointsWriterTest {
    static final String MODIFIED = "Operation cannot be fulfilled on endpoints \"my-nlb\": the object has been modified; "
            + "please apply your changes to the latest version and try again";
    static final String EXISTS = "endpoints \"my-nlb\" already exists";

    static KubernetesClientException error(int code, String reason, String message) {
        return new KubernetesClientException("Failure executing: PUT at: https://127.0.0.1:6443/api/v1/namespaces/default/endpoints/my-nlb. "
                + "Received status: Status(apiVersion=v1, code=" + code + ", additionalProperties={}).", code,
                new StatusBuilder().withCode(code).withReason(reason).withMessage(message).build());
    }

    static Endpoints stored(String rv) {
        return new EndpointsBuilder().withNewMetadata().withName("my-nlb").withNamespace("default").withResourceVersion(rv).endMetadata().build();
    }

    /** A scripted API server: each write takes the next failure (null = succeeds); reads answer resourceVersion "fresh-N". */
    static final class FakeApi implements EndpointsWriter.Api {
        final Deque<Optional<KubernetesClientException>> failures;
        final List<String> calls = new ArrayList<>();
        int reads;

        FakeApi(List<KubernetesClientException> script) {
            failures = new ArrayDeque<>();
            script.forEach(e -> failures.add(Optional.ofNullable(e)));
        }

        void write(String verb, Endpoints e) {
            calls.add(verb + "@" + e.getMetadata().getResourceVersion());
            Optional<KubernetesClientException> f = failures.isEmpty() ? Optional.empty() : failures.poll();
            if (f.isPresent()) throw f.get();
        }

        @Override
        public void create(Endpoints e) {
            write("create", e);
        }

        @Override
        public void update(Endpoints e) {
            write("update", e);
        }

        @Override
        public Optional<Endpoints> get() {
            reads++;
            calls.add("get");
            return Optional.of(stored("fresh-" + reads));
        }
    }

    static Stream<Arguments> write() {
        KubernetesClientException conflict = error(409, "Conflict", MODIFIED);
        KubernetesClientException exists = error(409, "AlreadyExists", EXISTS);
        KubernetesClientException invalid = error(422, "Invalid", "Endpoints \"my-nlb\" is invalid: subsets[0].addresses[0].ip: Invalid value");
        List<KubernetesClientException> alwaysConflict = new ArrayList<>();
        for (int i = 0; i < 10; i++) alwaysConflict.add(conflict);
        return Stream.of(
                argumentSet("update succeeds at once: no re-read", Optional.of(stored("1")), List.of(),
                        "written", List.of("update@1"), ""),
                argumentSet("stale cache (409 Conflict): re-read and re-apply with the fresh resourceVersion, no event",
                        Optional.of(stored("1")), java.util.Arrays.asList(conflict, conflict, null),
                        "written", List.of("update@1", "get", "update@fresh-1", "get", "update@fresh-2"), ""),
                argumentSet("create races an existing object (409 AlreadyExists): re-read, then update it",
                        Optional.empty(), java.util.Arrays.asList(exists, null),
                        "written", List.of("create@null", "get", "update@fresh-1"), ""),
                argumentSet("conflicts that never clear: FailedToUpdateEndpoint after " + EndpointsWriter.CONFLICT_RETRIES + " writes, upstream's text",
                        Optional.of(stored("1")), alwaysConflict, "FailedToUpdateEndpoint",
                        List.of("update@1", "get", "update@fresh-1", "get", "update@fresh-2", "get", "update@fresh-3", "get", "update@fresh-4"),
                        "Failed to update endpoint default/my-nlb: " + MODIFIED),
                argumentSet("other errors are not retried: FailedToCreateEndpoint with the Status message",
                        Optional.empty(), List.of(invalid), "FailedToCreateEndpoint", List.of("create@null"),
                        "Failed to create endpoint for service default/my-nlb: Endpoints \"my-nlb\" is invalid: subsets[0].addresses[0].ip: Invalid value"));
    }

    @ParameterizedTest
    @MethodSource
    void write(Optional<Endpoints> cached, List<KubernetesClientException> script, String outcome, List<String> calls, String message) {
        FakeApi api = new FakeApi(script);
        EndpointsWriter.Outcome o = EndpointsWriter.write(api, cached, current -> Optional.of(current.map(EndpointsBuilder::new)
                .orElseGet(() -> new EndpointsBuilder().withNewMetadata().withName("my-nlb").withNamespace("default").endMetadata()).build()));
        assertThat(api.calls).isEqualTo(calls);
        if (o instanceof EndpointsWriter.Failed f) {
            assertThat(f.reason()).isEqualTo(outcome);
            assertThat(f.message("default/my-nlb")).isEqualTo(message).doesNotContain("Received status");
        } else {
            assertThat(o instanceof EndpointsWriter.Written ? "written" : "unchanged").isEqualTo(outcome);
        }
    }

    @org.junit.jupiter.api.Test
    void nothingDesiredWritesNothing() {
        FakeApi api = new FakeApi(List.of());
        assertThat(EndpointsWriter.write(api, Optional.of(stored("1")), current -> Optional.empty())).isInstanceOf(EndpointsWriter.Unchanged.class);
        assertThat(api.calls).isEmpty();
    }
}
