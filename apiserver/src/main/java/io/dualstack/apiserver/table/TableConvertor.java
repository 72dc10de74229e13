package io.dualstack.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.ResourceType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Server-side tables ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}) with the
 * columns and cell rules of kube-apiserver's printers ({@code pkg/printers/internalversion}). As
 * upstream, the server always renders the wide columns; kubectl hides {@code priority > 0}
 * columns unless {@code -o wide}. Pure: objects in, a {@code meta.k8s.io/v1 Table} out.
 */
public final class TableConvertor {
    private TableConvertor() {}

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final String NONE = "<none>";

    /** One column: upstream's name, type, format and priority (1 = wide only). */
    public record Column(String name, String type, String format, int priority, String description) {
        static Column nameColumn() {
            return new Column("Name", "string", "name", 0,
                    "Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names");
        }

        static Column age() {
            return new Column("Age", "string", "", 0,
                    "CreationTimestamp is a timestamp representing the server time when this object was created.");
        }

        static Column of(String name, String type, String description) {
            return new Column(name, type, "", 0, description);
        }

        static Column wide(String name, String type, String description) {
            return new Column(name, type, "", 1, description);
        }
    }

    /** Columns upstream prints for a kind. */
    public static List<Column> columns(ResourceType type) {
        return switch (type.kind()) {
            case "Pod" -> List.of(Column.nameColumn(),
                    Column.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
                    Column.of("Status", "string", "The aggregate status of the containers in this pod."),
                    Column.of("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                    Column.age(),
                    Column.wide("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster."),
                    Column.wide("Node", "string", "NodeName indicates in which node this pod is scheduled."),
                    Column.wide("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node."),
                    Column.wide("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness."));
            case "Service" -> List.of(Column.nameColumn(),
                    Column.of("Type", "string", "type determines how the Service is exposed."),
                    Column.of("Cluster-IP", "string", "clusterIP is the IP address of the service."),
                    Column.of("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
                    Column.of("Port(s)", "string", "The list of ports that are exposed by this service."),
                    Column.age(),
                    Column.wide("Selector", "string", "Route service traffic to pods with label keys and values matching this selector."));
            case "EndpointSlice" -> List.of(Column.nameColumn(),
                    Column.of("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
                    Column.of("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
                    Column.of("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
                    Column.age());
            case "Endpoints" -> List.of(Column.nameColumn(),
                    Column.of("Endpoints", "string", "The set of all endpoints is the union of all subsets."),
                    Column.age());
            case "Node" -> List.of(Column.nameColumn(),
                    Column.of("Status", "string", "The status of the node"),
                    Column.of("Roles", "string", "The roles of the node"),
                    Column.age(),
                    Column.of("Version", "string", "Kubelet Version reported by the node."),
                    Column.wide("Internal-IP", "string", "List of addresses reachable to the node."),
                    Column.wide("External-IP", "string", "List of addresses reachable to the node."),
                    Column.wide("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
                    Column.wide("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
                    Column.wide("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."));
            case "Namespace" -> List.of(Column.nameColumn(),
                    Column.of("Status", "string", "The status of the namespace"),
                    Column.age());
            case "Deployment" -> List.of(Column.nameColumn(),
                    Column.of("Ready", "string", "Number of the pod with ready state"),
                    Column.of("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                    Column.of("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                    Column.age(),
                    Column.wide("Containers", "string", "Names of each container in the template."),
                    Column.wide("Images", "string", "Images referenced by each container in the template."),
                    Column.wide("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."));
            case "ReplicaSet" -> List.of(Column.nameColumn(),
                    Column.of("Desired", "integer", "Replicas is the number of desired pods."),
                    Column.of("Current", "integer", "Replicas is the most recently observed number of replicas."),
                    Column.of("Ready", "integer", "The number of ready replicas for this replica set."),
                    Column.age(),
                    Column.wide("Containers", "string", "Names of each container in the template."),
                    Column.wide("Images", "string", "Images referenced by each container in the template."),
                    Column.wide("Selector", "string", "Selector is a label query over pods that should match the replica count."));
            case "ReplicationController" -> List.of(Column.nameColumn(),
                    Column.of("Desired", "integer", "Replicas is the number of desired replicas."),
                    Column.of("Current", "integer", "Replicas is the most recently observed number of replicas."),
                    Column.of("Ready", "integer", "The number of ready replicas for this replication controller."),
                    Column.age(),
                    Column.wide("Containers", "string", "Names of each container in the template."),
                    Column.wide("Images", "string", "Images referenced by each container in the template."),
                    Column.wide("Selector", "string", "Selector is a label query over pods that should match the Replicas count."));
            case "DaemonSet" -> List.of(Column.nameColumn(),
                    Column.of("Desired", "integer", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."),
                    Column.of("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
                    Column.of("Ready", "integer", "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."),
                    Column.of("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
                    Column.of("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
                    Column.of("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
                    Column.age(),
                    Column.wide("Containers", "string", "Names of each container in the template."),
                    Column.wide("Images", "string", "Images referenced by each container in the template."),
                    Column.wide("Selector", "string", "A label query over pods that are managed by the daemon set."));
            case "StatefulSet" -> List.of(Column.nameColumn(),
                    Column.of("Ready", "string", "Number of the pod with ready state"),
                    Column.age(),
                    Column.wide("Containers", "string", "Names of each container in the template."),
                    Column.wide("Images", "string", "Images referenced by each container in the template."));
            case "ServiceAccount" -> List.of(Column.nameColumn(),
                    Column.of("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
                    Column.age());
            case "Lease" -> List.of(Column.nameColumn(),
                    Column.of("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."),
                    Column.age());
            case "ConfigMap" -> List.of(Column.nameColumn(),
                    Column.of("Data", "string", "Data contains the configuration data."),
                    Column.age());
            case "Event" -> List.of(
                    Column.of("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
                    Column.of("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
                    Column.of("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
                    Column.of("Object", "string", "The object that this event is about."),
                    Column.wide("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
                    Column.wide("Source", "string", "The component reporting this event. Should be a short machine understandable string."),
                    Column.of("Message", "string", "A human-readable description of the status of this operation."),
                    Column.wide("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
                    Column.wide("Count", "string", "The number of times this event has occurred."),
                    new Column("Name", "string", "name", 1, "Name must be unique within a namespace."));
            case "NetworkPolicy" -> List.of(Column.nameColumn(),
                    Column.of("Pod-Selector", "string", "Selects the pods to which this NetworkPolicy object applies."),
                    Column.age());
            case "ServiceCIDR" -> List.of(Column.nameColumn(),
                    Column.of("CIDRs", "string", "CIDRs defines the IP blocks in CIDR notation (e.g. \"192.168.0.0/24\" or \"2001:db8::/64\") from which to assign service cluster IPs."),
                    Column.age());
            case "IPAddress" -> List.of(Column.nameColumn(),
                    Column.of("ParentRef", "string", "ParentRef references the resource that an IPAddress is attached to."),
                    Column.age());
            default -> List.of(Column.nameColumn(), Column.age());
        };
    }

    /** {@code columnDefinitions} of a Table: name, type, format, description, priority. */
    public static ArrayNode columnDefinitions(ResourceType type) {
        ArrayNode defs = F.arrayNode();
        for (Column c : columns(type)) {
            ObjectNode d = defs.addObject();
            d.put("name", c.name());
            d.put("type", c.type());
            d.put("format", c.format());
            d.put("description", c.description());
            d.put("priority", c.priority());
        }
        return defs;
    }

    /** Cells of one object's row, in {@link #columns} order. */
    public static List<Object> cells(ResourceType type, JsonNode obj, Instant now) {
        String name = text(obj.path("metadata").path("name"));
        String age = HumanDuration.since(text(obj.path("metadata").path("creationTimestamp")), now);
        return switch (type.kind()) {
            case "Pod" -> PodCells.cells(obj, now);
            case "Service" -> List.of(name, text(obj.path("spec").path("type")), serviceClusterIp(obj), serviceExternalIp(obj),
                    servicePorts(obj), age, labels(obj.path("spec").path("selector")));
            case "EndpointSlice" -> List.of(name, text(obj.path("addressType")), slicePorts(obj.path("ports")),
                    sliceEndpoints(obj.path("endpoints")), age);
            case "Endpoints" -> List.of(name, endpoints(obj.path("subsets")), age);
            case "Node" -> nodeCells(obj, name, age);
            case "Namespace" -> List.of(name, text(obj.path("status").path("phase")), age);
            case "Deployment" -> List.of(name,
                    integer(obj.path("status").path("readyReplicas")) + "/" + integer(obj.path("spec").path("replicas")),
                    (long) integer(obj.path("status").path("updatedReplicas")),
                    (long) integer(obj.path("status").path("availableReplicas")),
                    age, containerNames(obj), containerImages(obj), selector(obj.path("spec").path("selector"), ""));
            case "ReplicaSet" -> List.of(name,
                    (long) integer(obj.path("spec").path("replicas")),
                    (long) integer(obj.path("status").path("replicas")),
                    (long) integer(obj.path("status").path("readyReplicas")),
                    age, containerNames(obj), containerImages(obj), selector(obj.path("spec").path("selector"), ""));
            case "ReplicationController" -> List.of(name,
                    (long) integer(obj.path("spec").path("replicas")),
                    (long) integer(obj.path("status").path("replicas")),
                    (long) integer(obj.path("status").path("readyReplicas")),
                    age, containerNames(obj), containerImages(obj), labels(obj.path("spec").path("selector")));
            case "DaemonSet" -> List.of(name,
                    (long) integer(obj.path("status").path("desiredNumberScheduled")),
                    (long) integer(obj.path("status").path("currentNumberScheduled")),
                    (long) integer(obj.path("status").path("numberReady")),
                    (long) integer(obj.path("status").path("updatedNumberScheduled")),
                    (long) integer(obj.path("status").path("numberAvailable")),
                    labels(obj.path("spec").path("template").path("spec").path("nodeSelector")),
                    age, containerNames(obj), containerImages(obj), selector(obj.path("spec").path("selector"), ""));
            case "StatefulSet" -> List.of(name,
                    integer(obj.path("status").path("readyReplicas")) + "/" + integer(obj.path("spec").path("replicas")),
                    age, containerNames(obj), containerImages(obj));
            case "ServiceAccount" -> List.of(name, (long) obj.path("secrets").size(), age);
            case "Lease" -> List.of(name, text(obj.path("spec").path("holderIdentity")), age);
            case "ConfigMap" -> List.of(name, (long) (obj.path("data").size() + obj.path("binaryData").size()), age);
            case "Event" -> eventCells(obj, name, now);
            case "NetworkPolicy" -> List.of(name, selector(obj.path("spec").path("podSelector"), NONE), age);
            case "ServiceCIDR" -> List.of(name, join(obj.path("spec").path("cidrs")), age);
            case "IPAddress" -> List.of(name, ipAddressParent(obj.path("spec").path("parentRef")), age);
            default -> List.of(name, age);
        };
    }

    /**
     * The Table for a list (or one object): {@code includeObject} is {@code None}, {@code Metadata}
     * (the default: a PartialObjectMetadata per row, which kubectl needs for {@code -A} and
     * {@code --show-labels}) or {@code Object}.
     */
    public static ObjectNode toTable(ResourceType type, List<ObjectNode> objects, String resourceVersion,
                                     String continueToken, String includeObject, Instant now) {
        ObjectNode table = F.objectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode meta = table.putObject("metadata");
        if (resourceVersion != null && !resourceVersion.isEmpty()) {
            meta.put("resourceVersion", resourceVersion);
        }
        if (continueToken != null && !continueToken.isEmpty()) {
            meta.put("continue", continueToken);
        }
        table.set("columnDefinitions", columnDefinitions(type));
        ArrayNode rows = table.putArray("rows");
        String include = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
        for (ObjectNode obj : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : cells(type, obj, now)) {
                if (cell instanceof Long l) {
                    cells.add(l);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            if ("Pod".equals(type.kind())) {
                String phase = text(obj.path("status").path("phase"));
                if (phase.equals("Succeeded") || phase.equals("Failed")) {
                    row.putArray("conditions").addObject()
                            .put("type", "Completed").put("status", "True").put("reason", phase)
                            .put("message", phase.equals("Succeeded") ? "The pod has completed successfully." : "The pod failed.");
                }
            }
            switch (include) {
                case "None" -> row.putNull("object");
                case "Object" -> row.set("object", obj);
                default -> {
                    ObjectNode partial = row.putObject("object");
                    partial.put("kind", "PartialObjectMetadata");
                    partial.put("apiVersion", "meta.k8s.io/v1");
                    partial.set("metadata", obj.path("metadata").deepCopy());
                }
            }
        }
        return table;
    }

    // ------------------------------------------------------------------ services

    static String serviceClusterIp(JsonNode svc) {
        JsonNode ips = svc.path("spec").path("clusterIPs");
        if (ips.isArray() && !ips.isEmpty()) {
            return ips.get(0).asText();
        }
        String ip = text(svc.path("spec").path("clusterIP"));
        return ip.isEmpty() ? NONE : ip;
    }

    static String serviceExternalIp(JsonNode svc) {
        JsonNode spec = svc.path("spec");
        List<String> external = strings(spec.path("externalIPs"));
        String type = text(spec.path("type"));
        switch (type) {
            case "ClusterIP", "NodePort":
                return external.isEmpty() ? NONE : String.join(",", external);
            case "LoadBalancer": {
                List<String> lb = new ArrayList<>();
                for (JsonNode ingress : svc.path("status").path("loadBalancer").path("ingress")) {
                    if (!text(ingress.path("ip")).isEmpty()) {
                        lb.add(text(ingress.path("ip")));
                    } else if (!text(ingress.path("hostname")).isEmpty()) {
                        lb.add(text(ingress.path("hostname")));
                    }
                }
                if (!external.isEmpty()) {
                    List<String> all = new ArrayList<>(external);
                    all.addAll(lb);
                    return String.join(",", all);
                }
                return lb.isEmpty() ? "<pending>" : String.join(",", lb);
            }
            case "ExternalName":
                return text(spec.path("externalName"));
            default:
                return "<unknown>";
        }
    }

    static String servicePorts(JsonNode svc) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : svc.path("spec").path("ports")) {
            String protocol = text(p.path("protocol"));
            int nodePort = integer(p.path("nodePort"));
            out.add(nodePort != 0
                    ? integer(p.path("port")) + ":" + nodePort + "/" + protocol
                    : integer(p.path("port")) + "/" + protocol);
        }
        return out.isEmpty() ? NONE : String.join(",", out);
    }

    // ------------------------------------------------------------------ endpoints

    static String slicePorts(JsonNode ports) {
        List<String> list = new ArrayList<>();
        int count = 0;
        for (JsonNode p : ports) {
            if (list.size() < 3) {
                if (p.hasNonNull("port")) {
                    list.add(String.valueOf(p.get("port").asInt()));
                } else if (p.hasNonNull("name")) {
                    list.add(p.get("name").asText());
                } else {
                    list.add("*");
                }
            }
            count++;
        }
        return withMore(list, count, "<unset>");
    }

    static String sliceEndpoints(JsonNode endpoints) {
        List<String> list = new ArrayList<>();
        int count = 0;
        for (JsonNode e : endpoints) {
            for (JsonNode a : e.path("addresses")) {
                if (list.size() < 3) {
                    list.add(a.asText());
                }
                count++;
            }
        }
        return withMore(list, count, "<unset>");
    }

    private static String withMore(List<String> list, int count, String empty) {
        String joined = String.join(",", list);
        if (count > list.size()) {
            return joined + " + " + (count - list.size()) + " more...";
        }
        return joined.isEmpty() ? empty : joined;
    }

    static String endpoints(JsonNode subsets) {
        if (!subsets.isArray() || subsets.isEmpty()) {
            return NONE;
        }
        List<String> list = new ArrayList<>();
        int count = 0;
        for (JsonNode ss : subsets) {
            JsonNode addresses = ss.path("addresses");
            if (ss.path("ports").isEmpty()) {
                for (JsonNode a : addresses) {
                    if (list.size() < 3) {
                        list.add(text(a.path("ip")));
                    }
                    count++;
                }
                continue;
            }
            for (JsonNode port : ss.path("ports")) {
                for (JsonNode a : addresses) {
                    if (list.size() < 3) {
                        list.add(hostPort(text(a.path("ip")), integer(port.path("port"))));
                    }
                    count++;
                }
            }
        }
        String joined = String.join(",", list);
        return count > list.size() ? joined + " + " + (count - list.size()) + " more..." : joined;
    }

    /** Go's {@code net.JoinHostPort}: brackets around IPv6 literals. */
    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    // ------------------------------------------------------------------ nodes

    private static List<Object> nodeCells(JsonNode node, String name, String age) {
        List<String> status = new ArrayList<>();
        JsonNode conditions = node.path("status").path("conditions");
        for (JsonNode c : conditions) {
            if (text(c.path("type")).equals("Ready")) {
                status.add(text(c.path("status")).equals("True") ? "Ready" : "NotReady");
            }
        }
        if (status.isEmpty()) {
            status.add("Unknown");
        }
        if (node.path("spec").path("unschedulable").asBoolean(false)) {
            status.add("SchedulingDisabled");
        }
        TreeSet<String> roles = new TreeSet<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.path("metadata").path("labels").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                String role = e.getKey().substring("node-role.kubernetes.io/".length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (e.getKey().equals("kubernetes.io/role") && !e.getValue().asText().isEmpty()) {
                roles.add(e.getValue().asText());
            }
        }
        JsonNode info = node.path("status").path("nodeInfo");
        return List.of(name, String.join(",", status), roles.isEmpty() ? NONE : String.join(",", roles), age,
                text(info.path("kubeletVersion")),
                nodeAddress(node, "InternalIP"), nodeAddress(node, "ExternalIP"),
                orUnknown(text(info.path("osImage"))), orUnknown(text(info.path("kernelVersion"))),
                orUnknown(text(info.path("containerRuntimeVersion"))));
    }

    private static String nodeAddress(JsonNode node, String type) {
        for (JsonNode a : node.path("status").path("addresses")) {
            if (text(a.path("type")).equals(type)) {
                return text(a.path("address"));
            }
        }
        return NONE;
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "<unknown>" : s;
    }

    // ------------------------------------------------------------------ events

    private static List<Object> eventCells(JsonNode ev, String name, Instant now) {
        String first = ev.hasNonNull("firstTimestamp")
                ? HumanDuration.since(text(ev.path("firstTimestamp")), now)
                : HumanDuration.since(text(ev.path("eventTime")), now);
        String last = ev.hasNonNull("lastTimestamp") ? HumanDuration.since(text(ev.path("lastTimestamp")), now) : first;
        long count = integer(ev.path("count"));
        if (ev.path("series").isObject()) {
            last = HumanDuration.since(text(ev.path("series").path("lastObservedTime")), now);
            count = integer(ev.path("series").path("count"));
        } else if (count == 0) {
            count = 1;
        }
        JsonNode involved = ev.path("involvedObject");
        String kind = text(involved.path("kind")).toLowerCase(java.util.Locale.ROOT);
        String target = text(involved.path("name")).isEmpty() ? kind : kind + "/" + text(involved.path("name"));
        String component = firstNonEmpty(text(ev.path("source").path("component")), text(ev.path("reportingComponent")));
        String host = firstNonEmpty(text(ev.path("source").path("host")), text(ev.path("reportingInstance")));
        String source = host.isEmpty() ? component : component + ", " + host;
        return List.of(last, text(ev.path("type")), text(ev.path("reason")), target, text(involved.path("fieldPath")),
                source, text(ev.path("message")).strip(), first, count, name);
    }

    private static String firstNonEmpty(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    // ------------------------------------------------------------------ workloads

    private static String containerNames(JsonNode obj) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : obj.path("spec").path("template").path("spec").path("containers")) {
            names.add(text(c.path("name")));
        }
        return String.join(",", names);
    }

    private static String containerImages(JsonNode obj) {
        List<String> images = new ArrayList<>();
        for (JsonNode c : obj.path("spec").path("template").path("spec").path("containers")) {
            images.add(text(c.path("image")));
        }
        return String.join(",", images);
    }

    /**
     * A LabelSelector as {@code labels.Selector.String()}: requirements sorted by key,
     * {@code k=v}, {@code k in (a,b)}, {@code k notin (a)}, {@code k}, {@code !k}; {@code empty}
     * when it selects everything.
     */
    static String selector(JsonNode selector, String empty) {
        TreeMap<String, List<String>> reqs = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            reqs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getKey() + "=" + e.getValue().asText());
        }
        for (JsonNode expr : selector.path("matchExpressions")) {
            String key = text(expr.path("key"));
            TreeSet<String> values = new TreeSet<>(strings(expr.path("values")));
            String rendered = switch (text(expr.path("operator"))) {
                case "In" -> key + " in (" + String.join(",", values) + ")";
                case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> key + " " + text(expr.path("operator"));
            };
            reqs.computeIfAbsent(key, k -> new ArrayList<>()).add(rendered);
        }
        List<String> all = new ArrayList<>();
        reqs.values().forEach(all::addAll);
        return all.isEmpty() ? empty : String.join(",", all);
    }

    /** A plain label map as {@code labels.FormatLabels}: sorted {@code k=v} joined by commas. */
    static String labels(JsonNode map) {
        TreeMap<String, String> sorted = new TreeMap<>();
        map.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        if (sorted.isEmpty()) {
            return NONE;
        }
        List<String> out = new ArrayList<>();
        sorted.forEach((k, v) -> out.add(k + "=" + v));
        return String.join(",", out);
    }

    private static String ipAddressParent(JsonNode ref) {
        if (!ref.isObject()) {
            return NONE;
        }
        String group = text(ref.path("group"));
        String resource = text(ref.path("resource"));
        String out = (group.isEmpty() ? resource : resource + "." + group).toLowerCase(java.util.Locale.ROOT);
        if (!text(ref.path("namespace")).isEmpty()) {
            out += "/" + text(ref.path("namespace"));
        }
        return out + "/" + text(ref.path("name"));
    }

    // ------------------------------------------------------------------ helpers

    static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    static int integer(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? 0 : n.asInt();
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(v -> out.add(v.asText()));
        }
        return out;
    }

    private static String join(JsonNode array) {
        return String.join(",", strings(array));
    }
}
