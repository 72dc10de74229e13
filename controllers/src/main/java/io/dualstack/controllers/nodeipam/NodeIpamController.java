package io.dualstack.controllers.nodeipam;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node IPAM controller (range allocator): gives every Node without {@code spec.podCIDRs} one
 * block per cluster CIDR, written with a merge patch of {@code spec.podCIDR} (first) and
 * {@code spec.podCIDRs}; occupies the blocks of nodes that already have them (on start, before any
 * allocation: the restart rebuild); releases them when the node is deleted. When a range is
 * exhausted the node keeps no CIDR and gets a Normal Event {@code CIDRNotAvailable} ("Node X
 * status is now: CIDRNotAvailable", source cidrAllocator, in namespace default, as upstream); the
 * node is tried again on its next update, as upstream.
 */
public final class NodeIpamController implements AutoCloseable {
    public static final String REASON_CIDR_NOT_AVAILABLE = "CIDRNotAvailable";
    public static final String REASON_CIDR_ASSIGNMENT_FAILED = "CIDRAssignmentFailed";

    private static final Logger LOG = LoggerFactory.getLogger(NodeIpamController.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final RangeAllocator allocator;
    private final EventRecorder recorder;
    private final SharedIndexInformer<Node> nodes;
    private final WorkQueue<String> queue;
    /** Nodes we patched whose update the informer may not show yet: name → (uid, cidrs). */
    private final Map<String, Written> inFlight = new ConcurrentHashMap<>();

    private record Written(String uid, List<String> cidrs) {}

    public NodeIpamController(SharedInformers informers, RangeAllocator allocator, EventRecorder recorder) {
        this.client = informers.client();
        this.allocator = allocator;
        this.recorder = recorder;
        this.nodes = informers.informer(Node.class);
        this.queue = new WorkQueue<>("nodeipam", 1, this::sync);
        nodes.addEventHandler(SharedInformers.<Node>handler(
                n -> onChange(n),
                (o, n) -> onChange(n),
                this::onDelete));
    }

    public RangeAllocator allocator() {
        return allocator;
    }

    public WorkQueue<String> queue() {
        return queue;
    }

    private void onChange(Node node) {
        List<String> cidrs = podCidrs(node);
        if (cidrs.isEmpty()) {
            queue.add(node.getMetadata().getName());
        } else {
            inFlight.remove(node.getMetadata().getName());
            occupyQuietly(node);
        }
    }

    private void onDelete(Node node) {
        String name = node.getMetadata().getName();
        Written written = inFlight.remove(name);
        List<String> cidrs = podCidrs(node);
        if (cidrs.isEmpty() && written != null && Objects.equals(written.uid(), node.getMetadata().getUid())) cidrs = written.cidrs();
        if (cidrs.isEmpty()) return;
        try {
            allocator.release(name, cidrs);
            LOG.info("released pod CIDRs {} of deleted node {}", cidrs, name);
        } catch (IllegalArgumentException e) {
            LOG.warn("could not release CIDRs of node {}: {}", name, e.getMessage());
        }
    }

    /** Call after the shared informers synced: rebuilds the allocation map, then starts allocating. */
    public void start() {
        for (Node node : nodes.getStore().list()) {
            if (!podCidrs(node).isEmpty()) occupyQuietly(node);
        }
        queue.start();
        for (Node node : nodes.getStore().list()) {
            if (podCidrs(node).isEmpty()) queue.add(node.getMetadata().getName());
        }
    }

    private void occupyQuietly(Node node) {
        try {
            allocator.occupy(node.getMetadata().getName(), podCidrs(node));
        } catch (IllegalArgumentException e) {
            LOG.error("node {}: {}", node.getMetadata().getName(), e.getMessage());
        }
    }

    static List<String> podCidrs(Node node) {
        if (node.getSpec() == null) return List.of();
        List<String> cidrs = node.getSpec().getPodCIDRs();
        if (cidrs != null && !cidrs.isEmpty()) return cidrs;
        String single = node.getSpec().getPodCIDR();
        return single == null || single.isEmpty() ? List.of() : List.of(single);
    }

    private void sync(String name) throws Exception {
        Node node = nodes.getStore().getByKey(name);
        if (node == null) return;
        if (!podCidrs(node).isEmpty()) {
            occupyQuietly(node);
            return;
        }
        Written pending = inFlight.get(name);
        if (pending != null && Objects.equals(pending.uid(), node.getMetadata().getUid())) return;
        RangeAllocator.Allocation allocation = allocator.allocate();
        if (allocation instanceof RangeAllocator.Exhausted exhausted) {
            LOG.warn("node {}: {}", name, exhausted.message());
            recorder.event(nodeReference(name), EventRecorder.NORMAL, REASON_CIDR_NOT_AVAILABLE,
                    "Node " + name + " status is now: " + REASON_CIDR_NOT_AVAILABLE);
            return;
        }
        RangeAllocator.Allocated allocated = (RangeAllocator.Allocated) allocation;
        List<String> cidrs = allocated.strings();
        String patch = JSON.writeValueAsString(Map.of("spec", Map.of("podCIDR", cidrs.get(0), "podCIDRs", cidrs)));
        try {
            inFlight.put(name, new Written(node.getMetadata().getUid(), cidrs));
            client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            LOG.info("Set Node PodCIDR node={} CIDR={}", name, cidrs);
        } catch (RuntimeException e) {
            inFlight.remove(name);
            allocator.release(allocated.podCidrs());
            recorder.event(nodeReference(name), EventRecorder.NORMAL, REASON_CIDR_ASSIGNMENT_FAILED,
                    "Node " + name + " status is now: " + REASON_CIDR_ASSIGNMENT_FAILED);
            throw e;
        }
    }

    /** upstream RecordNodeStatusChange's reference: kind Node, uid = the node's name. */
    static ObjectReference nodeReference(String name) {
        return new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(name).withUid(name).build();
    }

    @Override
    public void close() {
        queue.close();
    }
}
