package io.dualstack.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * Node heartbeat leases, as the kubelet keeps them ({@code pkg/kubelet/nodelease}): one
 * {@code coordination.k8s.io/v1 Lease} per node in {@code kube-node-lease}, named after the node,
 * {@code holderIdentity} the node name, {@code leaseDurationSeconds} 40, {@code renewTime}
 * refreshed every heartbeat (10 s), owned by the Node so it goes when the node goes.
 */
public final class NodeLeases {
    private NodeLeases() {
    }

    public static final String NAMESPACE = "kube-node-lease";
    /** kubelet's default {@code nodeLeaseDurationSeconds}. */
    public static final int DURATION_SECONDS = 40;

    /** The lease {@code node} should hold at {@code now} (pure). */
    public static Lease desired(Node node, Instant now) {
        String name = node.getMetadata().getName();
        return new LeaseBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE)
                        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
                                .withName(name).withUid(node.getMetadata().getUid()).build())
                        .build())
                .withNewSpec()
                .withHolderIdentity(name)
                .withLeaseDurationSeconds(DURATION_SECONDS)
                .withRenewTime(ZonedDateTime.ofInstant(now.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC))
                .endSpec()
                .build();
    }

    /** {@code current} renewed at {@code now}: holder, duration and owner as {@link #desired}, other fields kept. */
    public static Lease renewed(Lease current, Node node, Instant now) {
        Lease want = desired(node, now);
        Lease out = new LeaseBuilder(current).build();
        out.getMetadata().setOwnerReferences(want.getMetadata().getOwnerReferences());
        out.getSpec().setHolderIdentity(want.getSpec().getHolderIdentity());
        out.getSpec().setLeaseDurationSeconds(DURATION_SECONDS);
        out.getSpec().setRenewTime(want.getSpec().getRenewTime());
        return out;
    }

    /** Creates or renews the lease of {@code node} (one retry on a conflict or a racing create). */
    static Lease renew(KubernetesClient client, Node node, Instant now) {
        var leases = client.leases().inNamespace(NAMESPACE);
        String name = node.getMetadata().getName();
        for (int attempt = 0; ; attempt++) {
            try {
                Lease current = leases.withName(name).get();
                if (current == null) return leases.resource(desired(node, now)).create();
                if (current.getSpec() == null) current.setSpec(desired(node, now).getSpec());
                return leases.resource(renewed(current, node, now)).update();
            } catch (KubernetesClientException e) {
                if ((e.getCode() != 409) || attempt >= 2) throw e;
            }
        }
    }
}
