package io.dualstack.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The status the kubelet reports for a pod, computed from the pod, its addresses and the node's
 * addresses. Pure; timestamps already in the pod are kept so that recomputing an unchanged pod
 * yields an equal status (no write).
 */
public final class PodStatuses {
    private PodStatuses() {}

    /** Annotation that drives readiness: {@code "false"} makes the pod's containers not ready. */
    public static final String READY_ANNOTATION = "dualstack.io/ready";

    public static boolean wantsReady(Pod pod) {
        Map<String, String> ann = pod.getMetadata().getAnnotations();
        return ann == null || !"false".equalsIgnoreCase(ann.get(READY_ANNOTATION));
    }

    /** Status of a pod whose sandbox is up and whose containers run. */
    public static PodStatus running(Pod pod, PodAddresses addresses, List<String> hostIps, Instant now) {
        PodStatus old = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        boolean ready = wantsReady(pod);
        String startTime = old.getStartTime() != null ? old.getStartTime() : now.toString();
        List<Container> containers = pod.getSpec().getContainers();
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : containers) {
            Optional<ContainerStatus> prev = containerStatus(old, c.getName());
            String startedAt = prev.map(ContainerStatus::getState).map(ContainerState::getRunning)
                    .map(r -> r.getStartedAt()).orElse(startTime);
            statuses.add(new ContainerStatusBuilder().withName(c.getName()).withImage(normalizeImage(c.getImage()))
                    .withImageID(imageId(c.getImage())).withContainerID(containerId(pod, c.getName()))
                    .withReady(ready).withStarted(true).withRestartCount(0)
                    .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(startedAt).endRunning().build())
                    .build());
        }
        String notReadyMsg = "containers with unready status: ["
                + containers.stream().map(Container::getName).collect(Collectors.joining(" ")) + "]";
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(cond(old, "PodReadyToStartContainers", true, null, null, now));
        conditions.add(cond(old, "Initialized", true, null, null, now));
        conditions.add(cond(old, "Ready", ready, ready ? null : "ContainersNotReady", ready ? null : notReadyMsg, now));
        conditions.add(cond(old, "ContainersReady", ready, ready ? null : "ContainersNotReady", ready ? null : notReadyMsg, now));
        conditions.add(cond(old, "PodScheduled", true, null, null, now));
        return new PodStatusBuilder()
                .withPhase("Running")
                .withConditions(conditions)
                .withHostIP(hostIps.isEmpty() ? null : hostIps.get(0))
                .withHostIPs(hostIps.stream().map(HostIP::new).toList())
                .withPodIP(addresses.primary().toCanonicalString())
                .withPodIPs(addresses.strings().stream().map(PodIP::new).toList())
                .withStartTime(startTime)
                .withContainerStatuses(statuses)
                .withQosClass(old.getQosClass())
                .build();
    }

    /**
     * Status of a pod being deleted gracefully: containers stopped and not ready; addresses kept
     * in the status (upstream keeps podIPs of terminating pods) until the object goes.
     */
    public static PodStatus terminating(Pod pod, Instant now) {
        PodStatus old = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : pod.getSpec().getContainers()) {
            Optional<ContainerStatus> prev = containerStatus(old, c.getName());
            String startedAt = prev.map(ContainerStatus::getState).map(ContainerState::getRunning).map(r -> r.getStartedAt())
                    .orElse(prev.map(ContainerStatus::getState).map(ContainerState::getTerminated).map(t -> t.getStartedAt()).orElse(null));
            String finishedAt = prev.map(ContainerStatus::getState).map(ContainerState::getTerminated).map(t -> t.getFinishedAt())
                    .orElse(now.toString());
            statuses.add(new ContainerStatusBuilder().withName(c.getName()).withImage(normalizeImage(c.getImage()))
                    .withImageID(imageId(c.getImage())).withContainerID(containerId(pod, c.getName()))
                    .withReady(false).withStarted(false).withRestartCount(0)
                    .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(0).withReason("Completed")
                            .withStartedAt(startedAt).withFinishedAt(finishedAt).withContainerID(containerId(pod, c.getName()))
                            .endTerminated().build())
                    .build());
        }
        List<PodCondition> conditions = new ArrayList<>();
        for (PodCondition c : old.getConditions() == null ? List.<PodCondition>of() : old.getConditions()) {
            if (c.getType().equals("Ready") || c.getType().equals("ContainersReady")) {
                conditions.add(cond(old, c.getType(), false, "PodCompleted", null, now));
            } else {
                conditions.add(c);
            }
        }
        return new PodStatusBuilder(old).withConditions(conditions).withContainerStatuses(statuses).build();
    }

    private static Optional<ContainerStatus> containerStatus(PodStatus status, String name) {
        if (status.getContainerStatuses() == null) return Optional.empty();
        return status.getContainerStatuses().stream().filter(s -> name.equals(s.getName())).findFirst();
    }

    /** A condition, keeping the old transition time when its status did not change. */
    private static PodCondition cond(PodStatus old, String type, boolean status, String reason, String message, Instant now) {
        String s = status ? "True" : "False";
        String transition = now.toString();
        if (old.getConditions() != null) {
            for (PodCondition c : old.getConditions()) {
                if (type.equals(c.getType()) && s.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
                    transition = c.getLastTransitionTime();
                }
            }
        }
        return new PodConditionBuilder().withType(type).withStatus(s).withReason(reason).withMessage(message)
                .withLastTransitionTime(transition).withLastProbeTime(null).build();
    }

    /** How containerd names an image reference: {@code nginx:1.27} is {@code docker.io/library/nginx:1.27}. */
    public static String normalizeImage(String image) {
        if (image == null) return "";
        String ref = image;
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        boolean hasRegistry = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        if (!hasRegistry) ref = "docker.io/" + (slash < 0 ? "library/" : "") + ref;
        String last = ref.substring(ref.lastIndexOf('/') + 1);
        if (!last.contains(":") && !ref.contains("@")) ref = ref + ":latest";
        return ref;
    }

    /** A stable, made-up image digest ({@code docker.io/library/nginx@sha256:...}). */
    public static String imageId(String image) {
        String n = normalizeImage(image);
        int at = n.indexOf('@');
        if (at >= 0) return n;
        int colon = n.lastIndexOf(':');
        String repo = colon > n.lastIndexOf('/') ? n.substring(0, colon) : n;
        return repo + "@sha256:" + sha256(n);
    }

    /** A stable container ID for the pod's container ({@code containerd://<64 hex>}). */
    public static String containerId(Pod pod, String container) {
        return "containerd://" + sha256(pod.getMetadata().getUid() + "/" + container);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host IPs of a node, InternalIPs in order (the node's primary family first). */
    public static List<String> hostIps(io.fabric8.kubernetes.api.model.Node node) {
        if (node.getStatus() == null || node.getStatus().getAddresses() == null) return List.of();
        return node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                .map(a -> a.getAddress()).toList();
    }
}
