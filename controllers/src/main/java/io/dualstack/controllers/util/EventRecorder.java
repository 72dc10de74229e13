package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records core/v1 Events through the API, as client-go's event recorder does: an event lands in
 * the involved object's namespace ({@code default} for cluster-scoped objects), named
 * {@code <involved name>.<hex nanos>}, with {@code source.component} set; an identical event
 * (same object, type, reason, message) recorded again bumps {@code count} and
 * {@code lastTimestamp} of the existing Event instead of creating a new one. Writes are
 * asynchronous and best effort (a failed write is logged, never thrown).
 */
public final class EventRecorder implements AutoCloseable {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
    private static final int MAX_REMEMBERED = 4096;

    private final KubernetesClient client;
    private final String component;
    private final ExecutorService writer;
    private final Map<String, Event> recent = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Event> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    public EventRecorder(KubernetesClient client, String component) {
        this.client = client;
        this.component = component;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "events-" + component);
            t.setDaemon(true);
            return t;
        });
    }

    /** A reference to an object, for {@link #event(ObjectReference, String, String, String)}. */
    public static ObjectReference referenceTo(HasMetadata object) {
        return new ObjectReferenceBuilder()
                .withApiVersion(object.getApiVersion())
                .withKind(object.getKind())
                .withNamespace(object.getMetadata().getNamespace())
                .withName(object.getMetadata().getName())
                .withUid(object.getMetadata().getUid())
                .withResourceVersion(object.getMetadata().getResourceVersion())
                .build();
    }

    /**
     * The text an event (or condition) should carry for a failed API call: the server's Status
     * message, as client-go's error string is ({@code Operation cannot be fulfilled on endpoints
     * "x": the object has been modified; ...}), never fabric8's "Failure executing: PUT at: ...
     * Received status: Status(...)" dump. Falls back to the exception's own message when the
     * failure carries no Status (a connection error, say).
     */
    public static String message(Throwable error) {
        Throwable e = error;
        while (e != null) {
            if (e instanceof KubernetesClientException k) {
                if (k.getStatus() != null && k.getStatus().getMessage() != null && !k.getStatus().getMessage().isBlank()) {
                    return k.getStatus().getMessage();
                }
                break;
            }
            e = e.getCause();
        }
        Throwable root = error;
        while (root.getCause() != null && root.getMessage() == null) root = root.getCause();
        return String.valueOf(root.getMessage());
    }

    /** Whether the failure is a 409 Conflict (optimistic-concurrency or already-exists), which a re-read and retry resolves. */
    public static boolean isConflict(Throwable error) {
        return error instanceof KubernetesClientException k && k.getCode() == 409;
    }

    public void event(HasMetadata object, String type, String reason, String message) {
        event(referenceTo(object), type, reason, message);
    }

    public void event(ObjectReference ref, String type, String reason, String message) {
        writer.execute(() -> write(ref, type, reason, message));
    }

    private void write(ObjectReference ref, String type, String reason, String message) {
        String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
        String key = String.join("\u0000", namespace, Objects.toString(ref.getKind(), ""), Objects.toString(ref.getName(), ""),
                Objects.toString(ref.getUid(), ""), type, reason, message);
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try {
            Event previous;
            synchronized (recent) {
                previous = recent.get(key);
            }
            Event written;
            if (previous != null) {
                Event bumped = new EventBuilder(previous)
                        .withCount((previous.getCount() == null ? 1 : previous.getCount()) + 1)
                        .withLastTimestamp(now)
                        .build();
                written = client.v1().events().inNamespace(namespace).resource(bumped).update();
            } else {
                Event event = new EventBuilder()
                        .withNewMetadata()
                        .withNamespace(namespace)
                        .withName(ref.getName() + "." + Long.toHexString(System.currentTimeMillis() * 1_000_000L + System.nanoTime() % 1_000_000L))
                        .endMetadata()
                        .withInvolvedObject(ref)
                        .withType(type)
                        .withReason(reason)
                        .withMessage(message)
                        .withNewSource().withComponent(component).endSource()
                        .withReportingComponent(component)
                        .withReportingInstance("")
                        .withFirstTimestamp(now)
                        .withLastTimestamp(now)
                        .withCount(1)
                        .build();
                written = client.v1().events().inNamespace(namespace).resource(event).create();
            }
            synchronized (recent) {
                recent.put(key, written);
            }
        } catch (RuntimeException e) {
            synchronized (recent) {
                recent.remove(key);
            }
            LOG.warn("could not record event {} {} on {}/{}: {}", type, reason, namespace, ref.getName(), e.toString());
        }
    }

    @Override
    public void close() {
        writer.shutdown();
    }
}
