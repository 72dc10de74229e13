package io.dualstack.controllers.workload;

import io.dualstack.apiserver.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Deployment, ReplicaSet, garbage collector and namespace controllers against a real API server. */
class WorkloadControllersIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static TestApiServer api;
    static KubernetesClient client;
    static WorkloadControllers controllers;
    static FakeKubelet kubelet;

    @BeforeAll
    static void start() throws Exception {
        api = TestApiServer.start();
        Config cfg = Config.fromKubeconfig(Files.readString(api.kubeconfigPath()));
        cfg.setOnlyHttpWatches(true); // the API server answers WebSocket watch upgrades with a fallback
        cfg.setNamespace("default");
        client = new KubernetesClientBuilder().withConfig(cfg).build();
        controllers = new WorkloadControllers(client);
        controllers.start();
        kubelet = new FakeKubelet(client);
    }

    @AfterAll
    static void stop() throws Exception {
        if (kubelet != null) kubelet.close();
        if (controllers != null) controllers.close();
        if (client != null) client.close();
        if (api != null) api.close();
    }

    static <T> T await(Supplier<T> get, Predicate<T> ok, String what) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        T last = null;
        while (System.nanoTime() < end) {
            last = get.get();
            if (last != null && ok.test(last)) return last;
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what + "; last seen: " + last);
    }

    static Deployment deployment(String ns, String name, int replicas, String image) {
        return new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("nginx").withImage(image).addNewPort().withContainerPort(80).endPort()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    static Deployment getD(String ns, String name) {
        return client.apps().deployments().inNamespace(ns).withName(name).get();
    }

    static List<ReplicaSet> rss(String ns, String app) {
        return client.apps().replicaSets().inNamespace(ns).withLabel("app", app).list().getItems();
    }

    static List<Pod> pods(String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems();
    }

    /** What {@code kubectl rollout status} waits for (polymorphichelpers/rollout_status.go). */
    static boolean rolledOut(Deployment d) {
        var s = d.getStatus();
        if (s == null || s.getObservedGeneration() == null || s.getObservedGeneration() < d.getMetadata().getGeneration()) return false;
        int replicas = d.getSpec().getReplicas();
        int updated = n(s.getUpdatedReplicas()), total = n(s.getReplicas()), available = n(s.getAvailableReplicas());
        boolean timedOut = s.getConditions() != null && s.getConditions().stream()
                .anyMatch(c -> "Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason()));
        return !timedOut && updated >= replicas && total <= updated && available >= updated;
    }

    /** As a user's client would: a write racing the controllers' status writes is retried. */
    static void onConflictRetry(Runnable write) {
        for (int attempt = 0; ; attempt++) {
            try {
                write.run();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) throw e;
            }
        }
    }

    static int n(Integer v) {
        return v == null ? 0 : v;
    }

    static String condition(Deployment d, String type) {
        return d.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst()
                .map(c -> c.getStatus() + "/" + c.getReason()).orElse("none");
    }

    @Test
    void deploymentRollsOutScalesUpdatesAndIsCollected() throws Exception {
        client.apps().deployments().inNamespace("default").resource(deployment("default", "web", 3, "nginx:1.27")).create();
        final Deployment first = await(() -> getD("default", "web"), WorkloadControllersIT::rolledOut, "web rolled out");
        Deployment d = first;
        assertThat(condition(d, "Available")).isEqualTo("True/MinimumReplicasAvailable");
        assertThat(condition(d, "Progressing")).isEqualTo("True/NewReplicaSetAvailable");
        assertThat(d.getStatus().getReadyReplicas()).isEqualTo(3);
        List<ReplicaSet> sets = rss("default", "web");
        assertThat(sets).singleElement().satisfies(rs -> {
            String hash = rs.getMetadata().getLabels().get("pod-template-hash");
            assertThat(hash).isNotEmpty();
            assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
            assertThat(rs.getSpec().getSelector().getMatchLabels()).containsEntry("pod-template-hash", hash);
            assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1");
            assertThat(rs.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(r -> assertThat(r.getUid()).isEqualTo(first.getMetadata().getUid()));
            assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(3);
        });
        assertThat(pods("default", "web")).hasSize(3).allSatisfy(p -> assertThat(p.getMetadata().getName()).startsWith(sets.get(0).getMetadata().getName() + "-"));

        // A deleted pod is replaced.
        String victim = pods("default", "web").get(0).getMetadata().getName();
        client.pods().inNamespace("default").withName(victim).delete();
        await(() -> pods("default", "web"), ps -> ps.size() == 3 && ps.stream().noneMatch(p -> p.getMetadata().getName().equals(victim)),
                "replacement pod");

        // A pod relabelled out of the selector is released (owner reference removed) and replaced.
        String relabelled = pods("default", "web").get(0).getMetadata().getName();
        onConflictRetry(() -> client.pods().inNamespace("default").withName(relabelled).edit(p -> {
            p.getMetadata().getLabels().put("app", "debug");
            return p;
        }));
        await(() -> pods("default", "web"), ps -> ps.size() == 3 && ps.stream().noneMatch(p -> p.getMetadata().getName().equals(relabelled)),
                "replacement for the relabelled pod");
        Pod released = await(() -> client.pods().inNamespace("default").withName(relabelled).get(),
                p -> p.getMetadata().getOwnerReferences() == null || p.getMetadata().getOwnerReferences().isEmpty(), "relabelled pod released");
        assertThat(released.getMetadata().getLabels()).containsEntry("app", "debug");
        client.pods().inNamespace("default").withName(relabelled).delete();

        // Scale up and down.
        onConflictRetry(() -> client.apps().deployments().inNamespace("default").withName("web").scale(5));
        await(() -> getD("default", "web"), x -> rolledOut(x) && n(x.getStatus().getReplicas()) == 5, "scaled to 5");
        assertThat(pods("default", "web")).hasSize(5);
        onConflictRetry(() -> client.apps().deployments().inNamespace("default").withName("web").scale(2));
        await(() -> pods("default", "web"), ps -> ps.size() == 2, "scaled to 2 pods");

        // New template: rolling update to a new ReplicaSet, old one scaled to 0.
        onConflictRetry(() -> client.apps().deployments().inNamespace("default").withName("web").edit(x -> {
            x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.28");
            return x;
        }));
        d = await(() -> getD("default", "web"), x -> rolledOut(x) && rss("default", "web").size() == 2
                && pods("default", "web").stream().allMatch(p -> p.getSpec().getContainers().get(0).getImage().equals("nginx:1.28"))
                && pods("default", "web").size() == 2, "rolled out to nginx:1.28");
        ReplicaSet newRs = rss("default", "web").stream().filter(rs -> Rollouts.specReplicas(rs) == 2).findFirst().orElseThrow();
        ReplicaSet oldRs = rss("default", "web").stream().filter(rs -> rs != newRs).findFirst().orElseThrow();
        assertThat(newRs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        assertThat(oldRs.getSpec().getReplicas()).isZero();
        assertThat(condition(d, "Progressing")).isEqualTo("True/NewReplicaSetAvailable");
        assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(2);

        // kubectl delete deployment (background propagation): the GC removes ReplicaSets and pods.
        client.apps().deployments().inNamespace("default").withName("web").withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        await(() -> rss("default", "web").isEmpty() && pods("default", "web").isEmpty() ? Boolean.TRUE : null, x -> true,
                "ReplicaSets and pods collected");
    }

    static final String KUBECTL = "/usr/bin/kubectl";

    record Run(int exit, String out) {}

    static Run kubectl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(KUBECTL, "--kubeconfig", api.kubeconfigPath().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    static Run kubectlOk(String... args) throws Exception {
        Run r = kubectl(args);
        assertThat(r.exit()).as("kubectl %s: %s", String.join(" ", args), r.out()).isZero();
        return r;
    }

    /** The REVISION column of {@code kubectl rollout history}. */
    static List<String> history(String ns, String name) throws Exception {
        return kubectlOk("-n", ns, "rollout", "history", "deployment/" + name).out().lines()
                .map(String::trim).filter(l -> !l.isEmpty() && Character.isDigit(l.charAt(0)))
                .map(l -> l.split("\\s+")[0]).toList();
    }

    static String revision(Deployment d) {
        return d.getMetadata().getAnnotations() == null ? "" : Objects.toString(d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"), "");
    }

    static Deployment awaitRevision(String ns, String name, String rev, String image) throws InterruptedException {
        return await(() -> getD(ns, name), x -> revision(x).equals(rev) && rolledOut(x)
                && x.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().equals(image), name + " at revision " + rev + " (" + image + ")");
    }

    static ReplicaSet rsWithImage(String ns, String app, String image) {
        return rss(ns, app).stream().filter(rs -> rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().equals(image))
                .findFirst().orElseThrow();
    }

    @Test
    @org.junit.jupiter.api.condition.EnabledIf("kubectlInstalled")
    void kubectlRolloutHistoryAndUndoReuseTheOldReplicaSet() throws Exception {
        String ns = "rollout";
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        try {
            kubectlOk("-n", ns, "create", "deployment", "d2", "--image=nginx:1.27");
            Deployment d = awaitRevision(ns, "d2", "1", "nginx:1.27");
            assertThat(kubectlOk("-n", ns, "describe", "deployment", "d2").out()).contains("deployment.kubernetes.io/revision: 1");
            assertThat(history(ns, "d2")).containsExactly("1");

            kubectlOk("-n", ns, "set", "image", "deployment/d2", "nginx=nginx:1.26");
            awaitRevision(ns, "d2", "2", "nginx:1.26");
            assertThat(history(ns, "d2")).containsExactly("1", "2");
            String oldName = rsWithImage(ns, "d2", "nginx:1.27").getMetadata().getName();

            // rollout undo: back to 1.27 through the revision-1 ReplicaSet, which becomes revision 3.
            assertThat(kubectlOk("-n", ns, "rollout", "undo", "deployment/d2").out()).contains("rolled back");
            awaitRevision(ns, "d2", "3", "nginx:1.27");
            assertThat(rss(ns, "d2")).hasSize(2);
            ReplicaSet reused = rsWithImage(ns, "d2", "nginx:1.27");
            assertThat(reused.getMetadata().getName()).isEqualTo(oldName);
            assertThat(reused.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "3")
                    .containsEntry("deployment.kubernetes.io/revision-history", "1");
            assertThat(history(ns, "d2")).containsExactly("2", "3");
            assertThat(kubectlOk("-n", ns, "rollout", "status", "deployment/d2", "--timeout=90s").out()).contains("successfully rolled out");

            // rollout undo --to-revision=2: back to 1.26, now revision 4.
            kubectlOk("-n", ns, "rollout", "undo", "deployment/d2", "--to-revision=2");
            awaitRevision(ns, "d2", "4", "nginx:1.26");
            assertThat(history(ns, "d2")).containsExactly("3", "4");
            assertThat(rsWithImage(ns, "d2", "nginx:1.26").getMetadata().getAnnotations())
                    .containsEntry("deployment.kubernetes.io/revision-history", "2");

            // A revision that is gone is an error, as upstream: "unable to find specified revision 1 in history".
            Run missing = kubectl("-n", ns, "rollout", "undo", "deployment/d2", "--to-revision=1");
            assertThat(missing.exit()).isNotZero();
            assertThat(missing.out()).contains("unable to find specified revision 1 in history");
            assertThat(d.getMetadata().getUid()).isEqualTo(getD(ns, "d2").getMetadata().getUid());
        } finally {
            client.namespaces().withName(ns).delete();
        }
    }

    static boolean kubectlInstalled() {
        return Files.isExecutable(java.nio.file.Path.of(KUBECTL));
    }

    @Test
    void foregroundDeletionRemovesDependentsBeforeTheOwner() throws Exception {
        client.apps().deployments().inNamespace("default").resource(deployment("default", "fg", 2, "nginx:1.27")).create();
        await(() -> getD("default", "fg"), WorkloadControllersIT::rolledOut, "fg rolled out");
        client.apps().deployments().inNamespace("default").withName("fg").withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
        Deployment marked = getD("default", "fg");
        if (marked != null) assertThat(marked.getMetadata().getFinalizers()).contains("foregroundDeletion");
        await(() -> getD("default", "fg") == null ? Boolean.TRUE : null, x -> true, "fg deployment gone");
        assertThat(rss("default", "fg")).isEmpty();
        await(() -> pods("default", "fg").isEmpty() ? Boolean.TRUE : null, x -> true, "fg pods gone");
    }

    @Test
    void orphanDeletionLeavesDependentsWithoutOwnerReferences() throws Exception {
        client.apps().deployments().inNamespace("default").resource(deployment("default", "orph", 2, "nginx:1.27")).create();
        await(() -> getD("default", "orph"), WorkloadControllersIT::rolledOut, "orph rolled out");
        String rsName = rss("default", "orph").get(0).getMetadata().getName();
        client.apps().deployments().inNamespace("default").withName("orph").withPropagationPolicy(DeletionPropagation.ORPHAN).delete();
        await(() -> getD("default", "orph") == null ? Boolean.TRUE : null, x -> true, "orph deployment gone");
        ReplicaSet rs = await(() -> client.apps().replicaSets().inNamespace("default").withName(rsName).get(),
                x -> x.getMetadata().getOwnerReferences() == null || x.getMetadata().getOwnerReferences().isEmpty(), "orphaned RS");
        assertThat(rs.getSpec().getReplicas()).isEqualTo(2);
        assertThat(pods("default", "orph")).hasSize(2);
        client.apps().replicaSets().inNamespace("default").withName(rsName).delete();
        await(() -> pods("default", "orph").isEmpty() ? Boolean.TRUE : null, x -> true, "orph pods collected");
    }

    @Test
    void namespaceDeletionRemovesItsContentThenTheNamespace() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("doomed").endMetadata().build()).create();
        client.apps().deployments().inNamespace("doomed").resource(deployment("doomed", "app", 2, "nginx:1.27")).create();
        client.configMaps().inNamespace("doomed").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("cfg").endMetadata().addToData("k", "v").build()).create();
        await(() -> getD("doomed", "app"), WorkloadControllersIT::rolledOut, "doomed/app rolled out");
        client.namespaces().withName("doomed").delete();
        await(() -> client.namespaces().withName("doomed").get() == null ? Boolean.TRUE : null, x -> true, "namespace doomed gone");
        assertThat(client.pods().inNamespace("doomed").list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace("doomed").list().getItems()).isEmpty();
    }

    @Test
    void gcCollectsAnyKindOnceAllOwnersAreGoneAndDropsDanglingReferences() throws Exception {
        var cms = client.configMaps().inNamespace("default");
        var owner1 = cms.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("owner-1").endMetadata().build()).create();
        var owner2 = cms.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("owner-2").endMetadata().build()).create();
        java.util.function.Function<io.fabric8.kubernetes.api.model.ConfigMap, io.fabric8.kubernetes.api.model.OwnerReference> ref = o ->
                new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                        .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).build();
        cms.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("dependent")
                .withOwnerReferences(ref.apply(owner1), ref.apply(owner2)).endMetadata().build()).create();
        cms.withName("owner-1").delete();
        var dep = await(() -> cms.withName("dependent").get(), x -> x.getMetadata().getOwnerReferences().size() == 1,
                "dangling reference to owner-1 removed");
        assertThat(dep.getMetadata().getOwnerReferences()).extracting(io.fabric8.kubernetes.api.model.OwnerReference::getName).containsExactly("owner-2");
        cms.withName("owner-2").delete();
        await(() -> cms.withName("dependent").get() == null ? Boolean.TRUE : null, x -> true, "dependent collected after its last owner");

        // An owner reference whose uid does not match the live object of that name is dangling too.
        var stale = new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                .withName("owner-2").withUid("00000000-0000-0000-0000-000000000000").build();
        cms.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("owner-2").endMetadata().build()).create();
        cms.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withName("stale-dependent")
                .withOwnerReferences(stale).endMetadata().build()).create();
        await(() -> cms.withName("stale-dependent").get() == null ? Boolean.TRUE : null, x -> true, "dependent of a stale uid collected");
        assertThat(cms.withName("owner-2").get()).isNotNull();
        cms.withName("owner-2").delete();
    }

    @Test
    void invalidDeploymentIsRejectedWithUpstreamMessage() {
        Deployment bad = deployment("default", "bad", 1, "nginx");
        bad.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "other"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.fabric8.kubernetes.client.KubernetesClientException.class,
                () -> client.apps().deployments().inNamespace("default").resource(bad).create());
        assertThat(e.getCode()).isEqualTo(422);
        assertThat(e.getStatus().getMessage()).contains(
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`");
        assertThat(Objects.requireNonNull(e.getStatus().getDetails()).getCauses()).isNotEmpty();
    }
}
