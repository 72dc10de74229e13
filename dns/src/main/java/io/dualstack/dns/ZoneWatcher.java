package io.dualstack.dns;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps a {@link Zone} snapshot in step with the API: informers on Services, EndpointSlices and
 * Namespaces (and Pods in {@code pods verified} mode). Every change marks the zone dirty and one
 * builder thread rebuilds it from the informer caches and swaps the snapshot atomically, so
 * bursts of events coalesce into one rebuild.
 */
public final class ZoneWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZoneWatcher.class);

    private final KubernetesClient client;
    private final ZoneConfig config;
    private final AtomicReference<Zone> current;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dns-zone-builder");
        t.setDaemon(true);
        return t;
    });
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private SharedIndexInformer<Service> services;
    private SharedIndexInformer<EndpointSlice> slices;
    private SharedIndexInformer<Namespace> namespaces;
    private Optional<SharedIndexInformer<Pod>> pods = Optional.empty();
    private volatile boolean synced;
    private final ZoneBuilder.FragmentCache fragments = new ZoneBuilder.FragmentCache();

    public ZoneWatcher(KubernetesClient client, ZoneConfig config) {
        this.client = client;
        this.config = config;
        this.current = new AtomicReference<>(new ZoneBuilder(config).build());
    }

    /** Starts the informers and waits up to {@code syncTimeout} for their first lists. */
    public void start(Duration syncTimeout) throws InterruptedException {
        services = client.services().inAnyNamespace().runnableInformer(0);
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
        namespaces = client.namespaces().runnableInformer(0);
        informers.add(services);
        informers.add(slices);
        informers.add(namespaces);
        if (config.pods() == PodsMode.VERIFIED) {
            SharedIndexInformer<Pod> p = client.pods().inAnyNamespace().runnableInformer(0);
            pods = Optional.of(p);
            informers.add(p);
        }
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<?> inf : informers) {
            addHandler(inf);
            started.add(inf.start().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                    .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
            synced = true;
        } catch (TimeoutException e) {
            LOG.warn("starting DNS with an unsynced Kubernetes API (after {}); NXDOMAIN answers are SERVFAIL until it syncs",
                    syncTimeout);
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).whenComplete((v, err) -> {
                if (err == null) {
                    synced = true;
                    markDirty();
                } else {
                    LOG.warn("Kubernetes API informers failed: {}", err.toString());
                }
            });
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("Kubernetes API informers failed to start: {}", e.getCause().toString());
        }
        rebuild();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void addHandler(SharedIndexInformer inf) {
        inf.addEventHandler(new ResourceEventHandler<HasMetadata>() {
            @Override
            public void onAdd(HasMetadata obj) {
                markDirty();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                markDirty();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                markDirty();
            }
        });
    }

    private void markDirty() {
        dirty.set(true);
        if (scheduled.compareAndSet(false, true)) {
            try {
                builder.execute(() -> {
                    scheduled.set(false);
                    if (dirty.getAndSet(false)) rebuild();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false);
            }
        }
    }

    private void rebuild() {
        try {
            ZoneBuilder b = new ZoneBuilder(config)
                    .services(services.getStore().list())
                    .endpointSlices(slices.getStore().list())
                    .namespaces(namespaces.getStore().list().stream().map(n -> n.getMetadata().getName()).toList())
                    .serial(System.currentTimeMillis() / 1000)
                    .cache(fragments);
            pods.ifPresent(p -> b.pods(p.getStore().list()));
            current.set(b.build());
        } catch (RuntimeException e) {
            LOG.warn("zone rebuild failed; keeping the previous snapshot", e);
        }
    }

    public Zone zone() {
        return current.get();
    }

    public boolean synced() {
        return synced;
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> inf : informers) {
            try {
                inf.close();
            } catch (RuntimeException e) {
                LOG.debug("closing informer: {}", e.toString());
            }
        }
        builder.shutdownNow();
    }
}
