package io.dualstack.controllers;

import io.dualstack.controllers.endpoints.EndpointsController;
import io.dualstack.controllers.endpointslice.EndpointSliceController;
import io.dualstack.controllers.endpointslice.SliceReconciler;
import io.dualstack.controllers.nodeipam.NodeIpamController;
import io.dualstack.controllers.nodeipam.RangeAllocator;
import io.dualstack.controllers.scheduler.Scheduler;
import io.dualstack.controllers.util.EventRecorder;
import io.dualstack.controllers.util.SharedInformers;
import io.dualstack.controllers.util.WorkQueue;
import io.dualstack.controllers.workload.WorkloadControllers;
import io.dualstack.core.Component;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * kube-controller-manager (plus the scheduler) for one cluster: node IPAM (range allocator),
 * scheduler, EndpointSlice and Endpoints controllers sharing one set of informers, and the
 * workload controllers ({@link WorkloadControllers}: Deployment, ReplicaSet, garbage collector,
 * namespace). Everything goes through the given client.
 */
public final class ControllerManager implements Component {
    /** Which controllers run and how (upstream flag names in comments). */
    public record Options(
            /* --max-endpoints-per-slice (default 100, 1..1000). */
            int maxEndpointsPerSlice,
            /* --concurrent-service-endpoint-syncs (default 5). */
            int endpointSliceWorkers,
            /* --concurrent-endpoint-syncs (default 5). */
            int endpointsWorkers,
            /* --controllers: which of nodeipam, scheduler, endpointslice, endpoints, workload run. */
            Set<String> controllers) {
        public static final Set<String> ALL = Set.of("nodeipam", "scheduler", "endpointslice", "endpoints", "workload");

        public static Options defaults() {
            return new Options(SliceReconciler.DEFAULT_MAX_ENDPOINTS_PER_SLICE, 5, 5, ALL);
        }

        public Options withControllers(Set<String> names) {
            return new Options(maxEndpointsPerSlice, endpointSliceWorkers, endpointsWorkers, Set.copyOf(names));
        }

        public Options withMaxEndpointsPerSlice(int max) {
            return new Options(max, endpointSliceWorkers, endpointsWorkers, controllers);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);

    private final KubernetesClient client;
    private final ClusterPlan plan;
    private final Options options;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<WorkQueue<?>> queues = new ArrayList<>();
    private SharedInformers informers;
    private NodeIpamController nodeIpam;
    private WorkloadControllers workload;

    public ControllerManager(KubernetesClient client, ClusterPlan plan) {
        this(client, plan, Options.defaults());
    }

    public ControllerManager(KubernetesClient client, ClusterPlan plan, Options options) {
        this.client = client;
        this.plan = plan;
        this.options = options;
    }

    @Override
    public String name() {
        return "controller-manager";
    }

    @Override
    public synchronized void start() throws Exception {
        informers = new SharedInformers(client);
        running.add(informers);
        Set<String> on = options.controllers();
        Scheduler scheduler = null;
        EndpointSliceController slices = null;
        EndpointsController endpoints = null;
        if (on.contains("nodeipam") && !plan.clusterCidrs().isEmpty()) {
            EventRecorder recorder = recorder("cidrAllocator");
            nodeIpam = new NodeIpamController(informers, RangeAllocator.forPlan(plan), recorder);
            running.add(0, nodeIpam);
            queues.add(nodeIpam.queue());
        }
        if (on.contains("scheduler")) {
            scheduler = new Scheduler(informers, recorder(Scheduler.NAME));
            running.add(0, scheduler);
            queues.add(scheduler.queue());
        }
        if (on.contains("endpointslice")) {
            slices = new EndpointSliceController(informers, recorder("endpointslice-controller"),
                    options.maxEndpointsPerSlice(), options.endpointSliceWorkers());
            running.add(0, slices);
            queues.add(slices.queue());
        }
        if (on.contains("endpoints")) {
            endpoints = new EndpointsController(informers, recorder("endpoint-controller"), options.endpointsWorkers());
            running.add(0, endpoints);
            queues.add(endpoints.queue());
        }
        informers.start(Duration.ofMinutes(2));
        if (nodeIpam != null) nodeIpam.start();
        if (scheduler != null) scheduler.start();
        if (slices != null) slices.start();
        if (endpoints != null) endpoints.start();
        if (on.contains("workload")) startWorkloadControllers();
        LOG.info("controller-manager started: {}", on);
    }

    private EventRecorder recorder(String component) {
        EventRecorder r = new EventRecorder(client, component);
        running.add(r);
        return r;
    }

    private void startWorkloadControllers() throws Exception {
        WorkloadControllers w = new WorkloadControllers(client);
        w.start();
        workload = w;
        running.add(0, w);
    }

    /** True when every controller's queue is empty and nothing is being processed (for tests and benchmarks). */
    public boolean idle() {
        for (WorkQueue<?> q : queues) if (!q.idle()) return false;
        return workload == null || workload.idle();
    }

    public NodeIpamController nodeIpam() {
        return nodeIpam;
    }

    @Override
    public synchronized void close() throws Exception {
        Exception first = null;
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = e;
            }
        }
        running.clear();
        queues.clear();
        if (first != null) throw first;
    }
}
