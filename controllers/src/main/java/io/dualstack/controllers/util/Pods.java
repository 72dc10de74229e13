package io.dualstack.controllers.util;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** Pure helpers over Pods and Services, with upstream's semantics (pkg/api/v1/pod, endpointslice util). */
public final class Pods {
    private Pods() {}

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    public static Optional<PodCondition> condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return Optional.empty();
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** The Pod's Ready condition is True. */
    public static boolean isReady(Pod pod) {
        return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Phase Succeeded or Failed (upstream: "terminal", distinct from "terminating"). */
    public static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null && !pod.getMetadata().getDeletionTimestamp().isEmpty();
    }

    /** The pod's IPs as the API lists them ({@code status.podIPs}, else {@code status.podIP}). */
    public static List<String> podIps(Pod pod) {
        if (pod.getStatus() == null) return List.of();
        if (pod.getStatus().getPodIPs() != null && !pod.getStatus().getPodIPs().isEmpty()) {
            return pod.getStatus().getPodIPs().stream().map(p -> p.getIp()).filter(Objects::nonNull).toList();
        }
        String ip = pod.getStatus().getPodIP();
        return ip == null || ip.isEmpty() ? List.of() : List.of(ip);
    }

    /**
     * upstream ShouldPodBeInEndpoints: not terminal, has an IP, and (when terminating pods are not
     * included) not terminating.
     */
    public static boolean shouldBeInEndpoints(Pod pod, boolean includeTerminating) {
        if (isTerminal(pod)) return false;
        if (podIps(pod).isEmpty()) return false;
        return includeTerminating || !isTerminating(pod);
    }

    /** upstream ShouldSetHostname: pod hostname set, subdomain equals the Service name, same namespace. */
    public static boolean shouldSetHostname(Pod pod, Service service) {
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty()
                && Objects.equals(pod.getSpec().getSubdomain(), service.getMetadata().getName())
                && Objects.equals(pod.getMetadata().getNamespace(), service.getMetadata().getNamespace());
    }

    /** Service port protocol with the API default (TCP). */
    public static String protocol(ServicePort port) {
        return port.getProtocol() == null || port.getProtocol().isEmpty() ? "TCP" : port.getProtocol();
    }

    /**
     * upstream FindPort: a numeric targetPort is used as is; a named one is looked up among the
     * pod's container ports (then restartable init containers) with the same name and protocol;
     * no match → empty. A missing targetPort means the service port number (API default).
     */
    public static OptionalInt findPort(Pod pod, ServicePort port) {
        IntOrString target = port.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return port.getPort() == null ? OptionalInt.empty() : OptionalInt.of(port.getPort());
        }
        if (target.getIntVal() != null) return OptionalInt.of(target.getIntVal());
        String name = target.getStrVal();
        String protocol = protocol(port);
        if (pod.getSpec() == null) return OptionalInt.empty();
        OptionalInt found = findNamed(pod.getSpec().getContainers(), name, protocol);
        if (found.isPresent()) return found;
        List<Container> init = pod.getSpec().getInitContainers();
        if (init == null) return OptionalInt.empty();
        return findNamed(init.stream().filter(c -> "Always".equals(c.getRestartPolicy())).toList(), name, protocol);
    }

    private static OptionalInt findNamed(List<Container> containers, String name, String protocol) {
        if (containers == null) return OptionalInt.empty();
        for (Container c : containers) {
            if (c.getPorts() == null) continue;
            for (ContainerPort p : c.getPorts()) {
                String proto = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
                if (name.equals(p.getName()) && protocol.equals(proto) && p.getContainerPort() != null) {
                    return OptionalInt.of(p.getContainerPort());
                }
            }
        }
        return OptionalInt.empty();
    }

    /** A map selector matches labels (every pair present). An empty selector matches everything. */
    public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null) return false;
        Map<String, String> l = labels == null ? Map.of() : labels;
        for (var e : selector.entrySet()) {
            if (!Objects.equals(l.get(e.getKey()), e.getValue())) return false;
        }
        return true;
    }

    /** The Service has a selector (nil selector selects nothing, as upstream). */
    public static boolean hasSelector(Service service) {
        return service.getSpec() != null && service.getSpec().getSelector() != null && !service.getSpec().getSelector().isEmpty();
    }

    /** ClusterIP set and not None (upstream IsServiceIPSet). */
    public static boolean isServiceIpSet(Service service) {
        String ip = service.getSpec() == null ? null : service.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !"None".equals(ip);
    }

    /** The Ready condition's lastTransitionTime (upstream's pod trigger time). */
    public static Optional<Instant> readyTransitionTime(Pod pod) {
        return condition(pod, "Ready").map(PodCondition::getLastTransitionTime).filter(s -> s != null && !s.isEmpty())
                .flatMap(Pods::parseTime);
    }

    public static Optional<Instant> parseTime(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Instant.parse(rfc3339));
        } catch (RuntimeException e) {
            try {
                return Optional.of(java.time.OffsetDateTime.parse(rfc3339).toInstant());
            } catch (RuntimeException e2) {
                return Optional.empty();
            }
        }
    }
}
