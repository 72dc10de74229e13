package io.dualstack.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** The kubelet's node lease shape (pkg/kubelet/nodelease), as pure values. */
class NodeLeasesTest {
    static final Node NODE = new NodeBuilder().withNewMetadata().withName("lab-worker").withUid("uid-1").endMetadata().build();
    static final Instant T = Instant.parse("2026-11-21T16:30:00.123456789Z");

    @Test
    void desiredLeaseIsNamedAfterTheNodeHeldByItOwnedByItIn40sTerms() {
        Lease l = NodeLeases.desired(NODE, T);
        assertThat(l.getMetadata().getNamespace()).isEqualTo("kube-node-lease");
        assertThat(l.getMetadata().getName()).isEqualTo("lab-worker");
        assertThat(l.getSpec().getHolderIdentity()).isEqualTo("lab-worker");
        assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
        assertThat(l.getSpec().getRenewTime()).as("MicroTime precision")
                .isEqualTo(ZonedDateTime.of(2026, 11, 21, 16, 30, 0, 123456000, ZoneOffset.UTC));
        assertThat(l.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getApiVersion()).isEqualTo("v1");
            assertThat(o.getKind()).isEqualTo("Node");
            assertThat(o.getName()).isEqualTo("lab-worker");
            assertThat(o.getUid()).isEqualTo("uid-1");
        });
    }

    @Test
    void renewalMovesRenewTimeAndRestoresHolderKeepingOtherFields() {
        Lease stale = new LeaseBuilder(NodeLeases.desired(NODE, T)).editSpec().withHolderIdentity("someone-else")
                .withLeaseTransitions(3).endSpec().editMetadata().withResourceVersion("17").endMetadata().build();
        Instant later = T.plusSeconds(10);
        Lease r = NodeLeases.renewed(stale, NODE, later);
        assertThat(r.getSpec().getRenewTime().toInstant()).isEqualTo(later.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        assertThat(r.getSpec().getHolderIdentity()).isEqualTo("lab-worker");
        assertThat(r.getSpec().getLeaseTransitions()).isEqualTo(3);
        assertThat(r.getMetadata().getResourceVersion()).as("update is conditional on what was read").isEqualTo("17");
        assertThat(stale.getSpec().getHolderIdentity()).as("input not mutated").isEqualTo("someone-else");
    }
}
