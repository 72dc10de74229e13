package io.dualstack.apiserver.registry;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;

import java.util.List;
import java.util.Optional;

/** Every resource the API server serves, with upstream's names, short names and categories. */
public final class ResourceCatalog {
    private ResourceCatalog() {}

    public static final ResourceType NAMESPACES = new ResourceType("", "v1", "Namespace", "namespaces", "namespace",
            false, List.of("ns"), List.of(), List.of("status", "finalize"), Namespace.class);
    public static final ResourceType NODES = new ResourceType("", "v1", "Node", "nodes", "node",
            false, List.of("no"), List.of(), List.of("status"), Node.class);
    public static final ResourceType PODS = new ResourceType("", "v1", "Pod", "pods", "pod",
            true, List.of("po"), List.of("all"), List.of("status", "exec", "log"), Pod.class);
    public static final ResourceType SERVICES = new ResourceType("", "v1", "Service", "services", "service",
            true, List.of("svc"), List.of("all"), List.of("status"), Service.class);
    public static final ResourceType ENDPOINTS = new ResourceType("", "v1", "Endpoints", "endpoints", "endpoints",
            true, List.of("ep"), List.of(), List.of(), Endpoints.class);
    public static final ResourceType CONFIGMAPS = new ResourceType("", "v1", "ConfigMap", "configmaps", "configmap",
            true, List.of("cm"), List.of(), List.of(), ConfigMap.class);
    public static final ResourceType EVENTS = new ResourceType("", "v1", "Event", "events", "event",
            true, List.of("ev"), List.of(), List.of(), Event.class);
    public static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "Deployment", "deployments", "deployment",
            true, List.of("deploy"), List.of("all"), List.of("status", "scale"), Deployment.class);
    public static final ResourceType REPLICASETS = new ResourceType("apps", "v1", "ReplicaSet", "replicasets", "replicaset",
            true, List.of("rs"), List.of("all"), List.of("status", "scale"), ReplicaSet.class);
    public static final ResourceType ENDPOINTSLICES = new ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice",
            true, List.of(), List.of(), List.of(), EndpointSlice.class);
    public static final ResourceType NETWORKPOLICIES = new ResourceType("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy",
            true, List.of("netpol"), List.of(), List.of(), NetworkPolicy.class);
    public static final ResourceType SERVICECIDRS = new ResourceType("networking.k8s.io", "v1", "ServiceCIDR", "servicecidrs", "servicecidr",
            false, List.of(), List.of(), List.of("status"), ServiceCIDR.class);
    public static final ResourceType IPADDRESSES = new ResourceType("networking.k8s.io", "v1", "IPAddress", "ipaddresses", "ipaddress",
            false, List.of("ip"), List.of(), List.of(), IPAddress.class);

    public static final ResourceType SERVICEACCOUNTS = new ResourceType("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount",
            true, List.of("sa"), List.of(), List.of(), ServiceAccount.class);
    public static final ResourceType REPLICATIONCONTROLLERS = new ResourceType("", "v1", "ReplicationController", "replicationcontrollers",
            "replicationcontroller", true, List.of("rc"), List.of("all"), List.of("status", "scale"), ReplicationController.class);
    public static final ResourceType DAEMONSETS = new ResourceType("apps", "v1", "DaemonSet", "daemonsets", "daemonset",
            true, List.of("ds"), List.of("all"), List.of("status"), DaemonSet.class);
    public static final ResourceType STATEFULSETS = new ResourceType("apps", "v1", "StatefulSet", "statefulsets", "statefulset",
            true, List.of("sts"), List.of("all"), List.of("status", "scale"), StatefulSet.class);
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease",
            true, List.of(), List.of(), List.of(), Lease.class);
    /** Create-only and never stored: the answer to "may I?" ({@code kubectl auth can-i}). */
    public static final ResourceType SELFSUBJECTACCESSREVIEWS = new ResourceType("authorization.k8s.io", "v1", "SelfSubjectAccessReview",
            "selfsubjectaccessreviews", "selfsubjectaccessreview", false, List.of(), List.of(), List.of(), SelfSubjectAccessReview.class);

    /** In discovery order. */
    public static final List<ResourceType> ALL = List.of(NAMESPACES, NODES, PODS, SERVICES, ENDPOINTS, CONFIGMAPS, EVENTS,
            SERVICEACCOUNTS, REPLICATIONCONTROLLERS,
            DEPLOYMENTS, REPLICASETS, DAEMONSETS, STATEFULSETS, ENDPOINTSLICES, NETWORKPOLICIES, SERVICECIDRS, IPADDRESSES,
            LEASES, SELFSUBJECTACCESSREVIEWS);

    /** Verbs of an ordinary stored resource, as discovery lists them. */
    public static final List<String> STORED_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** Resources that only answer a create (reviews): nothing is stored, get/list/watch are 405 upstream. */
    public static final List<ResourceType> CREATE_ONLY = List.of(SELFSUBJECTACCESSREVIEWS);

    /** The verbs discovery advertises for {@code t}. */
    public static List<String> verbs(ResourceType t) {
        return CREATE_ONLY.contains(t) ? List.of("create") : STORED_VERBS;
    }

    public static Optional<ResourceType> find(String group, String version, String plural) {
        return ALL.stream().filter(t -> t.group().equals(group) && t.version().equals(version) && t.plural().equals(plural)).findFirst();
    }

    public static Optional<ResourceType> forClass(Class<?> modelClass) {
        return ALL.stream().filter(t -> t.modelClass().equals(modelClass)).findFirst();
    }
}
