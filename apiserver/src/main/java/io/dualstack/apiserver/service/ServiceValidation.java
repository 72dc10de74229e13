package io.dualstack.apiserver.service;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.StatusCause;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

import static io.dualstack.apiserver.service.FieldErrors.duplicate;
import static io.dualstack.apiserver.service.FieldErrors.fams;
import static io.dualstack.apiserver.service.FieldErrors.forbidden;
import static io.dualstack.apiserver.service.FieldErrors.invalid;
import static io.dualstack.apiserver.service.FieldErrors.notSupported;
import static io.dualstack.apiserver.service.FieldErrors.num;
import static io.dualstack.apiserver.service.FieldErrors.required;
import static io.dualstack.apiserver.service.FieldErrors.str;
import static io.dualstack.apiserver.service.FieldErrors.strs;

/**
 * Upstream's Service validation ({@code pkg/apis/core/validation/validation.go}): {@code ValidateService},
 * {@code ValidateServiceClusterIPsRelatedFields}, {@code ValidateServiceUpdate} with
 * {@code validateUpgradeDowngradeClusterIPs/IPFamilies} and {@code validateLoadBalancerClassField}.
 * Causes keep upstream's order, field paths and texts. Object metadata is the registry's job.
 */
public final class ServiceValidation {
    private ServiceValidation() {}

    static final Set<String> TYPES = Set.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
    static final Set<String> POLICIES = Set.of("SingleStack", "PreferDualStack", "RequireDualStack");
    static final Set<String> FAMILIES = Set.of("IPv4", "IPv6");
    static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    static final Set<String> AFFINITIES = Set.of("ClientIP", "None");
    static final Set<String> TRAFFIC_POLICIES = Set.of("Cluster", "Local");
    static final String IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    static final String PORT_MSG = "must be between 1 and 65535, inclusive";
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern IANA_SVC_NAME = Pattern.compile("[-a-z0-9]+");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");

    public static boolean isHeadless(Service svc) {
        List<String> ips = svc.getSpec().getClusterIPs();
        return ips != null && ips.size() == 1 && "None".equals(ips.get(0));
    }

    /** {@code ValidateServiceCreate}. */
    public static List<StatusCause> validateCreate(Service svc) {
        return validate(svc);
    }

    /** {@code ValidateServiceUpdate}. */
    public static List<StatusCause> validateUpdate(Service svc, Service old) {
        List<StatusCause> e = new ArrayList<>();
        e.addAll(upgradeDowngradeClusterIPs(old, svc));
        e.addAll(upgradeDowngradeIPFamilies(old, svc));
        e.addAll(loadBalancerClass(old, svc));
        e.addAll(validate(svc));
        return e;
    }

    /** {@code ValidateServiceStatusUpdate}: {@code ValidateLoadBalancerStatus}. */
    public static List<StatusCause> validateStatus(Service svc) {
        List<StatusCause> e = new ArrayList<>();
        if (svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null) return e;
        var ingress = list(svc.getStatus().getLoadBalancer().getIngress());
        for (int i = 0; i < ingress.size(); i++) {
            var in = ingress.get(i);
            String path = "status.loadBalancer.ingress[" + i + "]";
            if (!isEmpty(in.getIp()) && Addresses.parse(in.getIp()).isEmpty()) e.add(invalid(path + ".ip", str(in.getIp()), "must be a valid IP address"));
            if (!isEmpty(in.getIp()) && in.getIpMode() == null) {
                e.add(required(path + ".ipMode", "must be specified when `ip` is set"));
            } else if (in.getIpMode() != null && isEmpty(in.getIp())) {
                e.add(forbidden(path + ".ipMode", "may not be specified when `ip` is not set"));
            } else if (in.getIpMode() != null && !Set.of("VIP", "Proxy").contains(in.getIpMode())) {
                e.add(notSupported(path + ".ipMode", str(in.getIpMode()), Set.of("VIP", "Proxy")));
            }
            if (!isEmpty(in.getHostname()) && Addresses.parse(in.getHostname()).isPresent()) {
                e.add(invalid(path + ".hostname", str(in.getHostname()), "must be a DNS name, not an IP address"));
            }
        }
        return e;
    }

