package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

/** Revision bookkeeping as upstream pkg/controller/deployment/util does it, and what kubectl rollout history/undo sees. */
class RevisionsTest {
    static final String REV = Revisions.REVISION;
    static final String HISTORY = Revisions.REVISION_HISTORY;
    static final String DESIRED = Revisions.DESIRED_REPLICAS;
    static final String MAX = Revisions.MAX_REPLICAS;

    /** 3 replicas, maxSurge 25% (rounds up to 1): max-replicas 4. */
    static Deployment deployment(Map<String, String> annotations, String image) {
        Deployment d = RolloutsTest.deployment(3, "25%", "25%");
        return new DeploymentBuilder(d).editMetadata().withAnnotations(annotations).endMetadata()
                .editSpec().withTemplate(RolloutsTest.template(image)).endSpec().build();
    }

    static Stream<Arguments> newReplicaSetAnnotations() {
        return Stream.of(
                argumentSet("a ReplicaSet about to be created gets revision max+1, desired-replicas and max-replicas (replicas + maxSurge)",
                        Map.of(), Map.of(), 1L, false, Map.of(REV, "1", DESIRED, "3", MAX, "4")),
                argumentSet("the Deployment's annotations are copied, except last-applied, revision, revision-history, desired/max-replicas",
                        Map.of("kubernetes.io/change-cause", "kubectl set image", "team", "a",
                                "kubectl.kubernetes.io/last-applied-configuration", "{}", REV, "7", HISTORY, "1,2",
                                DESIRED, "9", MAX, "9", "deprecated.deployment.rollback.to", "1"),
                        Map.of(), 2L, false,
                        Map.of("kubernetes.io/change-cause", "kubectl set image", "team", "a", REV, "2", DESIRED, "3", MAX, "4")),
                argumentSet("rollback: an old ReplicaSet becoming new again takes the next revision and records its old one in revision-history",
                        Map.of(), Map.of(REV, "1", DESIRED, "3", MAX, "4"), 3L, true,
                        Map.of(REV, "3", HISTORY, "1", DESIRED, "3", MAX, "4")),
                argumentSet("second rollback to the same ReplicaSet appends to revision-history",
                        Map.of(), Map.of(REV, "3", HISTORY, "1"), 5L, true, Map.of(REV, "5", HISTORY, "1,3")),
                argumentSet("the existing new ReplicaSet already at max+1 is left as it is (a resync writes nothing)",
                        Map.of(), Map.of(REV, "2", DESIRED, "3", MAX, "4"), 2L, true, Map.of(REV, "2", DESIRED, "3", MAX, "4")),
                argumentSet("a revision above max+1 (old ReplicaSets deleted since) is never lowered",
                        Map.of(), Map.of(REV, "5"), 3L, true, Map.of(REV, "5")),
                argumentSet("an adopted ReplicaSet without a revision gets one, without revision-history",
                        Map.of(), Map.of("x", "y"), 2L, true, Map.of("x", "y", REV, "2")),
                argumentSet("a revision that is not a number is left alone",
                        Map.of(), Map.of(REV, "abc"), 2L, true, Map.of(REV, "abc")),
                argumentSet("existing ReplicaSets keep their desired/max-replicas (only scaling rewrites them)",
                        Map.of(), Map.of(REV, "1", DESIRED, "1", MAX, "2"), 1L, true, Map.of(REV, "1", DESIRED, "1", MAX, "2")));
    }

    @ParameterizedTest
    @MethodSource
    void newReplicaSetAnnotations(Map<String, String> deploymentAnnotations, Map<String, String> current, long next, boolean exists,
                                  Map<String, String> expected) {
        Deployment d = deployment(deploymentAnnotations, "nginx:1.27");
        assertThat(Revisions.newReplicaSetAnnotations(d, current, next, exists)).isEqualTo(expected);
    }

    @Test
    void revisionHistoryStaysWithin2000CharactersDroppingTheOldest() {
        String history = IntStream.rangeClosed(1, 600).mapToObj(Integer::toString).collect(Collectors.joining(","));
        assertThat(history.length()).isGreaterThan(Revisions.MAX_HISTORY_CHARS);
        String longest = IntStream.rangeClosed(1, 2000).mapToObj(i -> "9").collect(Collectors.joining(""));
        String appended = Revisions.appendHistory(history.substring(history.length() - 1990), "601");
        assertThat(appended.length()).isLessThanOrEqualTo(Revisions.MAX_HISTORY_CHARS);
        assertThat(appended).endsWith(",600,601");
        assertThat(Revisions.appendHistory("1,2", longest + "9")).as("a revision too long to ever fit leaves the history as it was")
                .isEqualTo("1,2");
    }

