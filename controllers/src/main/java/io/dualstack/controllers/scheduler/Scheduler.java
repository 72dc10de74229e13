package io.dualstack.controllers.scheduler;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.Pods;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler: binds pending pods without {@code spec.nodeName} whose schedulerName is empty or
 * {@code default-scheduler} to the node {@link Placement} picks. The API here serves no
 * {@code pods/binding} subresource, so binding is a merge patch of {@code spec.nodeName} on the
 * pod (upstream POSTs a Binding), followed by the {@code PodScheduled=True} condition on the
 * status subresource and a Normal {@code Scheduled} event. A pod that fits nowhere gets
 * {@code PodScheduled=False} reason {@code Unschedulable} and a Warning {@code FailedScheduling}
 * event; it is retried when a node changes, and every {@link #RETRY_UNSCHEDULABLE}.
 */
public final class Scheduler implements AutoCloseable {
    public static final String NAME = "default-scheduler";
    public static final Duration RETRY_UNSCHEDULABLE = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final EventRecorder recorder;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final WorkQueue<String> queue;
    /** Pods bound by us that the informer may not show bound yet: pod key → node. */
    private final Map<String, String> assumed = new ConcurrentHashMap<>();
    private final Map<String, String> lastUnschedulableMessage = new ConcurrentHashMap<>();
    /** Non-terminal pods bound to each node, kept from pod events (pod key → node, node → count). */
    private final Map<String, String> boundTo = new ConcurrentHashMap<>();
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    public Scheduler(SharedInformers informers, EventRecorder recorder) {
        this.client = informers.client();
        this.recorder = recorder;
        this.pods = informers.informer(Pod.class);
        this.nodes = informers.informer(Node.class);
        this.queue = new WorkQueue<>("scheduler", 1, this::sync);
        pods.addEventHandler(SharedInformers.<Pod>handler(this::onPod, (o, n) -> onPod(n), this::onPodDelete));
        nodes.addEventHandler(SharedInformers.<Node>handler(n -> retryUnschedulable(), (o, n) -> {
            if (Placement.isReady(o) != Placement.isReady(n) || !Objects.equals(o.getSpec(), n.getSpec())
                    || !Objects.equals(o.getMetadata().getLabels(), n.getMetadata().getLabels())) {
                retryUnschedulable();
            }
        }, n -> { }));
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    public void start() {
        queue.start();
        retryPending();
    }

    static boolean isPending(Pod pod) {
        if (pod.getSpec() == null) return false;
        String nodeName = pod.getSpec().getNodeName();
        if (nodeName != null && !nodeName.isEmpty()) return false;
        String scheduler = pod.getSpec().getSchedulerName();
        if (scheduler != null && !scheduler.isEmpty() && !NAME.equals(scheduler)) return false;
        return !Pods.isTerminal(pod) && !Pods.isTerminating(pod);
    }

    private static String key(Pod pod) {
        return Pods.key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    }

    private void onPod(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        track(key(pod), node == null || node.isEmpty() || Pods.isTerminal(pod) ? null : node);
        if (isPending(pod)) queue.add(key(pod));
        else if (node != null && !node.isEmpty()) assumed.remove(key(pod));
    }

    private void onPodDelete(Pod pod) {
        track(key(pod), null);
        assumed.remove(key(pod));
        lastUnschedulableMessage.remove(key(pod));
    }

    private synchronized void track(String podKey, String node) {
        String before = node == null ? boundTo.remove(podKey) : boundTo.put(podKey, node);
        if (Objects.equals(before, node)) return;
        if (before != null) counts.computeIfPresent(before, (k, v) -> v <= 1 ? null : v - 1);
        if (node != null) counts.merge(node, 1, Integer::sum);
    }

    /** A node appeared or changed: pods found unschedulable get another chance (upstream moves them back to the active queue). */
    private void retryUnschedulable() {
        for (String key : lastUnschedulableMessage.keySet()) queue.add(key);
    }

    private void retryPending() {
        for (Pod pod : pods.getStore().list()) if (isPending(pod)) queue.add(key(pod));
    }

    /** Pods per node: bound pods that are not terminal, plus pods we bound that the cache does not show yet. */
    Map<String, Integer> podsPerNode() {
        Map<String, Integer> counts = new HashMap<>(this.counts);
        for (var e : assumed.entrySet()) {
            Pod cached = pods.getStore().getByKey(e.getKey());
            if (cached != null && isPending(cached)) counts.merge(e.getValue(), 1, Integer::sum);
        }
        return counts;
    }

    private void sync(String key) throws Exception {
        Pod pod = pods.getStore().getByKey(key);
        if (pod == null || !isPending(pod) || assumed.containsKey(key)) return;
        List<Node> candidates = new ArrayList<>(nodes.getStore().list());
        Placement.Decision decision = Placement.schedule(pod, candidates, podsPerNode());
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (decision instanceof Placement.Bind bind) {
            assumed.put(key, bind.nodeName());
            try {
                client.pods().inNamespace(ns).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE),
                        JSON.writeValueAsString(Map.of("spec", Map.of("nodeName", bind.nodeName()))));
            } catch (KubernetesClientException e) {
                assumed.remove(key);
                if (e.getCode() == 404) return;
                throw e;
            }
            lastUnschedulableMessage.remove(key);
            writeCondition(pod, "True", null, null);
            recorder.event(pod, EventRecorder.NORMAL, "Scheduled",
                    "Successfully assigned " + ns + "/" + name + " to " + bind.nodeName());
        } else {
            String message = ((Placement.Unschedulable) decision).message();
            if (!message.equals(lastUnschedulableMessage.put(key, message))) {
                writeCondition(pod, "False", "Unschedulable", message);
                recorder.event(pod, EventRecorder.WARNING, "FailedScheduling", message);
            }
            queue.addAfter(key, RETRY_UNSCHEDULABLE);
        }
    }

    private void writeCondition(Pod pod, String status, String reason, String message) {
        String now = DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        List<PodCondition> conditions = new ArrayList<>();
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) if (!"PodScheduled".equals(c.getType())) conditions.add(c);
        }
        conditions.add(new PodConditionBuilder().withType("PodScheduled").withStatus(status).withReason(reason)
                .withMessage(message).withLastTransitionTime(now).build());
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(Map.of("status", Map.of("conditions", conditions))));
        } catch (Exception e) {
            LOG.warn("could not set PodScheduled={} on {}/{}: {}", status, pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.toString());
        }
    }

    @Override
    public void close() {
        queue.close();
    }
}
