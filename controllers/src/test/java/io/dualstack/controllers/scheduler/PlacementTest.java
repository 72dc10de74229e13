package io.dualstack.controllers.scheduler;

import io.dualstack.controllers.util.Fixtures;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.dualstack.controllers.util.Fixtures.labels;
import static io.dualstack.controllers.util.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PlacementTest {
    static final Taint CONTROL_PLANE = new Taint("NoSchedule", "node-role.kubernetes.io/control-plane", null, null);
    static final Node CP = node("kind-control-plane", true,
            labels("kubernetes.io/hostname", "kind-control-plane", "node-role.kubernetes.io/control-plane", ""), CONTROL_PLANE);
    static final Node W1 = node("kind-worker", true, labels("kubernetes.io/hostname", "kind-worker", "disk", "ssd"));
    static final Node W2 = node("kind-worker2", true, labels("kubernetes.io/hostname", "kind-worker2"));
    static final Node W2_NOT_READY = node("kind-worker2", false, labels("kubernetes.io/hostname", "kind-worker2"));

    static PodBuilder pending() {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("default").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("least pods wins (spread)", pending().build(), List.of(CP, W1, W2),
                        Map.of("kind-worker", 3, "kind-worker2", 1), "kind-worker2"),
                Arguments.of("ties broken by node name", pending().build(), List.of(W2, W1), Map.of(), "kind-worker"),
                Arguments.of("control-plane NoSchedule taint without toleration is avoided", pending().build(), List.of(CP, W1),
                        Map.of("kind-worker", 50), "kind-worker"),
                Arguments.of("control-plane taint tolerated (Exists)", pending().editSpec()
                        .withTolerations(new TolerationBuilder().withKey("node-role.kubernetes.io/control-plane").withOperator("Exists")
                                .withEffect("NoSchedule").build()).endSpec().build(), List.of(CP, W1), Map.of("kind-worker", 1),
                        "kind-control-plane"),
                Arguments.of("nodeSelector restricts to matching labels", pending().editSpec().withNodeSelector(labels("disk", "ssd")).endSpec().build(),
                        List.of(W1, W2), Map.of("kind-worker", 10), "kind-worker"),
                Arguments.of("nodeSelector on hostname", pending().editSpec().withNodeSelector(labels("kubernetes.io/hostname", "kind-worker2"))
                        .endSpec().build(), List.of(W1, W2), Map.of("kind-worker2", 10), "kind-worker2"),
                Arguments.of("not-ready node is avoided", pending().build(), List.of(W1, W2_NOT_READY), Map.of("kind-worker", 9), "kind-worker"),
                Arguments.of("empty-key Exists toleration tolerates every taint", pending().editSpec()
                        .withTolerations(new TolerationBuilder().withOperator("Exists").build()).endSpec().build(), List.of(CP), Map.of(),
                        "kind-control-plane"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void places(String name, Pod pod, List<Node> nodes, Map<String, Integer> counts, String expected) {
        assertEquals(new Placement.Bind(expected), Placement.schedule(pod, nodes, counts));
    }

    @Test
    void unschedulableMessageCountsReasonsLikeUpstream() {
        Pod pod = pending().editSpec().withNodeSelector(labels("disk", "ssd")).endSpec().build();
        Placement.Decision d = Placement.schedule(pod, List.of(CP, W2, W2_NOT_READY), Map.of());
        assertThat(d).isInstanceOf(Placement.Unschedulable.class);
        assertThat(((Placement.Unschedulable) d).message()).isEqualTo(
                "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
                        + "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                        + "1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. "
                        + "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
    }

    @Test
    void podsWithNodeNameOrOtherSchedulerAreNotPending() {
        assertThat(Scheduler.isPending(pending().build())).isTrue();
        assertThat(Scheduler.isPending(pending().editSpec().withNodeName("kind-worker").endSpec().build())).isFalse();
        assertThat(Scheduler.isPending(pending().editSpec().withSchedulerName("other").endSpec().build())).isFalse();
        assertThat(Scheduler.isPending(pending().editSpec().withSchedulerName("default-scheduler").endSpec().build())).isTrue();
        assertThat(Scheduler.isPending(Fixtures.pod("x", null, false).editStatus().withPhase("Succeeded").endStatus().build())).isFalse();
    }
}
