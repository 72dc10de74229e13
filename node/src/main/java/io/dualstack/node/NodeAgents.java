package io.dualstack.node;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.Component;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The node agents of a cluster (kubelet + kindnet-like CNI, KWOK-like: pods are addressed, not
 * run). Registers every node the plan names, keeps their Ready condition fresh, and for every pod
 * bound to one of them: addresses it through that node's {@link PodNetwork} from the node's
 * {@code spec.podCIDRs}, reports it Running with podIP(s), hostIP(s), conditions and container
 * statuses, drives readiness from the {@value PodStatuses#READY_ANNOTATION} annotation, and
 * finishes graceful deletion. Talks only to the API.
 */
public final class NodeAgents implements Component {
    private static final Logger log = LoggerFactory.getLogger(NodeAgents.class);
    private static final String NODE_KEY = "node:";

    private final KubernetesClient client;
    private final ClusterPlan plan;
    private final PodNetwork.Factory networks;
    private final Duration heartbeat;
    private final int workers;
    private final NodeObjects.Host host = NodeObjects.Host.current();
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    /** Pod key → the pod (uid) holding addresses on a node, so a vanished pod can be released. */
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final KeyQueue queue = new KeyQueue("node-agents");
    private final List<Thread> threads = new ArrayList<>();
    private ScheduledExecutorService heartbeats;
    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Node> nodeInformer;

    private record Held(String node, PodRef pod) {}

    private static final class NodeState {
        final String name;
        final int index;
        volatile List<String> hostIps = List.of();
        PodNetwork network;
        final Set<String> waiting = ConcurrentHashMap.newKeySet();
        final Set<String> reported = ConcurrentHashMap.newKeySet();

        NodeState(String name, int index) {
            this.name = name;
            this.index = index;
        }
    }

    public NodeAgents(KubernetesClient client, ClusterPlan plan) {
        this(client, plan, AllocatingPodNetwork::new, Duration.ofSeconds(10), 2);
    }

    /**
     * @param networks  makes each node's pod network (the data plane plugs in here)
     * @param heartbeat how often each node's Ready condition is refreshed (kubelet: 10s)
     * @param workers   threads handling pods
     */
    public NodeAgents(KubernetesClient client, ClusterPlan plan, PodNetwork.Factory networks, Duration heartbeat, int workers) {
        this.client = client;
        this.plan = plan;
        this.networks = networks;
        this.heartbeat = heartbeat;
        this.workers = workers;
        for (int i = 0; i < plan.nodes().size(); i++) {
            String name = plan.nodes().get(i).name();
            nodes.put(name, new NodeState(name, i));
        }
    }

    @Override
    public String name() {
        return "node-agents";
    }

    @Override
    public void start() throws Exception {
        for (NodeState n : nodes.values()) register(n);
        nodeInformer = client.nodes().inform(new ResourceEventHandler<>() {
            @Override public void onAdd(Node node) { onNode(node); }
            @Override public void onUpdate(Node o, Node node) { onNode(node); }
            @Override public void onDelete(Node node, boolean unknown) {}
        }, 0);
        pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override public void onAdd(Pod p) { onPod(p); }
            @Override public void onUpdate(Pod o, Pod p) { onPod(p); }
            @Override public void onDelete(Pod p, boolean unknown) { queue.add(key(p)); }
        }, 0);
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::work, "node-agent-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long ms = heartbeat.toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeatAll, ms, ms, TimeUnit.MILLISECONDS);
        for (Node n : nodeInformer.getStore().list()) onNode(n);
    }

    @Override
    public void close() {
        queue.close();
        if (heartbeats != null) heartbeats.shutdownNow();
        if (pods != null) pods.close();
        if (nodeInformer != null) nodeInformer.close();
        for (Thread t : threads) t.interrupt();
        for (NodeState n : nodes.values()) {
            synchronized (n) {
                if (n.network != null) n.network.close();
            }
        }
    }

    // ---- events → queue ----

    private void onNode(Node node) {
        NodeState n = nodes.get(node.getMetadata().getName());
        if (n == null) return;
        n.hostIps = PodStatuses.hostIps(node);
        queue.add(NODE_KEY + n.name);
    }

    private void onPod(Pod p) {
        String nodeName = p.getSpec() == null ? null : p.getSpec().getNodeName();
        if ((nodeName != null && nodes.containsKey(nodeName)) || held.containsKey(key(p))) queue.add(key(p));
    }

    private static String key(Pod p) {
        return p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
    }

    private void work() {
        while (true) {
            Optional<String> next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (next.isEmpty()) return;
            String key = next.get();
            try {
                if (key.startsWith(NODE_KEY)) syncNode(key.substring(NODE_KEY.length()));
                else syncPod(key);
            } catch (RuntimeException e) {
                log.warn("node agent: {} failed, retrying: {}", key, e.toString());
                queue.addAfter(key, 1000);
            } finally {
                queue.done(key);
            }
        }
    }

    // ---- nodes ----

    /** Once the node has podCIDRs: make its pod network, re-adopt pods addressed earlier, then handle its pods. */
    private void syncNode(String name) {
        NodeState n = nodes.get(name);
        Node node = nodeInformer.getStore().getByKey(name);
        if (node == null) return;
        synchronized (n) {
            if (n.network != null) return;
            List<IPAddress> cidrs = podCidrs(node);
            if (cidrs.isEmpty()) return;
            n.network = networks.forNode(name, cidrs);
            for (Pod p : pods.getStore().list()) {
                if (!name.equals(p.getSpec().getNodeName()) || terminal(p)) continue;
                List<IPAddress> ips = podIps(p);
                if (ips.isEmpty()) continue;
                PodRef ref = PodRef.of(p);
                if (n.network.restore(ref, ips)) held.put(key(p), new Held(name, ref));
                else log.warn("node {}: pod {} has addresses {} outside its ranges; it gets new ones", name, ref, ips);
            }
        }
        for (Pod p : pods.getStore().list()) {
            if (name.equals(p.getSpec().getNodeName())) queue.add(key(p));
        }
    }

    static List<IPAddress> podCidrs(Node node) {
        List<String> cidrs = node.getSpec() == null ? null : node.getSpec().getPodCIDRs();
        if ((cidrs == null || cidrs.isEmpty()) && node.getSpec() != null && node.getSpec().getPodCIDR() != null) {
            cidrs = List.of(node.getSpec().getPodCIDR());
        }
        if (cidrs == null) return List.of();
        return cidrs.stream().map(c -> new IPAddressString(c).getAddress()).filter(a -> a != null).toList();
    }

    static List<IPAddress> podIps(Pod p) {
        if (p.getStatus() == null || p.getStatus().getPodIPs() == null) return List.of();
        return p.getStatus().getPodIPs().stream().map(PodIP::getIp).map(s -> new IPAddressString(s).getAddress())
                .filter(a -> a != null).toList();
    }

    private void register(NodeState n) {
        Instant now = now();
        Node desired = NodeObjects.node(plan, n.index, host, now);
        Node current = client.nodes().withName(n.name).get();
        if (current == null) {
            try {
                current = client.nodes().resource(copyWithoutStatus(desired)).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) throw e;
                current = client.nodes().withName(n.name).get();
            }
        } else {
            current = updateNode(n.name, node -> {
                node.getMetadata().getLabels().putAll(desired.getMetadata().getLabels());
                List<Taint> taints = new ArrayList<>(node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints());
                for (Taint t : desired.getSpec().getTaints()) {
                    if (taints.stream().noneMatch(x -> t.getKey().equals(x.getKey()) && t.getEffect().equals(x.getEffect()))) taints.add(t);
                }
                node.getSpec().setTaints(taints);
                return node;
            }, false);
        }
        Node registered = updateNode(n.name, node -> {
            node.setStatus(desired.getStatus());
            return node;
        }, true);
        renewLease(n.name, registered, now);
        n.hostIps = PodStatuses.hostIps(desired);
        log.info("node {} registered with addresses {}", n.name, n.hostIps);
    }

    private static Node copyWithoutStatus(Node desired) {
        Node copy = new io.fabric8.kubernetes.api.model.NodeBuilder(desired).build();
        copy.setStatus(null);
        return copy;
    }

    private void heartbeatAll() {
        for (NodeState n : nodes.values()) {
            try {
                Node current = nodeInformer.getStore().getByKey(n.name);
                if (current == null) current = client.nodes().withName(n.name).get();
                if (current == null) {
                    log.warn("node {} was deleted; registering it again", n.name);
                    register(n);
                    continue;
                }
                Instant now = now();
                renewLease(n.name, current, now);
                updateNode(n.name, node -> {
                    List<NodeCondition> fresh = new ArrayList<>();
                    List<NodeCondition> old = node.getStatus().getConditions() == null ? List.of() : node.getStatus().getConditions();
                    for (NodeCondition c : NodeObjects.conditions(now, now)) {
                        Optional<NodeCondition> prev = old.stream().filter(o -> c.getType().equals(o.getType())).findFirst();
                        if (prev.isPresent() && c.getStatus().equals(prev.get().getStatus()) && prev.get().getLastTransitionTime() != null) {
                            c.setLastTransitionTime(prev.get().getLastTransitionTime());
                        }
                        fresh.add(c);
                    }
                    node.getStatus().setConditions(fresh);
                    return node;
                }, true);
            } catch (RuntimeException e) {
                log.warn("node {}: heartbeat failed: {}", n.name, e.toString());
            }
        }
    }

    /** The node's heartbeat Lease in kube-node-lease (as the kubelet); a failure is logged, the node heartbeat goes on. */
    private void renewLease(String name, Node node, Instant now) {
        try {
            if (node != null && node.getMetadata() != null) NodeLeases.renew(client, node, now);
        } catch (RuntimeException e) {
            log.warn("node {}: lease renewal failed: {}", name, e.toString());
        }
    }

    /** Get–modify–put with retry on conflict (the first try starts from the informer's copy when there is one). */
    private Node updateNode(String name, UnaryOperator<Node> change, boolean status) {
        for (int attempt = 0; ; attempt++) {
            Node cached = attempt == 0 && nodeInformer != null ? nodeInformer.getStore().getByKey(name) : null;
            Node current = cached != null ? new io.fabric8.kubernetes.api.model.NodeBuilder(cached).build() : client.nodes().withName(name).get();
            if (current == null) return null;
            if (current.getMetadata().getLabels() == null) current.getMetadata().setLabels(new LinkedHashMap<>());
            if (current.getSpec() == null) current.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
            if (current.getStatus() == null) current.setStatus(new io.fabric8.kubernetes.api.model.NodeStatus());
            Node changed = change.apply(current);
            try {
                return status ? client.nodes().resource(changed).updateStatus() : client.nodes().resource(changed).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) throw e;
            }
        }
    }

    // ---- pods ----

    private void syncPod(String key) {
        Pod pod = pods.getStore().getByKey(key);
        Held h = held.get(key);
        if (pod == null) {
            if (h != null) release(key, h);
            return;
        }
        PodRef ref = PodRef.of(pod);
        if (h != null && !h.pod().equals(ref)) release(key, h); // a new pod took the name
        NodeState n = nodes.get(pod.getSpec().getNodeName());
        if (n == null) return;
        if (terminal(pod)) {
            Held again = held.get(key);
            if (again != null) release(key, again);
            return;
        }
        PodNetwork net;
        synchronized (n) {
            net = n.network;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            finishDeletion(pod, n, net);
            return;
        }
        if (net == null) return; // no podCIDRs yet: the node sync enqueues this pod later
        PodAddresses addresses;
        try {
            addresses = net.setUp(ref);
        } catch (PodNetworkException e) {
            n.waiting.add(key);
            if (n.reported.add(key)) event(pod, n.name, "Warning", e.reason(), e.getMessage());
            return;
        }
        held.put(key, new Held(n.name, ref));
        n.waiting.remove(key);
        n.reported.remove(key);
        updatePodStatus(pod, p -> PodStatuses.running(p, addresses, n.hostIps, now()));
    }

    private void finishDeletion(Pod pod, NodeState n, PodNetwork net) {
        String key = key(pod);
        if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
            updatePodStatus(pod, p -> PodStatuses.terminating(p, now()));
        }
        Held h = held.get(key);
        if (h != null) release(key, h);
        else if (net != null) net.tearDown(PodRef.of(pod));
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) throw e;
        }
        n.reported.remove(key);
        n.waiting.remove(key);
    }

    private void release(String key, Held h) {
        NodeState n = nodes.get(h.node());
        held.remove(key, h);
        if (n == null) return;
        PodNetwork net;
        synchronized (n) {
            net = n.network;
        }
        if (net != null) net.tearDown(h.pod());
        for (String w : n.waiting) queue.add(w);
    }

    /** Writes {@code status(pod)} when it differs; on a conflict re-reads the pod (same uid) and recomputes. */
    private void updatePodStatus(Pod pod, java.util.function.Function<Pod, PodStatus> status) {
        Pod current = pod;
        for (int attempt = 0; ; attempt++) {
            PodStatus desired = status.apply(current);
            if (desired.equals(current.getStatus())) return;
            Pod copy = new io.fabric8.kubernetes.api.model.PodBuilder(current).withStatus(desired).build();
            try {
                client.pods().inNamespace(copy.getMetadata().getNamespace()).resource(copy).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) return;
                if (e.getCode() != 409 || attempt >= 10) throw e;
            }
            current = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).get();
            if (current == null || !pod.getMetadata().getUid().equals(current.getMetadata().getUid())) return;
        }
    }

    private void event(Pod pod, String nodeName, String type, String reason, String message) {
        Instant now = now();
        Event ev = new EventBuilder()
                .withNewMetadata().withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace()).withUid(pod.getMetadata().getUid())
                .withResourceVersion(pod.getMetadata().getResourceVersion()).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent("kubelet").withHost(nodeName).endSource()
                .withFirstTimestamp(now.toString()).withLastTimestamp(now.toString()).withCount(1)
                .withReportingComponent("kubelet").withReportingInstance(nodeName)
                .build();
        try {
            client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(ev).create();
        } catch (KubernetesClientException e) {
            log.warn("event for {} not recorded: {}", key(pod), e.toString());
        }
    }

    private static boolean terminal(Pod p) {
        String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Pods waiting for an address on a node (its range is exhausted). */
    public int waitingPods(String nodeName) {
        NodeState n = nodes.get(nodeName);
        return n == null ? 0 : n.waiting.size();
    }
}
