package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Taint;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for API objects in table tests. */
public final class Fixtures {
    private Fixtures() {}

    public static Map<String, String> labels(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    /** A running pod on {@code node} with the given IPs (first = status.podIP), Ready as given. */
    public static PodBuilder pod(String name, String node, boolean ready, String... ips) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .withLabels(labels("app", "web")).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("c").withImage("nginx")
                .withPorts(new ContainerPortBuilder().withName("http").withContainerPort(8080).withProtocol("TCP").build())
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running")
                .withPodIP(ips.length == 0 ? null : ips[0])
                .withPodIPs(Arrays.stream(ips).map(ip -> new PodIPBuilder().withIp(ip).build()).toList())
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime("2026-01-01T00:00:00Z").endCondition()
                .endStatus();
    }

    /** Pod i of a numbered set: IPv4 10.244.(i/250).(i%250+1), IPv6 fd00:10:244::(i+1 in hex). */
    public static Pod numberedPod(int i, String node) {
        return pod(String.format("web-%05d", i), node, true, "10.244." + (i / 250) + "." + (i % 250 + 1),
                "fd00:10:244::" + Integer.toHexString(i + 1)).build();
    }

    /** A ClusterIP Service selecting app=web, port 80 → targetPort "http" (or a number). */
    public static ServiceBuilder service(String name, List<String> families, String clusterIp, Object targetPort) {
        IntOrString target = targetPort instanceof Integer n ? new IntOrString(n) : new IntOrString((String) targetPort);
        return new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace("default").withUid("uid-svc-" + name)
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewSpec().withSelector(labels("app", "web")).withClusterIP(clusterIp)
                .withIpFamilies(families)
                .withPorts(new ServicePortBuilder().withName("web").withPort(80).withProtocol("TCP").withTargetPort(target).build())
                .endSpec();
    }

    public static Node node(String name, boolean ready, Map<String, String> labels, Taint... taints) {
        return new NodeBuilder()
                .withNewMetadata().withName(name).withUid("uid-node-" + name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(taints).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus()
                .build();
    }
}
