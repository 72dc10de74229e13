package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One fabric8 informer per resource type, shared by every controller of a process (like
 * client-go's SharedInformerFactory): ask for {@link #informer(Class)} and register handlers
 * before {@link #start(Duration)}; afterwards read the informer's store. Pods get an index
 * {@link #POD_LABELS} of {@code namespace/key=value} per label (so a Service's selector finds its
 * pods without scanning), EndpointSlices an index {@link #SLICE_SERVICE} of
 * {@code namespace/<kubernetes.io/service-name>}.
 */
public final class SharedInformers implements AutoCloseable {
    public static final String POD_LABELS = "dualstack/pod-labels";
    public static final String SLICE_SERVICE = "dualstack/slice-service";
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final KubernetesClient client;
    private final Map<Class<?>, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
    private volatile boolean started;

    public SharedInformers(KubernetesClient client) {
        this.client = client;
    }

    public KubernetesClient client() {
        return client;
    }

    @SuppressWarnings("unchecked")
    public synchronized <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type) {
        SharedIndexInformer<T> existing = (SharedIndexInformer<T>) informers.get(type);
        if (existing != null) return existing;
        if (started) throw new IllegalStateException("informer for " + type.getSimpleName() + " requested after start");
        SharedIndexInformer<T> informer = client.resources(type).inAnyNamespace().runnableInformer(0);
        if (type == Pod.class) {
            Function<T, List<String>> byLabels = o -> labelKeys(o);
            informer.addIndexers(Map.of(POD_LABELS, byLabels));
        } else if (type == EndpointSlice.class) {
            Function<T, List<String>> byService = o -> {
                Map<String, String> labels = o.getMetadata().getLabels();
                String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
                return svc == null ? List.of() : List.of(o.getMetadata().getNamespace() + "/" + svc);
            };
            informer.addIndexers(Map.of(SLICE_SERVICE, byService));
        }
        informers.put(type, informer);
        return informer;
    }

    private static List<String> labelKeys(HasMetadata o) {
        Map<String, String> labels = o.getMetadata().getLabels();
        if (labels == null || labels.isEmpty()) return List.of();
        List<String> keys = new ArrayList<>(labels.size());
        String ns = o.getMetadata().getNamespace();
        labels.forEach((k, v) -> keys.add(ns + "/" + k + "=" + v));
        return keys;
    }

    /** Index key for pods carrying label {@code key=value} in {@code namespace}. */
    public static String podLabelKey(String namespace, String key, String value) {
        return namespace + "/" + key + "=" + value;
    }

    /** Starts every informer asked for so far and waits until all have listed once. */
    public void start(Duration timeout) throws Exception {
        List<CompletableFuture<Void>> syncs = new ArrayList<>();
        synchronized (this) {
            started = true;
            for (SharedIndexInformer<?> informer : informers.values()) {
                syncs.add(informer.start().toCompletableFuture());
            }
        }
        CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** An event handler from three lambdas (update gets old and new). */
    public static <T> ResourceEventHandler<T> handler(Consumer<T> onAdd, java.util.function.BiConsumer<T, T> onUpdate, Consumer<T> onDelete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onAdd.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onUpdate.accept(oldObj, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onDelete.accept(obj);
            }
        };
    }

    @Override
    public synchronized void close() {
        for (SharedIndexInformer<?> informer : informers.values()) {
            try {
                informer.stop();
            } catch (RuntimeException ignored) {
                // stopping is best effort
            }
        }
        informers.clear();
    }
}
