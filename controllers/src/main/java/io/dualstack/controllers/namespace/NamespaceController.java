package io.dualstack.controllers.namespace;

import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The namespace controller (upstream {@code pkg/controller/namespace}): for a namespace being
 * deleted (Terminating) it deletes every object of every namespaced kind this cluster serves,
 * reports what remains in the {@code NamespaceContentRemaining} condition, and once nothing is
 * left removes the {@code kubernetes} finalizer through {@code /finalize} so the API server can
 * remove the namespace.
 */
public final class NamespaceController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NamespaceController.class);
    static final String FINALIZER = "kubernetes";

    /** Namespaced kinds, deleted in this order (owners first so their dependents are collected too). */
    static final List<Map.Entry<String, Class<? extends HasMetadata>>> KINDS = List.of(
            Map.entry("deployments.apps", Deployment.class),
            Map.entry("replicasets.apps", ReplicaSet.class),
            Map.entry("pods", Pod.class),
            Map.entry("services", Service.class),
            Map.entry("endpointslices.discovery.k8s.io", EndpointSlice.class),
            Map.entry("endpoints", Endpoints.class),
            Map.entry("configmaps", ConfigMap.class),
            Map.entry("networkpolicies.networking.k8s.io", NetworkPolicy.class),
            Map.entry("events", Event.class));

    private final KubernetesClient client;
    private final SharedIndexInformer<Namespace> namespaces;
    private final WorkQueue<String> queue;

    public NamespaceController(SharedInformers shared, int workers) {
        this.client = shared.client();
        this.namespaces = shared.informer(Namespace.class);
        this.queue = new WorkQueue<>("namespace", workers, this::sync);
        namespaces.addEventHandler(SharedInformers.handler(this::maybe, (o, n) -> maybe(n), ns -> {}));
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    public void start() {
        queue.start();
        for (Namespace ns : namespaces.getStore().list()) maybe(ns);
    }

    private void maybe(Namespace ns) {
        if (ns.getMetadata().getDeletionTimestamp() != null) queue.add(ns.getMetadata().getName());
    }

    private void sync(String name) throws Exception {
        Namespace ns = namespaces.getStore().getByKey(name);
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) return;
        List<String> finalizers = ns.getSpec() == null || ns.getSpec().getFinalizers() == null ? List.of() : ns.getSpec().getFinalizers();
        if (!finalizers.contains(FINALIZER)) return;
        Map<String, Integer> remaining = new LinkedHashMap<>();
        for (Map.Entry<String, Class<? extends HasMetadata>> kind : KINDS) {
            List<? extends HasMetadata> items = client.resources(kind.getValue()).inNamespace(name).list().getItems();
            if (items.isEmpty()) continue;
            remaining.put(kind.getKey(), items.size());
            for (HasMetadata o : items) {
                if (o.getMetadata().getDeletionTimestamp() != null) continue;
                try {
                    client.resources(kind.getValue()).inNamespace(name).withName(o.getMetadata().getName()).delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404 && e.getCode() != 409) throw e;
                }
            }
        }
        if (!remaining.isEmpty()) {
            setConditions(ns, remaining);
            queue.addAfter(name, Duration.ofSeconds(1));
            return;
        }
        finalizeNamespace(name);
    }

    /** upstream's NamespaceContentRemaining condition: {@code Some resources are remaining: pods. has 2 resource instances}. */
    static String remainingMessage(Map<String, Integer> remaining) {
        List<String> parts = new ArrayList<>();
        remaining.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> parts.add(e.getKey() + " has " + e.getValue() + " resource instances"));
        return "Some resources are remaining: " + String.join(", ", parts);
    }

    private void setConditions(Namespace ns, Map<String, Integer> remaining) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        NamespaceCondition c = new NamespaceConditionBuilder().withType("NamespaceContentRemaining").withStatus("True")
                .withReason("SomeResourcesRemain").withMessage(remainingMessage(remaining)).withLastTransitionTime(now).build();
        List<NamespaceCondition> conditions = new ArrayList<>(ns.getStatus() == null || ns.getStatus().getConditions() == null
                ? List.of() : ns.getStatus().getConditions());
        for (NamespaceCondition old : conditions) {
            if (old.getType().equals(c.getType()) && old.getMessage() != null && old.getMessage().equals(c.getMessage())) return;
        }
        conditions.removeIf(x -> x.getType().equals(c.getType()));
        conditions.add(c);
        Namespace copy = new NamespaceBuilder(ns).editOrNewStatus().withConditions(conditions).endStatus().build();
        try {
            client.namespaces().resource(copy).updateStatus();
        } catch (KubernetesClientException e) {
            log.debug("namespace {} condition not written: {}", ns.getMetadata().getName(), e.getMessage());
        }
    }

    /** PUT /api/v1/namespaces/{name}/finalize without the {@code kubernetes} finalizer. */
    private void finalizeNamespace(String name) throws Exception {
        for (int attempt = 0; ; attempt++) {
            Namespace fresh = client.namespaces().withName(name).get();
            if (fresh == null) return;
            List<String> f = new ArrayList<>(fresh.getSpec() == null || fresh.getSpec().getFinalizers() == null ? List.of() : fresh.getSpec().getFinalizers());
            if (!f.remove(FINALIZER)) return;
            fresh.getSpec().setFinalizers(f);
            String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + name + "/finalize";
            HttpRequest req = client.getHttpClient().newHttpRequestBuilder().uri(url)
                    .put("application/json", Serialization.asJson(fresh)).build();
            HttpResponse<String> resp = client.getHttpClient().sendAsync(req, String.class).get(30, TimeUnit.SECONDS);
            if (resp.code() == 200 || resp.code() == 404) return;
            if (resp.code() != 409 || attempt >= 5) {
                throw new IllegalStateException("finalize namespace " + name + ": HTTP " + resp.code() + " " + resp.body());
            }
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
