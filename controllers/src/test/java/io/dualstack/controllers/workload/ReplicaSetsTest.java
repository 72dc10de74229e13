package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class ReplicaSetsTest {
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    static Pod pod(String name, String node, String phase, boolean ready, String created, String readySince) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withCreationTimestamp(created)
                .addToLabels("app", "web").endMetadata().withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(readySince).endCondition().endStatus();
        return b.build();
    }

    static Stream<Arguments> podsToDelete() {
        Pod unscheduled = pod("unscheduled", null, "Pending", false, "2026-11-21T10:00:00Z", null);
        Pod pending = pod("pending", "n1", "Pending", false, "2026-11-21T10:00:00Z", null);
        Pod notReady = pod("not-ready", "n1", "Running", false, "2026-11-21T10:00:00Z", null);
        Pod readyOld = pod("ready-old", "n1", "Running", true, "2026-11-21T09:00:00Z", "2026-11-21T09:00:05Z");
        Pod readyNew = pod("ready-new", "n1", "Running", true, "2026-11-21T11:00:00Z", "2026-11-21T11:00:05Z");
        return Stream.of(
                argumentSet("unscheduled before scheduled", List.of(readyOld, unscheduled), 1, List.of("unscheduled")),
                argumentSet("Pending before Running", List.of(readyOld, pending), 1, List.of("pending")),
                argumentSet("not ready before ready", List.of(readyOld, notReady), 1, List.of("not-ready")),
                argumentSet("newer before older", List.of(readyOld, readyNew), 1, List.of("ready-new")),
                argumentSet("full order", List.of(readyOld, readyNew, notReady, pending, unscheduled), 5,
                        List.of("unscheduled", "pending", "not-ready", "ready-new", "ready-old")));
    }

    @ParameterizedTest
    @MethodSource
    void podsToDelete(List<Pod> active, int count, List<String> expected) {
        assertThat(ReplicaSets.podsToDelete(active, count)).extracting(p -> p.getMetadata().getName()).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> activity() {
        Pod running = pod("a", "n1", "Running", true, "t", "2026-11-21T11:00:00Z");
        Pod terminating = new PodBuilder(running).editMetadata().withDeletionTimestamp("2026-11-21T11:30:00Z").endMetadata().build();
        Pod failed = new PodBuilder(running).editStatus().withPhase("Failed").endStatus().build();
        Pod succeeded = new PodBuilder(running).editStatus().withPhase("Succeeded").endStatus().build();
        return Stream.of(
                argumentSet("running pod is active", running, true),
                argumentSet("terminating pod is not counted", terminating, false),
                argumentSet("failed pod is not counted", failed, false),
                argumentSet("succeeded pod is not counted", succeeded, false));
    }

    @ParameterizedTest
    @MethodSource
    void activity(Pod p, boolean active) {
        assertThat(ReplicaSets.isActive(p)).isEqualTo(active);
    }

    static ReplicaSet rs(int minReady) {
        return new ReplicaSetBuilder().withNewMetadata().withName("web-abc").withNamespace("default").withUid("rs-uid").withGeneration(3L).endMetadata()
                .withNewSpec().withReplicas(3).withMinReadySeconds(minReady).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").addToLabels("pod-template-hash", "abc").endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build();
    }

    @Test
    void statusCountsReadyAvailableAndFullyLabeled() {
        Pod ready = pod("a", "n1", "Running", true, "t", "2026-11-21T11:59:50Z");
        ready.getMetadata().getLabels().put("pod-template-hash", "abc");
        Pod readyLongAgo = pod("b", "n1", "Running", true, "t", "2026-11-21T11:00:00Z");
        readyLongAgo.getMetadata().getLabels().put("pod-template-hash", "abc");
        Pod notReady = pod("c", "n1", "Running", false, "t", null);
        ReplicaSetStatus s = ReplicaSets.status(rs(30), List.of(ready, readyLongAgo, notReady), Optional.empty(), NOW);
        assertThat(s.getReplicas()).isEqualTo(3);
        assertThat(s.getFullyLabeledReplicas()).as("pod c lacks pod-template-hash").isEqualTo(2);
        assertThat(s.getReadyReplicas()).isEqualTo(2);
        assertThat(s.getAvailableReplicas()).as("minReadySeconds 30: a is ready for only 10s").isEqualTo(1);
        assertThat(s.getObservedGeneration()).isEqualTo(3L);
        assertThat(ReplicaSets.nextAvailabilityCheck(rs(30), List.of(ready), NOW)).contains(Instant.parse("2026-11-21T12:00:20Z"));
    }

    @Test
    void createFailureIsAReplicaFailureCondition() {
        ReplicaSetStatus s = ReplicaSets.status(rs(0), List.of(), Optional.of("pods \"x\" is forbidden"), NOW);
        assertThat(s.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("ReplicaFailure");
            assertThat(c.getReason()).isEqualTo("FailedCreate");
        });
    }

    @Test
    void podFromTemplateCarriesLabelsAndControllerRef() {
        Pod p = ReplicaSets.podFromTemplate(rs(0));
        assertThat(p.getMetadata().getGenerateName()).isEqualTo("web-abc-");
        assertThat(p.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("pod-template-hash", "abc");
        assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> {
            assertThat(r.getKind()).isEqualTo("ReplicaSet");
            assertThat(r.getUid()).isEqualTo("rs-uid");
            assertThat(r.getController()).isTrue();
            assertThat(r.getBlockOwnerDeletion()).isTrue();
        });
        assertThat(p.getSpec().getContainers()).singleElement().extracting(c -> c.getImage()).isEqualTo("nginx");
    }
}
