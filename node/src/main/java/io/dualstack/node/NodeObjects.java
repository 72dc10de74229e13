package io.dualstack.node;

import inet.ipaddr.IPAddress;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Node objects a plan's nodes register as, shaped like a kind node's: upstream labels, the
 * kubeadm control-plane taint, InternalIPs per family plus Hostname, capacity, nodeInfo and the
 * kubelet's conditions. Pure.
 */
public final class NodeObjects {
    private NodeObjects() {}

    public static final String LABEL_HOSTNAME = "kubernetes.io/hostname";
    public static final String LABEL_OS = "kubernetes.io/os";
    public static final String LABEL_ARCH = "kubernetes.io/arch";
    public static final String LABEL_CONTROL_PLANE = "node-role.kubernetes.io/control-plane";
    public static final String LABEL_EXCLUDE_LB = "node.kubernetes.io/exclude-from-external-load-balancers";
    public static final String TAINT_CONTROL_PLANE = "node-role.kubernetes.io/control-plane";
    public static final String KUBELET_VERSION = "v1.32.0";
    public static final int MAX_PODS = 110;
    public static final int KUBELET_PORT = 10250;

    /** Host facts reported in capacity and nodeInfo. */
    public record Host(String arch, int cpus, long memoryBytes, String kernelVersion) {
        public static Host current() {
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            return new Host(goArch(System.getProperty("os.arch")), Runtime.getRuntime().availableProcessors(),
                    os.getTotalMemorySize(), System.getProperty("os.version"));
        }

        static String goArch(String javaArch) {
            return switch (javaArch) {
                case "amd64", "x86_64" -> "amd64";
                case "aarch64", "arm64" -> "arm64";
                default -> javaArch;
            };
        }
    }

    /** InternalIPs of the plan's node at {@code index}, as {@link io.dualstack.core.plan.Plans#internalIps} defines them. */
    public static List<IPAddress> internalIps(ClusterPlan plan, int index) {
        return io.dualstack.core.plan.Plans.internalIps(plan, index);
    }

    public static Map<String, String> labels(ClusterPlan.NodePlan node, Host host) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("beta.kubernetes.io/arch", host.arch());
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put(LABEL_ARCH, host.arch());
        labels.put(LABEL_HOSTNAME, node.name());
        labels.put(LABEL_OS, "linux");
        if (node.role() == ClusterPlan.Role.CONTROL_PLANE) {
            labels.put(LABEL_CONTROL_PLANE, "");
            labels.put(LABEL_EXCLUDE_LB, "");
        }
        return labels;
    }

    public static List<Taint> taints(ClusterPlan.NodePlan node) {
        if (node.role() != ClusterPlan.Role.CONTROL_PLANE) return List.of();
        return List.of(new TaintBuilder().withKey(TAINT_CONTROL_PLANE).withEffect("NoSchedule").build());
    }

    public static List<NodeAddress> addresses(String nodeName, List<IPAddress> internalIps) {
        List<NodeAddress> out = new ArrayList<>();
        for (IPAddress ip : internalIps) out.add(new NodeAddress(ip.toCanonicalString(), "InternalIP"));
        out.add(new NodeAddress(nodeName, "Hostname"));
        return out;
    }

    /** The kubelet's four conditions, all healthy, heartbeat {@code now}. */
    public static List<NodeCondition> conditions(Instant now, Instant transition) {
        return List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now, transition),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now, transition),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now, transition),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now, transition));
    }

    static NodeCondition condition(String type, String status, String reason, String message, Instant now, Instant transition) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now.toString()).withLastTransitionTime(transition.toString()).build();
    }

    /** The full Node the agent registers for the plan's node at {@code index}. */
    public static Node node(ClusterPlan plan, int index, Host host, Instant now) {
        ClusterPlan.NodePlan np = plan.nodes().get(index);
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(String.valueOf(host.cpus())));
        capacity.put("ephemeral-storage", new Quantity("100Gi"));
        capacity.put("hugepages-1Gi", new Quantity("0"));
        capacity.put("hugepages-2Mi", new Quantity("0"));
        capacity.put("memory", new Quantity(host.memoryBytes() / 1024 + "Ki"));
        capacity.put("pods", new Quantity(String.valueOf(MAX_PODS)));
        String id = UUID.nameUUIDFromBytes(np.name().getBytes(StandardCharsets.UTF_8)).toString();
        return new NodeBuilder()
                .withNewMetadata().withName(np.name()).withLabels(labels(np, host))
                .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
                .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
                .endMetadata()
                .withNewSpec().withTaints(taints(np)).endSpec()
                .withNewStatus()
                .withAddresses(addresses(np.name(), internalIps(plan, index)))
                .withCapacity(capacity).withAllocatable(new LinkedHashMap<>(capacity))
                .withConditions(conditions(now, now))
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(KUBELET_PORT).endKubeletEndpoint().endDaemonEndpoints()
                .withNodeInfo(new NodeSystemInfoBuilder().withArchitecture(host.arch()).withOperatingSystem("linux")
                        .withKernelVersion(host.kernelVersion()).withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion("")
                        .withContainerRuntimeVersion("dualstack://0.1.0").withOsImage("dualstack node agent (pods addressed, not run)")
                        .withMachineID(id.replace("-", "")).withSystemUUID(id).withBootID(UUID.randomUUID().toString()).build())
                .endStatus().build();
    }
}
