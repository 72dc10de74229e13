package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** fabric8 7.x against the server: watch, patch, subresources, deletion semantics, list paging. */
class Fabric8ApiTest {
    static TestApiServer api;
    static KubernetesClient c;

    @BeforeAll
    static void up() {
        api = TestApiServer.start();
        c = api.client();
    }

    @AfterAll
    static void down() {
        api.close();
    }

    record Seen(Watcher.Action action, String name, String value) {}

    @Test
    void watchDeliversAddedModifiedDeletedInOrder() throws Exception {
        BlockingQueue<Seen> q = new LinkedBlockingQueue<>();
        try (Watch w = c.configMaps().inNamespace("default").withLabel("w", "1").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap cm) {
                q.add(new Seen(action, cm.getMetadata().getName(), cm.getData() == null ? "" : cm.getData().getOrDefault("v", "")));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName("watched").addToLabels("w", "1").endMetadata()
                    .addToData("v", "a").build();
            c.configMaps().inNamespace("default").resource(cm).create();
            c.configMaps().inNamespace("default").withName("watched").edit(x -> new ConfigMapBuilder(x).addToData("v", "b").build());
            c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("unlabelled").endMetadata().build()).create();
            c.configMaps().inNamespace("default").withName("watched").delete();
            List<Seen> got = new ArrayList<>();
            for (int i = 0; i < 3; i++) got.add(q.poll(60, TimeUnit.SECONDS));
            assertThat(got).containsExactly(new Seen(Watcher.Action.ADDED, "watched", "a"),
                    new Seen(Watcher.Action.MODIFIED, "watched", "b"), new Seen(Watcher.Action.DELETED, "watched", "b"));
        }
        c.configMaps().inNamespace("default").withName("unlabelled").delete();
    }

    @Test
    void watchFromACompactedRevisionGets410Expired() throws Exception {
        ConfigMap cm = c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("old").endMetadata().build()).create();
        String oldRv = cm.getMetadata().getResourceVersion();
        c.configMaps().inNamespace("default").withName("old").edit(x -> new ConfigMapBuilder(x).addToData("k", "v").build());
        api.server().registry().store().compact(api.server().registry().store().currentRevision());
        CompletableFuture<WatcherException> closed = new CompletableFuture<>();
        Watch w = c.configMaps().inNamespace("default").watch(new ListOptionsBuilder().withResourceVersion(oldRv).build(), new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
            }

            @Override
            public void onClose(WatcherException cause) {
                closed.complete(cause);
            }
        });
        try {
            WatcherException e = closed.get(60, TimeUnit.SECONDS);
            assertThat(e.isHttpGone()).isTrue();
        } finally {
            w.close();
            c.configMaps().inNamespace("default").withName("old").delete();
        }
    }

    @Test
    void listPagesWithLimitAndContinue() {
        for (int i = 0; i < 7; i++) {
            c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("page-" + i)
                    .addToLabels("paged", "yes").endMetadata().build()).create();
        }
        List<String> names = new ArrayList<>();
        String cont = null;
        int pages = 0;
        do {
            ConfigMapList l = c.configMaps().inNamespace("default").withLabel("paged", "yes")
                    .list(new ListOptionsBuilder().withLimit(3L).withContinue(cont).build());
            l.getItems().forEach(x -> names.add(x.getMetadata().getName()));
            cont = l.getMetadata().getContinue();
            pages++;
        } while (cont != null && !cont.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6");
        c.configMaps().inNamespace("default").withLabel("paged", "yes").delete();
        assertThat(c.configMaps().inNamespace("default").withLabel("paged", "yes").list().getItems()).isEmpty();
    }

    @Test
    void patchTypesThroughFabric8() {
        c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("p").endMetadata()
                .addToData("a", "1").addToData("b", "2").build()).create();
        c.configMaps().inNamespace("default").withName("p").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"a\":null,\"c\":\"3\"}}");
        assertThat(c.configMaps().inNamespace("default").withName("p").get().getData()).containsOnly(Map.entry("b", "2"), Map.entry("c", "3"));
        c.configMaps().inNamespace("default").withName("p").patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"add\",\"path\":\"/data/d\",\"value\":\"4\"}]");
        assertThat(c.configMaps().inNamespace("default").withName("p").get().getData()).containsEntry("d", "4");
        // upstream patch.go: a JSON patch that does not apply is NewGenericServerResponse(422, ...)
        assertThatThrownBy(() -> c.configMaps().inNamespace("default").withName("p")
                .patch(PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/data/zzz\"}]"))
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        c.configMaps().inNamespace("default").withName("p").delete();
    }

    static Deployment deployment(String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    @Test
    void statusSubresourceKeepsSpecAndMainUpdateKeepsStatus() {
        Deployment d = c.apps().deployments().inNamespace("default").resource(deployment("st")).create();
        assertThat(d.getMetadata().getGeneration()).isEqualTo(1L);
        Deployment withStatus = new DeploymentBuilder(d).editSpec().withReplicas(9).endSpec()
                .withNewStatus().withReplicas(1).withObservedGeneration(1L).endStatus().build();
        Deployment afterStatus = c.apps().deployments().inNamespace("default").resource(withStatus).updateStatus();
        assertThat(afterStatus.getSpec().getReplicas()).as("status update keeps spec").isEqualTo(1);
        assertThat(afterStatus.getStatus().getReplicas()).isEqualTo(1);
        assertThat(afterStatus.getMetadata().getGeneration()).isEqualTo(1L);
        Deployment main = new DeploymentBuilder(afterStatus).editSpec().withReplicas(3).endSpec().withNewStatus().withReplicas(99).endStatus().build();
        Deployment afterMain = c.apps().deployments().inNamespace("default").resource(main).update();
        assertThat(afterMain.getStatus().getReplicas()).as("main update keeps status").isEqualTo(1);
        assertThat(afterMain.getSpec().getReplicas()).isEqualTo(3);
        assertThat(afterMain.getMetadata().getGeneration()).as("spec change bumps generation").isEqualTo(2L);
        c.apps().deployments().inNamespace("default").withName("st").scale(4);
        assertThat(c.apps().deployments().inNamespace("default").withName("st").get().getSpec().getReplicas()).isEqualTo(4);
        c.apps().deployments().inNamespace("default").withName("st").delete();
    }

    @Test
    void generateNameAndDryRun() {
        ConfigMap gen = c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withGenerateName("gen-").endMetadata().build()).create();
        assertThat(gen.getMetadata().getName()).matches("gen-[bcdfghjklmnpqrstvwxz2456789]{5}");
        ConfigMap dry = c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("dry").endMetadata().build()).dryRun().create();
        assertThat(dry.getMetadata().getUid()).isNotEmpty();
        assertThat(c.configMaps().inNamespace("default").withName("dry").get()).as("dry run stores nothing").isNull();
        c.configMaps().inNamespace("default").withName(gen.getMetadata().getName()).delete();
    }

    @Test
    void finalizersHoldDeletionUntilRemoved() {
        c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("fin")
                .addToFinalizers("example.com/hold").endMetadata().build()).create();
        c.configMaps().inNamespace("default").withName("fin").delete();
        ConfigMap held = c.configMaps().inNamespace("default").withName("fin").get();
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        c.configMaps().inNamespace("default").withName("fin").edit(x -> new ConfigMapBuilder(x).editMetadata().withFinalizers(List.of()).endMetadata().build());
        assertThat(c.configMaps().inNamespace("default").withName("fin").get()).isNull();
    }

    @Test
    void foregroundDeletionAddsTheForegroundFinalizer() {
        c.configMaps().inNamespace("default").resource(new ConfigMapBuilder().withNewMetadata().withName("fg").endMetadata().build()).create();
        c.configMaps().inNamespace("default").withName("fg").withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete();
        ConfigMap held = c.configMaps().inNamespace("default").withName("fg").get();
        assertThat(held.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
        assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
        c.configMaps().inNamespace("default").withName("fg").edit(x -> new ConfigMapBuilder(x).editMetadata().withFinalizers(List.of()).endMetadata().build());
        assertThat(c.configMaps().inNamespace("default").withName("fg").get()).isNull();
    }

    @Test
    void scheduledPodIsDeletedGracefully() {
        c.nodes().resource(new NodeBuilder().withNewMetadata().withName("n1").endMetadata().build()).create();
        Pod p = new PodBuilder().withNewMetadata().withName("graceful").endMetadata().withNewSpec().withNodeName("n1")
                .withTerminationGracePeriodSeconds(30L).addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
        c.pods().inNamespace("default").resource(p).create();
        c.pods().inNamespace("default").withName("graceful").delete();
        Pod terminating = c.pods().inNamespace("default").withName("graceful").get();
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        c.pods().inNamespace("default").withName("graceful").withGracePeriod(0).delete();
        assertThat(c.pods().inNamespace("default").withName("graceful").get()).isNull();
        c.nodes().withName("n1").delete();
    }

    @Test
    void namespaceDeletionGoesThroughTerminatingAndFinalize() {
        Namespace ns = c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("gone").endMetadata().build()).create();
        assertThat(ns.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(ns.getStatus().getPhase()).isEqualTo("Active");
        c.namespaces().withName("gone").delete();
        Namespace terminating = c.namespaces().withName("gone").get();
        assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
        assertThatThrownBy(() -> c.configMaps().inNamespace("gone").resource(new ConfigMapBuilder().withNewMetadata().withName("x").endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        // the namespace controller's last step: PUT /finalize without the "kubernetes" finalizer
        terminating.getSpec().setFinalizers(List.of());
        RawHttp.Response r = RawHttp.of(api).send("PUT", "/api/v1/namespaces/gone/finalize", "application/json",
                io.fabric8.kubernetes.client.utils.Serialization.asJson(terminating), true);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        assertThat(c.namespaces().withName("gone").get()).isNull();
    }

    @Test
    void nodeStatusUpdatesThroughTheStatusSubresource() {
        Node n = c.nodes().resource(new NodeBuilder().withNewMetadata().withName("n2").endMetadata().build()).create();
        n.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder().addNewAddress().withType("InternalIP").withAddress("172.18.0.2").endAddress()
                .addNewAddress().withType("InternalIP").withAddress("fc00:f853:ccd:e793::2").endAddress().build());
        Node updated = c.nodes().resource(n).updateStatus();
        assertThat(updated.getStatus().getAddresses()).hasSize(2);
        c.nodes().withName("n2").delete();
    }
}
