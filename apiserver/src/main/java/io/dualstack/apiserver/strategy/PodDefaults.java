package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Defaulting of pod specs as upstream's {@code pkg/apis/core/v1/defaults.go} does it (applied to
 * pods and to the pod templates of Deployments and ReplicaSets), plus the admission plugins a
 * kind cluster runs on pod create (ServiceAccount, Priority, DefaultTolerationSeconds).
 * Mutates in place; applying it twice changes nothing.
 */
public final class PodDefaults {
    private PodDefaults() {}

    public static final String DEFAULT_SCHEDULER = "default-scheduler";
    public static final long DEFAULT_GRACE_SECONDS = 30L;
    public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

    /** SetDefaults_PodSpec + SetDefaults_Container for every container of the spec. */
    public static void defaultPodSpec(PodSpec spec) {
        if (spec.getDnsPolicy() == null || spec.getDnsPolicy().isEmpty()) spec.setDnsPolicy("ClusterFirst");
        if (spec.getRestartPolicy() == null || spec.getRestartPolicy().isEmpty()) spec.setRestartPolicy("Always");
        if (spec.getSecurityContext() == null) spec.setSecurityContext(new PodSecurityContext());
        if (spec.getTerminationGracePeriodSeconds() == null) spec.setTerminationGracePeriodSeconds(DEFAULT_GRACE_SECONDS);
        if (spec.getSchedulerName() == null || spec.getSchedulerName().isEmpty()) spec.setSchedulerName(DEFAULT_SCHEDULER);
        boolean hostNetwork = Boolean.TRUE.equals(spec.getHostNetwork());
        for (Container c : nonNull(spec.getInitContainers())) defaultContainer(c, hostNetwork);
        for (Container c : nonNull(spec.getContainers())) defaultContainer(c, hostNetwork);
    }

    public static void defaultPodTemplate(PodTemplateSpec template) {
        if (template == null) return;
        if (template.getSpec() == null) template.setSpec(new PodSpec());
        defaultPodSpec(template.getSpec());
    }

    /** SetDefaults_Pod plus the create-time admission defaults (only for Pod objects, not templates). */
    public static void defaultPod(Pod pod) {
        if (pod.getSpec() == null) pod.setSpec(new PodSpec());
        PodSpec spec = pod.getSpec();
        defaultPodSpec(spec);
        // SetDefaults_Pod: requests default to limits when only limits are given.
        for (Container c : nonNull(spec.getContainers())) defaultRequestsFromLimits(c);
        for (Container c : nonNull(spec.getInitContainers())) defaultRequestsFromLimits(c);
        if (spec.getEnableServiceLinks() == null) spec.setEnableServiceLinks(true);
        // ServiceAccount admission.
        if (spec.getServiceAccountName() == null || spec.getServiceAccountName().isEmpty()) spec.setServiceAccountName("default");
        if (spec.getServiceAccount() == null || spec.getServiceAccount().isEmpty()) spec.setServiceAccount(spec.getServiceAccountName());
        // Priority admission with no PriorityClass.
        if (spec.getPriority() == null) spec.setPriority(0);
        if (spec.getPreemptionPolicy() == null || spec.getPreemptionPolicy().isEmpty()) spec.setPreemptionPolicy("PreemptLowerPriority");
        // DefaultTolerationSeconds admission.
        addDefaultToleration(spec, "node.kubernetes.io/not-ready");
        addDefaultToleration(spec, "node.kubernetes.io/unreachable");
    }

    private static void addDefaultToleration(PodSpec spec, String key) {
        List<Toleration> tolerations = new ArrayList<>(nonNull(spec.getTolerations()));
        boolean present = tolerations.stream().anyMatch(t -> key.equals(t.getKey())
                && (t.getEffect() == null || t.getEffect().isEmpty() || "NoExecute".equals(t.getEffect())));
        if (present) return;
        tolerations.add(new TolerationBuilder().withKey(key).withOperator("Exists").withEffect("NoExecute")
                .withTolerationSeconds(300L).build());
        spec.setTolerations(tolerations);
    }

