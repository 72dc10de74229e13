package io.dualstack.apiserver.strategy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.dualstack.apiserver.strategy.PodDefaults.nonNull;

/** The pod spec checks users hit, with upstream's field paths and messages ({@code ValidatePodSpec}). */
public final class PodValidation {
    private PodValidation() {}

    static final List<String> RESTART_POLICIES = List.of("Always", "Never", "OnFailure");
    static final List<String> DNS_POLICIES = List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None");
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");

    /** Validates a (defaulted) pod spec; {@code path} is {@code spec} or {@code spec.template.spec}. */
    public static List<StatusCause> validatePodSpec(PodSpec spec, String path) {
        List<StatusCause> out = new ArrayList<>();
        if (spec == null) {
            out.add(Causes.required(path, ""));
            return out;
        }
        Set<String> names = new HashSet<>();
        List<Container> containers = nonNull(spec.getContainers());
        if (containers.isEmpty()) out.add(Causes.required(path + ".containers", ""));
        validateContainers(nonNull(spec.getInitContainers()), path + ".initContainers", names, out);
        validateContainers(containers, path + ".containers", names, out);
        String rp = spec.getRestartPolicy();
        if (rp != null && !RESTART_POLICIES.contains(rp)) out.add(Causes.notSupported(path + ".restartPolicy", rp, RESTART_POLICIES));
        String dp = spec.getDnsPolicy();
        if (dp != null && !DNS_POLICIES.contains(dp)) out.add(Causes.notSupported(path + ".dnsPolicy", dp, DNS_POLICIES));
        Long grace = spec.getTerminationGracePeriodSeconds();
        if (grace != null && grace < 0) out.add(Causes.invalid(path + ".terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"));
        if (spec.getNodeName() != null && !spec.getNodeName().isEmpty()) {
            for (String msg : Names.dns1123Subdomain(spec.getNodeName())) out.add(Causes.invalid(path + ".nodeName", spec.getNodeName(), msg));
        }
        return out;
    }

    private static void validateContainers(List<Container> containers, String path, Set<String> names, List<StatusCause> out) {
        for (int i = 0; i < containers.size(); i++) {
            Container c = containers.get(i);
            String p = path + "[" + i + "]";
            String name = c.getName();
            if (name == null || name.isEmpty()) {
                out.add(Causes.required(p + ".name", ""));
            } else {
                for (String msg : Names.dns1123Label(name)) out.add(Causes.invalid(p + ".name", name, msg));
                if (!names.add(name)) out.add(Causes.duplicate(p + ".name", name));
            }
            if (c.getImage() == null || c.getImage().isBlank()) out.add(Causes.required(p + ".image", ""));
            String pull = c.getImagePullPolicy();
            if (pull != null && !PULL_POLICIES.contains(pull)) out.add(Causes.notSupported(p + ".imagePullPolicy", pull, PULL_POLICIES));
            Set<String> portNames = new HashSet<>();
            List<ContainerPort> ports = nonNull(c.getPorts());
            for (int j = 0; j < ports.size(); j++) {
                ContainerPort port = ports.get(j);
                String pp = p + ".ports[" + j + "]";
                Integer cp = port.getContainerPort();
                if (cp == null || cp == 0) out.add(Causes.required(pp + ".containerPort", ""));
                else if (cp < 1 || cp > 65535) out.add(Causes.invalid(pp + ".containerPort", cp, "must be between 1 and 65535, inclusive"));
                Integer hp = port.getHostPort();
                if (hp != null && hp != 0 && (hp < 1 || hp > 65535)) out.add(Causes.invalid(pp + ".hostPort", hp, "must be between 1 and 65535, inclusive"));
                String proto = port.getProtocol();
                if (proto == null || proto.isEmpty()) out.add(Causes.required(pp + ".protocol", ""));
                else if (!PROTOCOLS.contains(proto)) out.add(Causes.notSupported(pp + ".protocol", proto, PROTOCOLS));
                String pn = port.getName();
                if (pn != null && !pn.isEmpty()) {
                    for (String msg : portNameErrors(pn)) out.add(Causes.invalid(pp + ".name", pn, msg));
                    if (!portNames.add(pn)) out.add(Causes.duplicate(pp + ".name", pn));
                }
            }
        }
    }

    /** IsValidPortName: IANA_SVC_NAME. */
    static List<String> portNameErrors(String port) {
        List<String> errs = new ArrayList<>();
        if (port.length() > 15) errs.add("must be no more than 15 characters");
        if (!port.matches("[-a-z0-9]+")) errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        if (!port.matches(".*[a-z].*")) errs.add("must contain at least one letter (a-z)");
        if (port.contains("--")) errs.add("must not contain consecutive hyphens");
        if (port.startsWith("-") || port.endsWith("-")) errs.add("must not begin or end with a hyphen");
        return errs;
    }
}
