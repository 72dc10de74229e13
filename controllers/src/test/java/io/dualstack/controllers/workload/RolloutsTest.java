package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class RolloutsTest {
    static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    static Deployment deployment(int replicas, String surge, String unavailable) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace("default").withUid("d-uid").withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(intOrPercent(surge)).withMaxUnavailable(intOrPercent(unavailable)).endRollingUpdate().endStrategy()
                .withProgressDeadlineSeconds(600).withRevisionHistoryLimit(10)
                .withTemplate(template("nginx:1.27")).endSpec().build();
    }

    static IntOrString intOrPercent(String v) {
        return v.endsWith("%") ? new IntOrString(v) : new IntOrString(Integer.parseInt(v));
    }

    static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage(image).endContainer().endSpec().build();
    }

    /** A ReplicaSet with spec replicas and status (replicas, available). */
    static ReplicaSet rs(String name, String created, int spec, int status, int available) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("default").withCreationTimestamp(created).endMetadata()
                .withNewSpec().withReplicas(spec).endSpec()
                .withNewStatus().withReplicas(status).withReadyReplicas(available).withAvailableReplicas(available).endStatus().build();
    }

    static Stream<Arguments> fenceposts() {
        return Stream.of(
                argumentSet("25%/25% of 4: surge 1, unavailable 1", 4, "25%", "25%", 1, 1),
                argumentSet("25%/25% of 2: surge rounds up to 1, unavailable rounds down to 0", 2, "25%", "25%", 1, 0),
                argumentSet("25%/25% of 10: surge 3 (up), unavailable 2 (down)", 10, "25%", "25%", 3, 2),
                argumentSet("absolute values", 5, "2", "1", 2, 1),
                argumentSet("both resolve to 0: unavailable becomes 1", 1, "0", "10%", 0, 1));
    }

    @ParameterizedTest
    @MethodSource
    void fenceposts(int replicas, String surge, String unavailable, int expSurge, int expUnavailable) {
        assertThat(Rollouts.fenceposts(deployment(replicas, surge, unavailable))).isEqualTo(new Rollouts.Fenceposts(expSurge, expUnavailable));
    }

    static Stream<Arguments> newReplicaSetReplicas() {
        return Stream.of(
                argumentSet("first rollout: new RS gets all replicas", 3, "25%", List.<ReplicaSet>of(), 3),
                argumentSet("rollout with old RS at 4/4, surge 1: new grows to 1",
                        4, "25%", List.of(rs("old", "t1", 4, 4, 4)), 1),
                argumentSet("surge budget used up: new stays",
                        4, "25%", List.of(rs("old", "t1", 4, 4, 4), rs("new", "t2", 1, 1, 0)), 1),
                argumentSet("old scaled down to 3: new may grow to 2",
                        4, "25%", List.of(rs("old", "t1", 3, 3, 3), rs("new", "t2", 1, 1, 1)), 2),
                argumentSet("scale up of a settled deployment: 2 → 5 fits within replicas + surge (7)",
                        5, "25%", List.of(rs("new", "t2", 2, 2, 2)), 5),
                argumentSet("scale up capped by surge while old pods remain: 4 old + 1 new, replicas 4, surge 1",
                        4, "1", List.of(rs("old", "t1", 4, 4, 4), rs("new", "t2", 0, 0, 0)), 1),
                argumentSet("scale down: new shrinks to replicas at once",
                        2, "25%", List.of(rs("new", "t2", 5, 5, 5)), 2));
    }

    @ParameterizedTest
    @MethodSource
    void newReplicaSetReplicas(int replicas, String surge, List<ReplicaSet> rss, int expected) {
        Deployment d = deployment(replicas, surge, "25%");
        ReplicaSet newRs = rss.stream().filter(r -> r.getMetadata().getName().equals("new")).findFirst().orElse(null);
        List<ReplicaSet> all = new ArrayList<>(rss);
        assertThat(Rollouts.newReplicaSetReplicas(d, all, newRs)).isEqualTo(expected);
    }

    static Stream<Arguments> scaleDownOld() {
        return Stream.of(
                argumentSet("maxUnavailable 0: nothing scales down until new pods are available",
                        2, "1", "0", List.of(rs("old", "t1", 2, 2, 2), rs("new", "t2", 1, 1, 0)), Map.of()),
                argumentSet("new pod available: one old pod goes",
                        2, "1", "0", List.of(rs("old", "t1", 2, 2, 2), rs("new", "t2", 1, 1, 1)), Map.of("old", 1)),
                argumentSet("unavailable old pods are cleaned up first, even with no budget from available pods",
                        4, "1", "1", List.of(rs("old", "t1", 4, 4, 2), rs("new", "t2", 1, 1, 1)), Map.of("old", 2)),
                argumentSet("oldest ReplicaSet scales down first",
                        4, "0", "2", List.of(rs("older", "t0", 2, 2, 2), rs("old", "t1", 2, 2, 2), rs("new", "t2", 0, 0, 0)), Map.of("older", 0)),
                argumentSet("no old ReplicaSets: nothing to do",
                        2, "1", "0", List.of(rs("new", "t2", 2, 2, 2)), Map.of()));
    }

    @ParameterizedTest
    @MethodSource
    void scaleDownOld(int replicas, String surge, String unavailable, List<ReplicaSet> rss, Map<String, Integer> expected) {
        Deployment d = deployment(replicas, surge, unavailable);
        ReplicaSet newRs = rss.stream().filter(r -> r.getMetadata().getName().equals("new")).findFirst().orElseThrow();
        List<ReplicaSet> old = rss.stream().filter(r -> r != newRs).toList();
        assertThat(Rollouts.scaleDownOld(d, rss, newRs, old)).isEqualTo(expected);
    }

    static Stream<Arguments> statusConditions() {
        return Stream.of(
                argumentSet("new RS just created: Progressing NewReplicaSetCreated, Available False",
                        2, List.of(rs("web-abc", "t1", 2, 0, 0)), Rollouts.NewRsEvent.CREATED,
                        "Available=False/MinimumReplicasUnavailable", "Progressing=True/NewReplicaSetCreated", "Created new replica set \"web-abc\""),
                argumentSet("pods coming up: ReplicaSetUpdated, available 3 of 4 meets replicas - maxUnavailable",
                        4, List.of(rs("web-abc", "t1", 4, 4, 3)), Rollouts.NewRsEvent.NONE,
                        "Available=True/MinimumReplicasAvailable", "Progressing=True/ReplicaSetUpdated", "ReplicaSet \"web-abc\" is progressing."),
                argumentSet("2 replicas at 25%: maxUnavailable rounds down to 0, so 1 of 2 is not minimum availability",
                        2, List.of(rs("web-abc", "t1", 2, 2, 1)), Rollouts.NewRsEvent.NONE,
                        "Available=False/MinimumReplicasUnavailable", "Progressing=True/ReplicaSetUpdated", "ReplicaSet \"web-abc\" is progressing."),
                argumentSet("all updated and available: NewReplicaSetAvailable (rollout status completes)",
                        2, List.of(rs("web-abc", "t1", 2, 2, 2)), Rollouts.NewRsEvent.NONE,
                        "Available=True/MinimumReplicasAvailable", "Progressing=True/NewReplicaSetAvailable", "ReplicaSet \"web-abc\" has successfully progressed."));
    }

    @ParameterizedTest
    @MethodSource
    void statusConditions(int replicas, List<ReplicaSet> rss, Rollouts.NewRsEvent event, String available, String progressing, String message) {
        Deployment d = deployment(replicas, "25%", "25%");
        DeploymentStatus s = Rollouts.status(d, rss, rss.get(0), event, NOW);
        assertThat(s.getConditions()).extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason()).containsExactly(available, progressing);
        assertThat(s.getConditions().get(1).getMessage()).isEqualTo(message);
        assertThat(s.getObservedGeneration()).isEqualTo(1L);
    }

    @Test
    void statusCountsSumOverReplicaSets() {
        Deployment d = deployment(4, "25%", "25%");
        ReplicaSet old = rs("old", "t1", 3, 3, 3);
        ReplicaSet neu = rs("new", "t2", 2, 2, 1);
        DeploymentStatus s = Rollouts.status(d, List.of(old, neu), neu, Rollouts.NewRsEvent.NONE, NOW);
        assertThat(s.getReplicas()).isEqualTo(5);
        assertThat(s.getUpdatedReplicas()).isEqualTo(2);
        assertThat(s.getReadyReplicas()).isEqualTo(4);
        assertThat(s.getAvailableReplicas()).isEqualTo(4);
        assertThat(s.getUnavailableReplicas()).isEqualTo(1);
        assertThat(Rollouts.complete(d, s)).isFalse();
    }

    @Test
    void progressDeadlineExceededWhenNothingMovesPastTheDeadline() {
        Deployment d = deployment(2, "25%", "25%");
        ReplicaSet neu = rs("web-abc", "t1", 2, 2, 1);
        DeploymentStatus first = Rollouts.status(d, List.of(neu), neu, Rollouts.NewRsEvent.NONE, NOW);
        d.setStatus(first);
        DeploymentStatus later = Rollouts.status(d, List.of(neu), neu, Rollouts.NewRsEvent.NONE, NOW.plusSeconds(601));
        DeploymentCondition progressing = later.getConditions().stream().filter(c -> c.getType().equals("Progressing")).findFirst().orElseThrow();
        assertThat(progressing.getStatus()).isEqualTo("False");
        assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
        assertThat(progressing.getMessage()).isEqualTo("ReplicaSet \"web-abc\" has timed out progressing.");
        DeploymentStatus before = Rollouts.status(d, List.of(neu), neu, Rollouts.NewRsEvent.NONE, NOW.plusSeconds(599));
        assertThat(before.getConditions()).anyMatch(c -> c.getType().equals("Progressing") && c.getStatus().equals("True"));
    }

    @Test
    void recomputingAnUnchangedStatusWritesNothing() {
        Deployment d = deployment(2, "25%", "25%");
        ReplicaSet neu = rs("web-abc", "t1", 2, 2, 2);
        DeploymentStatus first = Rollouts.status(d, List.of(neu), neu, Rollouts.NewRsEvent.NONE, NOW);
        d.setStatus(first);
        assertThat(Rollouts.status(d, List.of(neu), neu, Rollouts.NewRsEvent.NONE, NOW.plusSeconds(30))).isEqualTo(first);
    }

    // ---- pod-template-hash ----

    @Test
    void templateHashIsStableAndIgnoresItsOwnLabel() {
        PodTemplateSpec t = template("nginx:1.27");
        String h = PodTemplates.hash(t, null);
        assertThat(h).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        PodTemplateSpec labelled = template("nginx:1.27");
        labelled.getMetadata().getLabels().put(PodTemplates.HASH_LABEL, h);
        assertThat(PodTemplates.hash(labelled, null)).isEqualTo(h);
        assertThat(PodTemplates.equalIgnoringHash(t, labelled)).isTrue();
    }

    static Stream<Arguments> templateHashChanges() {
        return Stream.of(
                argumentSet("image change gives a new ReplicaSet", template("nginx:1.28"), null),
                argumentSet("label change gives a new ReplicaSet", new PodTemplateSpecBuilder(template("nginx:1.27"))
                        .editMetadata().addToLabels("tier", "web").endMetadata().build(), null),
                argumentSet("collisionCount changes the hash of the same template", template("nginx:1.27"), 1));
    }

    @ParameterizedTest
    @MethodSource
    void templateHashChanges(PodTemplateSpec other, Integer collisions) {
        assertThat(PodTemplates.hash(other, collisions)).isNotEqualTo(PodTemplates.hash(template("nginx:1.27"), null));
    }
}