    static ReplicaSet rs(String name, String created, String image, String hash, long revision) {
        PodTemplateSpec t = new PodTemplateSpecBuilder(RolloutsTest.template(image)).editMetadata().addToLabels("pod-template-hash", hash).endMetadata().build();
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("default").withCreationTimestamp(created)
                .addToAnnotations(REV, Long.toString(revision)).endMetadata()
                .withNewSpec().withReplicas(0).withTemplate(t).endSpec().build();
    }

    static Stream<Arguments> findNew() {
        ReplicaSet r127 = rs("web-aaa", "2026-11-21T10:00:00Z", "nginx:1.27", "aaa", 1);
        ReplicaSet r126 = rs("web-bbb", "2026-11-21T11:00:00Z", "nginx:1.26", "bbb", 2);
        ReplicaSet r127dup = rs("web-ccc", "2026-11-21T12:00:00Z", "nginx:1.27", "ccc", 3);
        return Stream.of(
                argumentSet("rollback to an old template finds the old ReplicaSet (pod-template-hash ignored)",
                        "nginx:1.27", List.of(r126, r127), "web-aaa"),
                argumentSet("the current template finds the current ReplicaSet", "nginx:1.26", List.of(r127, r126), "web-bbb"),
                argumentSet("two ReplicaSets with the same template: the oldest wins", "nginx:1.27", List.of(r127dup, r126, r127), "web-aaa"),
                argumentSet("a template no ReplicaSet has: none (a new one is created)", "nginx:1.28", List.of(r127, r126), ""));
    }

    @ParameterizedTest
    @MethodSource
    void findNew(String image, List<ReplicaSet> rss, String expected) {
        assertThat(Revisions.findNew(deployment(Map.of(), image), rss).map(rs -> rs.getMetadata().getName()).orElse("")).isEqualTo(expected);
    }

    /**
     * The controller's bookkeeping over a user's session: create (1.27), set image (1.26), rollout undo,
     * rollout undo --to-revision=2 (that is, back to 1.26). What kubectl rollout history lists.
     */
    static Stream<Arguments> rolloutSessions() {
        return Stream.of(
                argumentSet("create, set image: history 1,2", List.of("nginx:1.27", "nginx:1.26"), List.of(1L, 2L), "nginx:1.26=2"),
                argumentSet("then undo: the 1.27 ReplicaSet is reused as revision 3, history 2,3", List.of("nginx:1.27", "nginx:1.26", "nginx:1.27"),
                        List.of(2L, 3L), "nginx:1.27=3"),
                argumentSet("then undo --to-revision=2: the 1.26 ReplicaSet becomes revision 4, history 3,4",
                        List.of("nginx:1.27", "nginx:1.26", "nginx:1.27", "nginx:1.26"), List.of(3L, 4L), "nginx:1.26=4"),
                argumentSet("a third template: a new ReplicaSet, revision 3", List.of("nginx:1.27", "nginx:1.26", "nginx:1.28"),
                        List.of(1L, 2L, 3L), "nginx:1.28=3"));
    }

    @ParameterizedTest
    @MethodSource
    void rolloutSessions(List<String> images, List<Long> history, String deploymentRevision) {
        List<ReplicaSet> rss = new ArrayList<>();
        Map<String, String> dAnn = new LinkedHashMap<>();
        int created = 0;
        for (String image : images) {
            Deployment d = deployment(dAnn, image);
            ReplicaSet found = Revisions.findNew(d, rss).orElse(null);
            List<ReplicaSet> old = rss.stream().filter(rs -> rs != found).toList();
            long next = Revisions.nextRevision(old);
            ReplicaSet now;
            if (found == null) {
                created++;
                now = rs("web-" + created, "2026-11-21T1" + created + ":00:00Z", image, "h" + created, 0);
                now.getMetadata().setAnnotations(Revisions.newReplicaSetAnnotations(d, Map.of(), next, false));
                rss.add(now);
            } else {
                now = new ReplicaSetBuilder(found).build();
                now.getMetadata().setAnnotations(Revisions.newReplicaSetAnnotations(d, found.getMetadata().getAnnotations(), next, true));
                rss.set(rss.indexOf(found), now);
            }
            dAnn = Revisions.deploymentAnnotations(d, now);
        }
        assertThat(rss.stream().map(Rollouts::revision).sorted().toList()).isEqualTo(history);
        assertThat(images.get(images.size() - 1) + "=" + dAnn.get(REV)).isEqualTo(deploymentRevision);
    }
}
