package io.dualstack.apiserver.strategy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.apiserver.registry.AdmissionContext;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.ArrayList;
import java.util.List;

import static io.dualstack.apiserver.strategy.PodDefaults.nonNull;

/**
 * Pods: defaulting ({@link PodDefaults#defaultPod}), {@code status.phase: Pending} and the QoS
 * class on create, spec validation, and upstream's rule that a pod's spec is immutable apart
 * from images, activeDeadlineSeconds, added tolerations, and binding (nodeName set once).
 */
public final class PodStrategy implements ResourceStrategy<Pod> {
    static final ObjectMapper JSON = new ObjectMapper();

    static final String UPDATE_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
            + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    @Override
    public void prepareForCreate(Pod pod, AdmissionContext ctx) {
        PodDefaults.defaultPod(pod);
        PodStatus status = new PodStatus();
        status.setPhase("Pending");
        status.setQosClass(PodDefaults.qosClass(pod.getSpec()));
        pod.setStatus(status);
    }

    @Override
    public List<StatusCause> validateCreate(Pod pod) {
        List<StatusCause> out = new ArrayList<>();
        Names.validateObjectName(pod.getMetadata().getName(), out);
        out.addAll(PodValidation.validatePodSpec(pod.getSpec(), "spec"));
        return out;
    }

    @Override
    public void prepareForUpdate(Pod newPod, Pod oldPod, AdmissionContext ctx) {
        PodDefaults.defaultPod(newPod);
        if (newPod.getStatus() == null) newPod.setStatus(oldPod.getStatus());
    }

    @Override
    public List<StatusCause> validateUpdate(Pod newPod, Pod oldPod) {
        List<StatusCause> out = new ArrayList<>(validateCreate(newPod));
        if (!out.isEmpty()) return out;
        if (!mutableOnlyChanged(newPod.getSpec(), oldPod.getSpec())) out.add(Causes.forbidden("spec", UPDATE_FORBIDDEN));
        return out;
    }

    /** True when the specs differ only in the fields upstream lets a pod update change. */
    static boolean mutableOnlyChanged(PodSpec newSpec, PodSpec oldSpec) {
        if (oldSpec == null) return true;
        ObjectNode a = JSON.valueToTree(newSpec);
        ObjectNode b = JSON.valueToTree(oldSpec);
        for (ObjectNode n : List.of(a, b)) {
            n.remove("activeDeadlineSeconds");
            n.remove("tolerations");
            n.remove("schedulingGates");
            n.remove("terminationGracePeriodSeconds");
            for (String list : List.of("containers", "initContainers")) {
                if (n.get(list) != null) n.get(list).forEach(c -> ((ObjectNode) c).remove("image"));
            }
        }
        String oldNode = oldSpec.getNodeName();
        if (oldNode == null || oldNode.isEmpty()) {
            a.remove("nodeName");
            b.remove("nodeName");
        }
        if (!a.equals(b)) return false;
        // Tolerations may only be added.
        List<Toleration> before = nonNull(oldSpec.getTolerations());
        List<Toleration> after = nonNull(newSpec.getTolerations());
        if (!after.containsAll(before)) return false;
        return nonNull(newSpec.getContainers()).stream().map(Container::getImage).noneMatch(i -> i == null || i.isBlank());
    }
}
