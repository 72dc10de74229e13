package io.dualstack.controllers.workload;

import io.dualstack.controllers.gc.GarbageCollector;
import io.dualstack.controllers.namespace.NamespaceController;
import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.dualstack.core.Component;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The workload controllers of kube-controller-manager: Deployment, ReplicaSet, garbage collector
 * and namespace, sharing one set of informers. Talks only to the API through the given client.
 */
public final class WorkloadControllers implements Component {
    private final KubernetesClient client;
    private final int workers;
    private SharedInformers informers;
    private EventRecorder deploymentEvents;
    private EventRecorder replicaSetEvents;
    private DeploymentController deployments;
    private ReplicaSetController replicaSets;
    private GarbageCollector gc;
    private NamespaceController namespaces;

    public WorkloadControllers(KubernetesClient client) {
        this(client, 2);
    }

    public WorkloadControllers(KubernetesClient client, int workers) {
        this.client = client;
        this.workers = workers;
    }

    @Override
    public String name() {
        return "workload-controllers";
    }

    @Override
    public synchronized void start() throws Exception {
        informers = new SharedInformers(client);
        deploymentEvents = new EventRecorder(client, "deployment-controller");
        replicaSetEvents = new EventRecorder(client, "replicaset-controller");
        deployments = new DeploymentController(informers, deploymentEvents, workers);
        replicaSets = new ReplicaSetController(informers, replicaSetEvents, workers);
        gc = new GarbageCollector(informers, workers);
        namespaces = new NamespaceController(informers, 1);
        informers.start(Duration.ofMinutes(2));
        deployments.start();
        replicaSets.start();
        gc.start();
        namespaces.start();
    }

    /** True when no controller has work queued or in progress (tests, benchmarks). */
    public boolean idle() {
        return queues().stream().allMatch(WorkQueue::idle);
    }

    private List<WorkQueue<String>> queues() {
        List<WorkQueue<String>> q = new ArrayList<>();
        if (deployments != null) q.add(deployments.queue());
        if (replicaSets != null) q.add(replicaSets.queue());
        if (gc != null) q.add(gc.queue());
        if (namespaces != null) q.add(namespaces.queue());
        return q;
    }

    @Override
    public synchronized void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {namespaces, gc, replicaSets, deployments, deploymentEvents, replicaSetEvents, informers}) {
            if (c != null) c.close();
        }
    }
}