    /** {@code ValidateService}. */
    public static List<StatusCause> validate(Service svc) {
        List<StatusCause> e = new ArrayList<>();
        ServiceSpec s = svc.getSpec();
        List<ServicePort> ports = s.getPorts() == null ? List.of() : s.getPorts();
        String type = s.getType();
        if (ports.isEmpty() && !isHeadless(svc) && !"ExternalName".equals(type)) e.add(required("spec.ports", ""));
        switch (type == null ? "" : type) {
            case "LoadBalancer" -> {
                if (isHeadless(svc)) e.add(invalid("spec.clusterIPs[0]", str(s.getClusterIPs().get(0)), "may not be set to 'None' for LoadBalancer services"));
            }
            case "NodePort" -> {
                if (isHeadless(svc)) e.add(invalid("spec.clusterIPs[0]", str(s.getClusterIPs().get(0)), "may not be set to 'None' for NodePort services"));
            }
            case "ExternalName" -> {
                if (s.getClusterIPs() != null && !s.getClusterIPs().isEmpty()) e.add(forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
                if (s.getIpFamilies() != null && !s.getIpFamilies().isEmpty()) e.add(forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
                if (s.getIpFamilyPolicy() != null) e.add(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
                String cname = s.getExternalName() == null ? "" : s.getExternalName();
                if (cname.endsWith(".")) cname = cname.substring(0, cname.length() - 1);
                if (!cname.isEmpty()) {
                    if (cname.length() > 253) e.add(invalid("spec.externalName", str(cname), "must be no more than 253 characters"));
                    if (!DNS1123_SUBDOMAIN.matcher(cname).matches()) e.add(invalid("spec.externalName", str(cname),
                            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
                } else {
                    e.add(required("spec.externalName", ""));
                }
            }
            default -> { }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) e.addAll(servicePort(ports.get(i), ports.size() > 1, names, "spec.ports[" + i + "]"));

        if (isEmpty(s.getSessionAffinity())) e.add(required("spec.sessionAffinity", ""));
        else if (!AFFINITIES.contains(s.getSessionAffinity())) e.add(notSupported("spec.sessionAffinity", str(s.getSessionAffinity()), AFFINITIES));
        if ("ClientIP".equals(s.getSessionAffinity())) {
            if (s.getSessionAffinityConfig() == null) e.add(required("spec.sessionAffinityConfig", "when session affinity type is ClientIP"));
            else if (s.getSessionAffinityConfig().getClientIP() == null) e.add(required("spec.sessionAffinityConfig.clientIP", "when session affinity type is ClientIP"));
            else {
                Integer t = s.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
                if (t == null || t <= 0 || t > 86400) e.add(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t == null ? FieldErrors.str(null) : num(t),
                        "must be greater than 0 and less than 86400"));
            }
        } else if ("None".equals(s.getSessionAffinity()) && s.getSessionAffinityConfig() != null) {
            e.add(forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }

        e.addAll(clusterIPsRelatedFields(svc));

        List<String> ext = s.getExternalIPs() == null ? List.of() : s.getExternalIPs();
        for (int i = 0; i < ext.size(); i++) {
            if (Addresses.parse(ext.get(i)).isEmpty()) e.add(invalid("spec.externalIPs[" + i + "]", str(ext.get(i)), IP_MSG));
        }

        if (isEmpty(type)) e.add(required("spec.type", ""));
        else if (!TYPES.contains(type)) e.add(notSupported("spec.type", str(type), TYPES));

        if ("ClusterIP".equals(type)) {
            for (int i = 0; i < ports.size(); i++) {
                if (nodePort(ports.get(i)) != 0) e.add(forbidden("spec.ports[" + i + "].nodePort", "may not be used when `type` is 'ClusterIP'"));
            }
        }
        Set<String> seenNodePorts = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            if (nodePort(p) == 0) continue;
            if (!seenNodePorts.add(p.getProtocol() + "/" + nodePort(p))) e.add(duplicate("spec.ports[" + i + "].nodePort", num(nodePort(p))));
        }
        Set<String> seenPorts = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            if (!seenPorts.add(p.getProtocol() + "/" + p.getPort())) {
                e.add(duplicate("spec.ports[" + i + "]", portKey(p)));
            }
        }

        if ("LoadBalancer".equals(type)) {
            if (s.getAllocateLoadBalancerNodePorts() == null) e.add(required("allocateLoadBalancerNodePorts", ""));
        } else if (s.getAllocateLoadBalancerNodePorts() != null) {
            e.add(forbidden("allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
        }

        e.addAll(externalTrafficPolicy(svc));
        if (s.getInternalTrafficPolicy() == null) {
            if ("NodePort".equals(type) || "LoadBalancer".equals(type) || "ClusterIP".equals(type)) e.add(required("spec.internalTrafficPolicy", ""));
        } else if (!TRAFFIC_POLICIES.contains(s.getInternalTrafficPolicy())) {
            e.add(notSupported("spec.internalTrafficPolicy", str(s.getInternalTrafficPolicy()), TRAFFIC_POLICIES));
        }
        e.addAll(loadBalancerClass(null, svc));
        return e;
    }

    private static FieldErrors.GoValue portKey(ServicePort p) {
        // field.Duplicate(portPath, core.ServicePort{Protocol, Port}) prints the struct with %#v
        return new FieldErrors.GoRaw("core.ServicePort{Name:\"\", Protocol:\"" + p.getProtocol() + "\", AppProtocol:(*string)(nil), Port:" + p.getPort()
                + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}");
    }

    private static List<StatusCause> servicePort(ServicePort p, boolean requireName, Set<String> names, String path) {
        List<StatusCause> e = new ArrayList<>();
        String name = p.getName();
        if (requireName && isEmpty(name)) e.add(required(path + ".name", ""));
        else if (!isEmpty(name)) {
            if (name.length() > 63) e.add(invalid(path + ".name", str(name), "must be no more than 63 characters"));
            if (!DNS1123_LABEL.matcher(name).matches()) e.add(invalid(path + ".name", str(name),
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
            if (!names.add(name)) e.add(duplicate(path + ".name", str(name)));
        }
        int port = p.getPort() == null ? 0 : p.getPort();
        if (port < 1 || port > 65535) e.add(invalid(path + ".port", num(port), PORT_MSG));
        if (isEmpty(p.getProtocol())) e.add(required(path + ".protocol", ""));
        else if (!PROTOCOLS.contains(p.getProtocol())) e.add(notSupported(path + ".protocol", str(p.getProtocol()), PROTOCOLS));
        IntOrString t = p.getTargetPort();
        if (t != null && t.getIntVal() != null) {
            if (t.getIntVal() < 1 || t.getIntVal() > 65535) e.add(invalid(path + ".targetPort", num(t.getIntVal()), PORT_MSG));
        } else if (t != null && t.getStrVal() != null) {
            String sv = t.getStrVal();
            if (sv.length() > 15) e.add(invalid(path + ".targetPort", str(sv), "must be no more than 15 characters"));
            if (!IANA_SVC_NAME.matcher(sv).matches()) e.add(invalid(path + ".targetPort", str(sv), "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
            if (sv.contains("--")) e.add(invalid(path + ".targetPort", str(sv), "must not contain consecutive hyphens"));
            if (!sv.matches(".*[a-z].*")) e.add(invalid(path + ".targetPort", str(sv), "must contain at least one letter (a-z)"));
            if (sv.startsWith("-") || sv.endsWith("-")) e.add(invalid(path + ".targetPort", str(sv), "must not begin or end with a hyphen"));
        }
        return e;
    }

    private static List<StatusCause> externalTrafficPolicy(Service svc) {
        List<StatusCause> e = new ArrayList<>();
        ServiceSpec s = svc.getSpec();
        if (!ServiceDefaults.externallyAccessible(svc)) {
            if (!isEmpty(s.getExternalTrafficPolicy())) e.add(invalid("spec.externalTrafficPolicy", str(s.getExternalTrafficPolicy()),
                    "may only be set for externally-accessible services"));
        } else if (isEmpty(s.getExternalTrafficPolicy())) {
            e.add(required("spec.externalTrafficPolicy", ""));
        } else if (!TRAFFIC_POLICIES.contains(s.getExternalTrafficPolicy())) {
            e.add(notSupported("spec.externalTrafficPolicy", str(s.getExternalTrafficPolicy()), TRAFFIC_POLICIES));
        }
        int hc = s.getHealthCheckNodePort() == null ? 0 : s.getHealthCheckNodePort();
        if (!needsHealthCheck(svc)) {
            if (hc != 0) e.add(invalid("spec.healthCheckNodePort", num(hc), "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
        } else if (hc == 0) {
            e.add(required("spec.healthCheckNodePort", ""));
        } else if (hc < 1 || hc > 65535) {
            e.add(invalid("spec.healthCheckNodePort", num(hc), PORT_MSG));
        }
        return e;
    }

    /** {@code validateLoadBalancerClassField}. */
    static List<StatusCause> loadBalancerClass(Service old, Service svc) {
        List<StatusCause> e = new ArrayList<>();
        String cls = svc.getSpec().getLoadBalancerClass();
        if (old != null && "LoadBalancer".equals(old.getSpec().getType()) && "LoadBalancer".equals(svc.getSpec().getType())
                && !Objects.equals(old.getSpec().getLoadBalancerClass(), cls)) {
            e.add(invalid("spec.loadBalancerClass", str(cls), "may not change once set"));
        }
        if ("LoadBalancer".equals(svc.getSpec().getType())) {
            if (cls != null) {
                String n = cls.contains("/") ? cls.substring(cls.indexOf('/') + 1) : cls;
                String prefix = cls.contains("/") ? cls.substring(0, cls.indexOf('/')) : null;
                boolean ok = !n.isEmpty() && n.length() <= 63 && QUALIFIED_NAME.matcher(n).matches()
                        && (prefix == null || (!prefix.isEmpty() && DNS1123_SUBDOMAIN.matcher(prefix).matches()));
                if (!ok) e.add(invalid("spec.loadBalancerClass", str(cls),
                        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
            }
        } else if (cls != null) {
            e.add(forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
        }
        return e;
    }

    /** {@code ValidateServiceClusterIPsRelatedFields}: also run, loosely, before allocation. */
    public static List<StatusCause> clusterIPsRelatedFields(Service svc) {
        ServiceSpec s = svc.getSpec();
        if ("ExternalName".equals(s.getType())) return List.of();
        List<StatusCause> e = new ArrayList<>();
        boolean hasInvalidIPs = false;
        List<String> ips = s.getClusterIPs() == null ? List.of() : s.getClusterIPs();
        List<String> families = s.getIpFamilies() == null ? List.of() : s.getIpFamilies();
        if (!isEmpty(s.getClusterIP())) {
            if (ips.isEmpty()) e.add(required("spec.clusterIPs", ""));
            else if (!ips.get(0).equals(s.getClusterIP())) e.add(invalid("spec.clusterIPs", strs(s.getClusterIPs()), "first value must match `clusterIP`"));
        } else if (!ips.isEmpty()) {
            e.add(invalid("spec.clusterIPs", strs(s.getClusterIPs()), "must be empty when `clusterIP` is not specified"));
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < families.size(); i++) {
            String f = families.get(i);
            if (!FAMILIES.contains(f)) e.add(notSupported("spec.ipFamilies[" + i + "]", str(f), FAMILIES));
            if (!seen.add(f)) e.add(duplicate("spec.ipFamilies[" + i + "]", str(f)));
        }
        if (s.getIpFamilyPolicy() != null && !POLICIES.contains(s.getIpFamilyPolicy())) {
            e.add(notSupported("spec.ipFamilyPolicy", str(s.getIpFamilyPolicy()), POLICIES));
        }
        for (int i = 0; i < ips.size(); i++) {
            String ip = ips.get(i);
            if (i == 0 && "None".equals(ip)) {
                if (ips.size() > 1) {
                    hasInvalidIPs = true;
                    e.add(invalid("spec.clusterIPs", strs(ips), "'None' must be the first and only value"));
                }
                continue;
            }
            if (Addresses.parse(ip).isEmpty()) {
                hasInvalidIPs = true;
                e.add(invalid("spec.clusterIPs[" + i + "]", str(ip), IP_MSG));
            }
        }
        if (ips.size() > 2) e.add(invalid("spec.clusterIPs", strs(ips), "may only hold up to 2 values"));
        if (hasInvalidIPs) return e;
        if (ips.size() > 1) {
            // k8s.io/utils/net IsDualStackIPStrings: at least one of each family
            boolean dual = ips.stream().map(Addresses::familyOf).distinct().count() == 2;
            if (!dual) e.add(invalid("spec.clusterIPs", strs(ips), "may specify no more than one IP for each IP family"));
        }
        if (!isHeadless(svc) && !ips.isEmpty() && !families.isEmpty()) {
            for (int i = 0; i < ips.size() && i < families.size(); i++) {
                boolean v6 = Addresses.parse(ips.get(i)).map(a -> a.isIPv6()).orElse(false);
                if ("IPv4".equals(families.get(i)) && v6) {
                    e.add(invalid("spec.clusterIPs[" + i + "]", str(ips.get(i)), "expected an IPv4 value as indicated by `ipFamilies[" + i + "]`"));
                }
                if ("IPv6".equals(families.get(i)) && !v6) {
                    e.add(invalid("spec.clusterIPs[" + i + "]", str(ips.get(i)), "expected an IPv6 value as indicated by `ipFamilies[" + i + "]`"));
                }
            }
        }
        return e;
    }

    static List<StatusCause> upgradeDowngradeClusterIPs(Service old, Service svc) {
        List<StatusCause> e = new ArrayList<>();
        if ("ExternalName".equals(svc.getSpec().getType()) || "ExternalName".equals(old.getSpec().getType())) return e;
        if (isHeadless(old) && isHeadless(svc)) return e;
        List<String> o = list(old.getSpec().getClusterIPs());
        List<String> n = list(svc.getSpec().getClusterIPs());
        GoStringsValue nv = new GoStringsValue(svc.getSpec().getClusterIPs());
        if (o.size() == n.size()) {
            for (int i = 0; i < o.size(); i++) {
                if (!o.get(i).equals(n.get(i))) e.add(invalid("spec.clusterIPs[" + i + "]", nv.v(), "may not change once set"));
            }
        } else if (o.size() > n.size()) {
            if (n.isEmpty()) e.add(invalid("spec.clusterIPs[0]", nv.v(), "primary clusterIP can not be unset"));
            if (!o.isEmpty() && !n.isEmpty() && !n.get(0).equals(o.get(0))) e.add(invalid("spec.clusterIPs[0]", nv.v(), "may not change once set"));
            if (n.size() == 1 && !"SingleStack".equals(svc.getSpec().getIpFamilyPolicy())) {
                e.add(invalid("spec.ipFamilyPolicy", str(svc.getSpec().getIpFamilyPolicy()), "must be set to 'SingleStack' when releasing the secondary clusterIP"));
            }
        } else {
            if (!o.isEmpty() && !n.get(0).equals(o.get(0))) e.add(invalid("spec.clusterIPs[0]", nv.v(), "may not change once set"));
        }
        return e;
    }

    static List<StatusCause> upgradeDowngradeIPFamilies(Service old, Service svc) {
        List<StatusCause> e = new ArrayList<>();
        if ("ExternalName".equals(svc.getSpec().getType()) || "ExternalName".equals(old.getSpec().getType())) return e;
        boolean oh = isHeadless(old), nh = isHeadless(svc);
        if (oh != nh || nh) return e;
        List<String> o = list(old.getSpec().getIpFamilies());
        List<String> n = list(svc.getSpec().getIpFamilies());
        if (o.size() == n.size()) {
            for (int i = 0; i < o.size(); i++) {
                if (!o.get(i).equals(n.get(i))) e.add(invalid("spec.ipFamilies[0]", fams(svc.getSpec().getIpFamilies()), "may not change once set"));
            }
        } else if (o.size() > n.size()) {
            if (list(svc.getSpec().getClusterIPs()).isEmpty()) e.add(invalid("spec.ipFamilies[0]", fams(svc.getSpec().getIpFamilies()), "primary ipFamily can not be unset"));
            if (!n.isEmpty() && !n.get(0).equals(o.get(0))) e.add(invalid("spec.ipFamilies[0]", strs(svc.getSpec().getClusterIPs()), "may not change once set"));
            if (n.size() == 1 && !"SingleStack".equals(svc.getSpec().getIpFamilyPolicy())) {
                e.add(invalid("spec.ipFamilyPolicy", str(svc.getSpec().getIpFamilyPolicy()), "must be set to 'SingleStack' when releasing the secondary ipFamily"));
            }
        } else {
            if (!o.isEmpty() && !n.isEmpty() && !n.get(0).equals(o.get(0))) e.add(invalid("spec.ipFamilies[0]", strs(svc.getSpec().getClusterIPs()), "may not change once set"));
        }
        return e;
    }

    private record GoStringsValue(List<String> values) {
        FieldErrors.GoValue v() {
            return strs(values);
        }
    }

    /** Upstream {@code apiservice.NeedsHealthCheck}. */
    static boolean needsHealthCheck(Service svc) {
        return "LoadBalancer".equals(svc.getSpec().getType()) && "Local".equals(svc.getSpec().getExternalTrafficPolicy());
    }

    static int nodePort(ServicePort p) {
        return p.getNodePort() == null ? 0 : p.getNodePort();
    }

    static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
