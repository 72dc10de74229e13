package io.dualstack.controllers.workload;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Stands in for the node agent in controller tests (the node module may not be a dependency of
 * controllers): every pod becomes Running and Ready, and a pod being deleted gracefully is
 * removed with grace 0. Polls; stops on close.
 */
final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final Thread thread;
    private volatile boolean running = true;

    FakeKubelet(KubernetesClient client) {
        this.client = client;
        this.thread = new Thread(this::loop, "fake-kubelet");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running) {
            try {
                for (Pod p : client.pods().inAnyNamespace().list().getItems()) handle(p);
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (KubernetesClientException e) {
                // conflicts and races with the controllers: next round
            }
        }
    }

    private void handle(Pod p) {
        String ns = p.getMetadata().getNamespace();
        if (p.getMetadata().getDeletionTimestamp() != null) {
            client.pods().inNamespace(ns).withName(p.getMetadata().getName()).withGracePeriod(0).delete();
            return;
        }
        if ("Running".equals(p.getStatus().getPhase())) return;
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Pod updated = new PodBuilder(p).editStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(now).endCondition()
                .endStatus().build();
        client.pods().inNamespace(ns).resource(updated).updateStatus();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