    static void defaultContainer(Container c, boolean hostNetwork) {
        if (c.getImagePullPolicy() == null || c.getImagePullPolicy().isEmpty()) c.setImagePullPolicy(imagePullPolicy(c.getImage()));
        if (c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()) c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH);
        if (c.getTerminationMessagePolicy() == null || c.getTerminationMessagePolicy().isEmpty()) c.setTerminationMessagePolicy("File");
        if (c.getResources() == null) c.setResources(new ResourceRequirements());
        for (ContainerPort p : nonNull(c.getPorts())) {
            if (p.getProtocol() == null || p.getProtocol().isEmpty()) p.setProtocol("TCP");
            if (hostNetwork && (p.getHostPort() == null || p.getHostPort() == 0)) p.setHostPort(p.getContainerPort());
        }
        for (EnvVar e : nonNull(c.getEnv())) {
            if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                ObjectFieldSelector f = e.getValueFrom().getFieldRef();
                if (f.getApiVersion() == null || f.getApiVersion().isEmpty()) f.setApiVersion("v1");
            }
        }
        defaultProbe(c.getLivenessProbe());
        defaultProbe(c.getReadinessProbe());
        defaultProbe(c.getStartupProbe());
    }

    private static void defaultProbe(Probe p) {
        if (p == null) return;
        if (p.getTimeoutSeconds() == null || p.getTimeoutSeconds() == 0) p.setTimeoutSeconds(1);
        if (p.getPeriodSeconds() == null || p.getPeriodSeconds() == 0) p.setPeriodSeconds(10);
        if (p.getSuccessThreshold() == null || p.getSuccessThreshold() == 0) p.setSuccessThreshold(1);
        if (p.getFailureThreshold() == null || p.getFailureThreshold() == 0) p.setFailureThreshold(3);
        if (p.getHttpGet() != null && (p.getHttpGet().getScheme() == null || p.getHttpGet().getScheme().isEmpty())) p.getHttpGet().setScheme("HTTP");
        if (p.getHttpGet() != null && (p.getHttpGet().getPath() == null || p.getHttpGet().getPath().isEmpty())) p.getHttpGet().setPath("/");
    }

    private static void defaultRequestsFromLimits(Container c) {
        ResourceRequirements r = c.getResources();
        if (r == null || r.getLimits() == null || r.getLimits().isEmpty()) return;
        Map<String, Quantity> requests = r.getRequests() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(r.getRequests());
        r.getLimits().forEach(requests::putIfAbsent);
        r.setRequests(requests);
    }

    /**
     * Upstream: {@code Always} when the image has no tag or the tag {@code latest} (and no digest),
     * otherwise {@code IfNotPresent}.
     */
    public static String imagePullPolicy(String image) {
        if (image == null || image.isEmpty()) return "Always";
        if (image.contains("@")) return "IfNotPresent";
        String last = image.substring(image.lastIndexOf('/') + 1);
        int colon = last.lastIndexOf(':');
        if (colon < 0) return "Always";
        return "latest".equals(last.substring(colon + 1)) ? "Always" : "IfNotPresent";
    }

    /** Upstream's QoS class: BestEffort (no requests/limits), Guaranteed (limits == requests for cpu and memory everywhere), else Burstable. */
    public static String qosClass(PodSpec spec) {
        List<Container> all = new ArrayList<>(nonNull(spec.getContainers()));
        all.addAll(nonNull(spec.getInitContainers()));
        boolean any = false;
        boolean guaranteed = !all.isEmpty();
        for (Container c : all) {
            ResourceRequirements r = c.getResources();
            Map<String, Quantity> req = r == null || r.getRequests() == null ? Map.of() : r.getRequests();
            Map<String, Quantity> lim = r == null || r.getLimits() == null ? Map.of() : r.getLimits();
            for (String res : List.of("cpu", "memory")) {
                Quantity rq = req.get(res);
                Quantity lq = lim.get(res);
                if (rq != null || lq != null) any = true;
                if (lq == null || (rq != null && rq.getNumericalAmount().compareTo(lq.getNumericalAmount()) != 0)) guaranteed = false;
            }
        }
        if (!any) return "BestEffort";
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }
}
