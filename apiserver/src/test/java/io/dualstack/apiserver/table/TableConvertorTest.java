package io.dualstack.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.dualstack.apiserver.registry.ResourceCatalog.*;
import static org.assertj.core.api.Assertions.assertThat;

class TableConvertorTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Every fixture is created 90 s before NOW unless it says otherwise. */
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final String CREATED = "metadata: {name: x, namespace: default, creationTimestamp: '2026-01-01T11:58:30Z'}\n";

    static ObjectNode yaml(String s) {
        try {
            return (ObjectNode) YAML.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static Arguments row(String name, ResourceType type, String body, String cells) {
        return Arguments.of(name, type, body, cells);
    }

    static Stream<Arguments> rows() {
        return Stream.of(
                // ---- services (printService / getServiceExternalIP / makePortString)
                row("service ClusterIP dual-stack prints only the primary clusterIPs[0]", SERVICES,
                        "spec: {type: ClusterIP, clusterIP: 10.96.0.10, clusterIPs: [10.96.0.10, 'fd00:10:96::a'], selector: {app: web, tier: fe}, ports: [{port: 80, protocol: TCP}]}",
                        "x | ClusterIP | 10.96.0.10 | <none> | 80/TCP | 90s | app=web,tier=fe"),
                row("service IPv6-primary prints the IPv6 address", SERVICES,
                        "spec: {type: ClusterIP, clusterIPs: ['fd00:10:96::a', 10.96.0.10], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}",
                        "x | ClusterIP | fd00:10:96::a | <none> | 53/UDP,53/TCP | 90s | <none>"),
                row("headless service prints None", SERVICES,
                        "spec: {type: ClusterIP, clusterIP: None, clusterIPs: [None], selector: {app: db}, ports: [{port: 5432, protocol: TCP}]}",
                        "x | ClusterIP | None | <none> | 5432/TCP | 90s | app=db"),
                row("NodePort shows port:nodePort/protocol", SERVICES,
                        "spec: {type: NodePort, clusterIPs: [10.96.1.2], ports: [{port: 80, nodePort: 30080, protocol: TCP}]}",
                        "x | NodePort | 10.96.1.2 | <none> | 80:30080/TCP | 90s | <none>"),
                row("externalIPs are listed on a ClusterIP service", SERVICES,
                        "spec: {type: ClusterIP, clusterIPs: [10.96.1.2], externalIPs: [192.0.2.1, '2001:db8::1'], ports: [{port: 80, protocol: TCP}]}",
                        "x | ClusterIP | 10.96.1.2 | 192.0.2.1,2001:db8::1 | 80/TCP | 90s | <none>"),
                row("LoadBalancer without ingress is <pending>", SERVICES,
                        "spec: {type: LoadBalancer, clusterIPs: [10.96.1.2], ports: [{port: 443, nodePort: 31443, protocol: TCP}]}",
                        "x | LoadBalancer | 10.96.1.2 | <pending> | 443:31443/TCP | 90s | <none>"),
                row("LoadBalancer lists ingress ip then hostname", SERVICES,
                        "spec: {type: LoadBalancer, clusterIPs: [10.96.1.2], ports: [{port: 443, nodePort: 31443, protocol: TCP}]}\nstatus: {loadBalancer: {ingress: [{ip: 203.0.113.7}, {hostname: lb.example.com}]}}",
                        "x | LoadBalancer | 10.96.1.2 | 203.0.113.7,lb.example.com | 443:31443/TCP | 90s | <none>"),
                row("ExternalName shows the name and <none> cluster IP and ports", SERVICES,
                        "spec: {type: ExternalName, externalName: db.example.com}",
                        "x | ExternalName | <none> | db.example.com | <none> | 90s | <none>"),
                // ---- endpointslices (formatDiscoveryPorts / formatDiscoveryEndpoints)
                row("endpointslice IPv6 with ports and endpoints", ENDPOINTSLICES,
                        "addressType: IPv6\nports: [{name: http, port: 80, protocol: TCP}]\nendpoints: [{addresses: ['fd00:10:244:1::5']}, {addresses: ['fd00:10:244:2::6']}]",
                        "x | IPv6 | 80 | fd00:10:244:1::5,fd00:10:244:2::6 | 90s"),
                row("endpointslice with no ports or endpoints prints <unset>", ENDPOINTSLICES,
                        "addressType: IPv4\nendpoints: []",
                        "x | IPv4 | <unset> | <unset> | 90s"),
                row("endpointslice truncates after three with + N more...", ENDPOINTSLICES,
                        "addressType: IPv4\nports: [{port: 1}, {port: 2}, {port: 3}, {port: 4}]\nendpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2]}, {addresses: [10.0.0.3]}, {addresses: [10.0.0.4]}, {addresses: [10.0.0.5]}]",
                        "x | IPv4 | 1,2,3 + 1 more... | 10.0.0.1,10.0.0.2,10.0.0.3 + 2 more... | 90s"),
                row("endpointslice port without number prints its name, neither prints *", ENDPOINTSLICES,
                        "addressType: IPv4\nports: [{name: dns}, {protocol: UDP}]\nendpoints: [{addresses: [10.0.0.1]}]",
                        "x | IPv4 | dns,* | 10.0.0.1 | 90s"),
                // ---- endpoints (formatEndpoints, net.JoinHostPort)
                row("endpoints host:port with IPv6 bracketed", ENDPOINTS,
                        "subsets: [{addresses: [{ip: 10.244.1.5}, {ip: 'fd00::5'}], ports: [{port: 8080}]}]",
                        "x | 10.244.1.5:8080,[fd00::5]:8080 | 90s"),
                row("endpoints without subsets prints <none>", ENDPOINTS, "kind: Endpoints", "x | <none> | 90s"),
                row("endpoints headless without ports prints bare IPs", ENDPOINTS,
                        "subsets: [{addresses: [{ip: 10.244.1.5}]}]", "x | 10.244.1.5 | 90s"),
                // ---- pods (printPod)
                row("running pod with dual-stack IPs prints podIPs[0] in IP", PODS,
                        "spec: {nodeName: worker, containers: [{name: a}, {name: b}]}\nstatus: {phase: Running, podIPs: [{ip: 10.244.1.5}, {ip: 'fd00:10:244:1::5'}], conditions: [{type: Ready, status: 'True'}], containerStatuses: [{name: a, ready: true, restartCount: 0, state: {running: {}}}, {name: b, ready: true, restartCount: 0, state: {running: {}}}]}",
                        "x | 2/2 | Running | 0 | 90s | 10.244.1.5 | worker | <none> | <none>"),
                row("waiting container reason replaces the phase", PODS,
                        "spec: {containers: [{name: a}]}\nstatus: {phase: Pending, containerStatuses: [{name: a, ready: false, restartCount: 0, state: {waiting: {reason: ContainerCreating}}}]}",
                        "x | 0/1 | ContainerCreating | 0 | 90s | <none> | <none> | <none> | <none>"),
                row("restarts show (age ago) of the last termination", PODS,
                        "spec: {nodeName: n1, containers: [{name: a}]}\nstatus: {phase: Running, podIPs: [{ip: 10.0.0.9}], containerStatuses: [{name: a, ready: false, restartCount: 3, state: {waiting: {reason: CrashLoopBackOff}}, lastState: {terminated: {exitCode: 1, finishedAt: '2026-01-01T11:55:00Z'}}}]}",
                        "x | 0/1 | CrashLoopBackOff | 3 (5m ago) | 90s | 10.0.0.9 | n1 | <none> | <none>"),
                row("terminated without reason prints ExitCode:N", PODS,
                        "spec: {containers: [{name: a}]}\nstatus: {phase: Failed, containerStatuses: [{name: a, state: {terminated: {exitCode: 2}}}]}",
                        "x | 0/1 | ExitCode:2 | 0 | 90s | <none> | <none> | <none> | <none>"),
                row("init container waiting prints Init:i/n", PODS,
                        "spec: {containers: [{name: a}], initContainers: [{name: i1}, {name: i2}]}\nstatus: {phase: Pending, initContainerStatuses: [{name: i1, state: {terminated: {exitCode: 0}}}, {name: i2, state: {running: {}}}], containerStatuses: [{name: a, state: {waiting: {reason: PodInitializing}}}]}",
                        "x | 0/1 | Init:1/2 | 0 | 90s | <none> | <none> | <none> | <none>"),
                row("deleted pod prints Terminating", PODS,
                        "metadata: {name: x, creationTimestamp: '2026-01-01T11:58:30Z', deletionTimestamp: '2026-01-01T11:59:59Z'}\nspec: {containers: [{name: a}]}\nstatus: {phase: Running, containerStatuses: [{name: a, ready: true, state: {running: {}}}]}",
                        "x | 1/1 | Terminating | 0 | 90s | <none> | <none> | <none> | <none>"),
                row("readiness gates count true conditions", PODS,
                        "spec: {containers: [{name: a}], readinessGates: [{conditionType: example.com/lb}, {conditionType: example.com/dns}]}\nstatus: {phase: Running, conditions: [{type: example.com/lb, status: 'True'}], containerStatuses: [{name: a, ready: true, state: {running: {}}}]}",
                        "x | 1/1 | Running | 0 | 90s | <none> | <none> | <none> | 1/2"),
                // ---- nodes (printNode)
                row("ready control-plane node with both families' InternalIP (first printed)", NODES,
                        "metadata: {name: x, creationTimestamp: '2026-01-01T11:58:30Z', labels: {node-role.kubernetes.io/control-plane: ''}}\nstatus: {conditions: [{type: Ready, status: 'True'}], addresses: [{type: InternalIP, address: 172.18.0.2}, {type: InternalIP, address: 'fc00:f853:ccd:e793::2'}, {type: Hostname, address: x}], nodeInfo: {kubeletVersion: v1.32.0, osImage: Debian GNU/Linux 12 (bookworm), kernelVersion: 6.1.0, containerRuntimeVersion: 'dualstack://0.1.0'}}",
                        "x | Ready | control-plane | 90s | v1.32.0 | 172.18.0.2 | <none> | Debian GNU/Linux 12 (bookworm) | 6.1.0 | dualstack://0.1.0"),
                row("node without conditions is Unknown, cordoned adds SchedulingDisabled, no roles <none>", NODES,
                        "spec: {unschedulable: true}\nstatus: {}",
                        "x | Unknown,SchedulingDisabled | <none> | 90s |  | <none> | <none> | <unknown> | <unknown> | <unknown>"),
                row("NotReady node", NODES,
                        "status: {conditions: [{type: Ready, status: 'False'}]}",
                        "x | NotReady | <none> | 90s |  | <none> | <none> | <unknown> | <unknown> | <unknown>"),
                // ---- namespaces, configmaps
                row("namespace prints its phase", NAMESPACES, "status: {phase: Active}", "x | Active | 90s"),
                row("configmap counts data plus binaryData", CONFIGMAPS, "data: {a: '1', b: '2'}\nbinaryData: {c: AA==}", "x | 3 | 90s"),
                // ---- deployments, replicasets
                row("deployment READY ready/desired, selector with expressions", DEPLOYMENTS,
                        "spec: {replicas: 3, selector: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [fe, be]}]}, template: {spec: {containers: [{name: nginx, image: 'nginx:1.27'}, {name: side, image: busybox}]}}}\nstatus: {readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2}",
                        "x | 2/3 | 3 | 2 | 90s | nginx,side | nginx:1.27,busybox | app=web,tier in (be,fe)"),
                row("replicaset desired/current/ready", REPLICASETS,
                        "spec: {replicas: 2, selector: {matchLabels: {app: web, pod-template-hash: abc}}, template: {spec: {containers: [{name: nginx, image: nginx}]}}}\nstatus: {replicas: 2, readyReplicas: 1}",
                        "x | 2 | 2 | 1 | 90s | nginx | nginx | app=web,pod-template-hash=abc"),
                // ---- events
                row("event object kind/name lower-cased, source component, host", EVENTS,
                        "metadata: {name: x.1, namespace: default, creationTimestamp: '2026-01-01T11:58:30Z'}\ninvolvedObject: {kind: Pod, name: web-1, fieldPath: 'spec.containers{a}'}\nreason: Started\ntype: Normal\nmessage: 'Started container a '\nsource: {component: kubelet, host: worker}\nfirstTimestamp: '2026-01-01T11:00:00Z'\nlastTimestamp: '2026-01-01T11:59:00Z'\ncount: 4",
                        "60s | Normal | Started | pod/web-1 | spec.containers{a} | kubelet, worker | Started container a | 60m | 4 | x.1"),
                row("singleton new-style event: eventTime, count 1, reportingController", EVENTS,
                        "metadata: {name: x.2}\ninvolvedObject: {kind: Node}\nreason: RegisteredNode\ntype: Normal\nmessage: m\neventTime: '2026-01-01T11:59:30.000000Z'\nreportingComponent: node-controller",
                        "30s | Normal | RegisteredNode | node |  | node-controller | m | 30s | 1 | x.2"),
                // ---- networking
                row("networkpolicy empty pod selector prints <none>", NETWORKPOLICIES, "spec: {podSelector: {}}", "x | <none> | 90s"),
                row("networkpolicy pod selector", NETWORKPOLICIES,
                        "spec: {podSelector: {matchLabels: {app: db}, matchExpressions: [{key: env, operator: DoesNotExist}]}}", "x | app=db,!env | 90s"),
                row("servicecidr lists both families", SERVICECIDRS,
                        "spec: {cidrs: [10.96.0.0/16, 'fd00:10:96::/112']}", "x | 10.96.0.0/16,fd00:10:96::/112 | 90s"),
                row("ipaddress parentRef resource.group/namespace/name (core group has none)", IPADDRESSES,
                        "spec: {parentRef: {group: '', resource: services, namespace: default, name: kubernetes}}", "x | services/default/kubernetes | 90s"),
                row("ipaddress without parentRef", IPADDRESSES, "spec: {}", "x | <none> | 90s"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void cellsMatchUpstream(String name, ResourceType type, String body, String expected) {
        ObjectNode obj = yaml(body.startsWith("metadata:") ? body : CREATED + body);
        List<Object> cells = TableConvertor.cells(type, obj, NOW);
        assertThat(cells).hasSize(TableConvertor.columns(type).size());
        assertThat(cells.stream().map(String::valueOf).collect(Collectors.joining(" | "))).isEqualTo(expected);
    }

    static Stream<Arguments> columnSets() {
        return Stream.of(
                Arguments.of(SERVICES, "Name Type Cluster-IP External-IP Port(s) Age *Selector"),
                Arguments.of(ENDPOINTSLICES, "Name AddressType Ports Endpoints Age"),
                Arguments.of(PODS, "Name Ready Status Restarts Age *IP *Node *Nominated_Node *Readiness_Gates"),
                Arguments.of(NODES, "Name Status Roles Age Version *Internal-IP *External-IP *OS-Image *Kernel-Version *Container-Runtime"),
                Arguments.of(DEPLOYMENTS, "Name Ready Up-to-date Available Age *Containers *Images *Selector"),
                Arguments.of(REPLICASETS, "Name Desired Current Ready Age *Containers *Images *Selector"),
                Arguments.of(NAMESPACES, "Name Status Age"),
                Arguments.of(ENDPOINTS, "Name Endpoints Age"),
                Arguments.of(CONFIGMAPS, "Name Data Age"),
                Arguments.of(EVENTS, "Last_Seen Type Reason Object *Subobject *Source Message *First_Seen *Count *Name"),
                Arguments.of(NETWORKPOLICIES, "Name Pod-Selector Age"),
                Arguments.of(SERVICECIDRS, "Name CIDRs Age"),
                Arguments.of(IPADDRESSES, "Name ParentRef Age"),
                Arguments.of(ResourceCatalog.SERVICEACCOUNTS, "Name Secrets Age"),
                Arguments.of(ResourceCatalog.REPLICATIONCONTROLLERS, "Name Desired Current Ready Age *Containers *Images *Selector"),
                Arguments.of(ResourceCatalog.DAEMONSETS, "Name Desired Current Ready Up-to-date Available Node_Selector Age *Containers *Images *Selector"),
                Arguments.of(ResourceCatalog.STATEFULSETS, "Name Ready Age *Containers *Images"),
                Arguments.of(ResourceCatalog.LEASES, "Name Holder Age"));
    }

    @ParameterizedTest(name = "{0} columns as printers.go (* = wide only)")
    @MethodSource("columnSets")
    void columnsMatchUpstream(ResourceType type, String expected) {
        String actual = TableConvertor.columns(type).stream()
                .map(c -> (c.priority() > 0 ? "*" : "") + c.name().replace(' ', '_'))
                .collect(Collectors.joining(" "));
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void everyServedResourceHasUpstreamColumnsNotTheDefault() {
        for (ResourceType t : ResourceCatalog.ALL) {
            if (ResourceCatalog.CREATE_ONLY.contains(t)) continue; // reviews are never listed, so never printed
            assertThat(TableConvertor.columns(t)).as(t.plural()).hasSizeGreaterThan(2);
        }
    }

    @ParameterizedTest(name = "includeObject={0} gives row.object {1}")
    @CsvSource({"None,null", "Metadata,PartialObjectMetadata", "'',PartialObjectMetadata", "Object,Service"})
    void tableShapeAndIncludeObject(String include, String objectKind) {
        ObjectNode svc = yaml("kind: Service\napiVersion: v1\n" + CREATED.replace("name: x", "name: web, labels: {app: web}")
                + "spec: {type: ClusterIP, clusterIPs: [10.96.0.1], ports: [{port: 80, protocol: TCP}]}");
        JsonNode t = TableConvertor.toTable(SERVICES, List.of(svc), "42", "tok", include, NOW);
        assertThat(t.get("kind").asText()).isEqualTo("Table");
        assertThat(t.get("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
        assertThat(t.get("metadata").get("resourceVersion").asText()).isEqualTo("42");
        assertThat(t.get("metadata").get("continue").asText()).isEqualTo("tok");
        assertThat(t.get("columnDefinitions").get(0).get("format").asText()).isEqualTo("name");
        assertThat(t.get("columnDefinitions").get(6).get("priority").asInt()).isEqualTo(1);
        JsonNode row = t.get("rows").get(0);
        assertThat(row.get("cells").get(0).asText()).isEqualTo("web");
        if (objectKind.equals("null")) {
            assertThat(row.get("object").isNull()).isTrue();
        } else {
            assertThat(row.get("object").get("kind").asText()).isEqualTo(objectKind);
            assertThat(row.get("object").get("metadata").get("labels").get("app").asText()).isEqualTo("web");
        }
    }

    @Test
    void integerCellsStayNumbers() {
        ObjectNode rs = yaml(CREATED + "spec: {replicas: 2}\nstatus: {replicas: 1}");
        JsonNode cells = TableConvertor.toTable(REPLICASETS, List.of(rs), "1", "", "None", NOW).get("rows").get(0).get("cells");
        assertThat(cells.get(1).isNumber()).isTrue();
        assertThat(cells.get(1).asInt()).isEqualTo(2);
    }

    @ParameterizedTest(name = "HumanDuration({0}s) = {1}")
    @CsvSource({
            "-5,<invalid>", "-1,0s", "0,0s", "119,119s", "120,2m", "303,5m3s", "600,10m", "10799,179m",
            "10800,3h", "11100,3h5m", "28800,8h", "172799,47h", "172800,2d", "180000,2d2h", "691200,8d",
            "63072000,2y", "64000000,2y10d", "252288000,8y"})
    void humanDuration(long seconds, String expected) {
        assertThat(HumanDuration.format(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    @Test
    void missingTimestampIsUnknown() {
        assertThat(HumanDuration.since("", NOW)).isEqualTo("<unknown>");
    }
}
