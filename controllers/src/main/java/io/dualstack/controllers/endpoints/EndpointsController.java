package io.dualstack.controllers.endpoints;

import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.Pods;
import io.dualstack.controllers.util.ServicePods;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.TriggerTimeTracker;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

import java.util.List;
import java.util.Optional;

/**
 * The legacy Endpoints controller: one {@code Endpoints} object per Service with a selector,
 * named like the Service, computed by {@link EndpointsReconciler} (primary family only) and
 * written through the API; deleted when its Service is deleted; Endpoints without a Service are
 * cleaned up once at start (upstream checkLeftoverEndpoints) unless they belong to a
 * selector-less Service.
 */
public final class EndpointsController implements AutoCloseable {
    private final KubernetesClient client;
    private final EventRecorder recorder;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Endpoints> endpoints;
    private final WorkQueue<String> queue;
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();

    public EndpointsController(SharedInformers informers, EventRecorder recorder, int workers) {
        this.client = informers.client();
        this.recorder = recorder;
        this.services = informers.informer(Service.class);
        this.pods = informers.informer(Pod.class);
        this.endpoints = informers.informer(Endpoints.class);
        this.queue = new WorkQueue<>("endpoints", workers, this::sync);
        services.addEventHandler(SharedInformers.<Service>handler(s -> queue.add(key(s)), (o, n) -> queue.add(key(n)), s -> queue.add(key(s))));
        pods.addEventHandler(SharedInformers.<Pod>handler(
                p -> ServicePods.servicesFor(p.getMetadata().getNamespace(), p.getMetadata().getLabels(), services).forEach(queue::add),
                (o, n) -> ServicePods.servicesToUpdate(o, n, services).forEach(queue::add),
                p -> ServicePods.servicesFor(p.getMetadata().getNamespace(), p.getMetadata().getLabels(), services).forEach(queue::add)));
        endpoints.addEventHandler(SharedInformers.<Endpoints>handler(e -> { }, (o, n) -> { }, e -> queue.add(
                Pods.key(e.getMetadata().getNamespace(), e.getMetadata().getName()))));
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    private static String key(Service s) {
        return Pods.key(s.getMetadata().getNamespace(), s.getMetadata().getName());
    }

    public void start() {
        queue.start();
        for (Service s : services.getStore().list()) queue.add(key(s));
        for (Endpoints e : endpoints.getStore().list()) {
            var annotations = e.getMetadata().getAnnotations();
            if (annotations != null && annotations.containsKey("control-plane.alpha.kubernetes.io/leader")) continue;
            queue.add(Pods.key(e.getMetadata().getNamespace(), e.getMetadata().getName()));
        }
    }

    private void sync(String key) {
        int slash = key.indexOf('/');
        String ns = key.substring(0, slash);
        String name = key.substring(slash + 1);
        Service service = services.getStore().getByKey(key);
        if (service == null) {
            triggerTimes.forget(ns, name);
            try {
                client.endpoints().inNamespace(ns).withName(name).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) throw e;
            }
            return;
        }
        if ("ExternalName".equals(service.getSpec().getType()) || !Pods.hasSelector(service)) return;
        List<Pod> selected = ServicePods.podsFor(service, pods);
        var trigger = triggerTimes.compute(service, selected);
        Optional<Endpoints> cached = Optional.ofNullable(endpoints.getStore().getByKey(key));
        EndpointsWriter.Outcome outcome = EndpointsWriter.write(new EndpointsWriter.Api() {
            @Override
            public void create(Endpoints e) {
                client.endpoints().inNamespace(ns).resource(e).create();
            }

            @Override
            public void update(Endpoints e) {
                client.endpoints().inNamespace(ns).resource(e).update();
            }

            @Override
            public Optional<Endpoints> get() {
                return Optional.ofNullable(client.endpoints().inNamespace(ns).withName(name).get());
            }
        }, cached, current -> EndpointsReconciler.desired(service, selected, current, trigger));
        if (outcome instanceof EndpointsWriter.Failed f) {
            recorder.event(service, EventRecorder.WARNING, f.reason(), f.message(key));
            throw f.error(); // the work queue requeues with backoff
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
