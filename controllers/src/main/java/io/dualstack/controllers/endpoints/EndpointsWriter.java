package io.dualstack.controllers.endpoints;

import io.dualstack.controllers.util.EventRecorder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.Optional;
import java.util.function.Function;

/**
 * Writes one Service's Endpoints with conflict retry: a 409 (our informer cache is behind the
 * server, or someone else wrote the object) re-reads the object from the API, recomputes the
 * desired Endpoints from it and writes again — upstream gets the same from its work-queue
 * requeue — and only a write that still fails is a {@link Failed} outcome, which the controller
 * turns into a FailedToCreateEndpoint / FailedToUpdateEndpoint event carrying the API's Status
 * message. The I/O is behind {@link Api}, so the retry policy is testable without a server.
 */
public final class EndpointsWriter {
    private EndpointsWriter() {}

    /** Writes tried (re-reading after each 409) before the failure becomes an event and a requeue. */
    public static final int CONFLICT_RETRIES = 5;

    /** The API calls the writer makes. */
    public interface Api {
        void create(Endpoints e);

        void update(Endpoints e);

        /** A fresh read from the server (not the cache). */
        Optional<Endpoints> get();
    }

    public sealed interface Outcome permits Written, Unchanged, Failed {}

    /** The object was created or updated, after {@code attempts} writes. */
    public record Written(boolean created, int attempts) implements Outcome {}

    /** Nothing to write (the stored object is already as desired). */
    public record Unchanged() implements Outcome {}

    /** The last write failed; {@code create} says whether it was a create, for the event reason and message. */
    public record Failed(boolean create, KubernetesClientException error, int attempts) implements Outcome {
        public String reason() {
            return create ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint";
        }

        /** upstream endpoints_controller.go's event messages, with the Status message of the API error. */
        public String message(String serviceKey) {
            return (create ? "Failed to create endpoint for service " : "Failed to update endpoint ") + serviceKey + ": "
                    + EventRecorder.message(error);
        }
    }

    /**
     * @param cached  the Endpoints as the informer cache has it
     * @param desired what the Endpoints should be given the current stored object (empty: no write needed)
     */
    public static Outcome write(Api api, Optional<Endpoints> cached, Function<Optional<Endpoints>, Optional<Endpoints>> desired) {
        Optional<Endpoints> current = cached;
        for (int attempt = 1; ; attempt++) {
            Optional<Endpoints> want = desired.apply(current);
            if (want.isEmpty()) return new Unchanged();
            boolean create = current.isEmpty();
            try {
                if (create) api.create(want.get());
                else api.update(want.get());
                return new Written(create, attempt);
            } catch (KubernetesClientException e) {
                if (!EventRecorder.isConflict(e) || attempt >= CONFLICT_RETRIES) return new Failed(create, e, attempt);
            }
            current = api.get();
        }
    }
}
