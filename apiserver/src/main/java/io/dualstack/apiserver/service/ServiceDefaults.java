package io.dualstack.apiserver.service;

import io.fabric8.kubernetes.api.model.ClientIPConfig;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.SessionAffinityConfig;

/**
 * Upstream's {@code SetDefaults_Service} ({@code pkg/apis/core/v1/defaults.go}): what the API
 * server fills in when it decodes a Service, before any allocation or validation. IP family fields
 * are deliberately not defaulted here (upstream defaults them during allocation).
 */
public final class ServiceDefaults {
    private ServiceDefaults() {}

    public static void apply(Service svc) {
        if (svc.getSpec() == null) svc.setSpec(new ServiceSpec());
        ServiceSpec s = svc.getSpec();
        if (isEmpty(s.getSessionAffinity())) s.setSessionAffinity("None");
        if ("None".equals(s.getSessionAffinity())) {
            s.setSessionAffinityConfig(null);
        }
        if ("ClientIP".equals(s.getSessionAffinity())) {
            if (s.getSessionAffinityConfig() == null) s.setSessionAffinityConfig(new SessionAffinityConfig());
            if (s.getSessionAffinityConfig().getClientIP() == null) s.getSessionAffinityConfig().setClientIP(new ClientIPConfig());
            if (s.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() == null) {
                s.getSessionAffinityConfig().getClientIP().setTimeoutSeconds(10800);
            }
        }
        if (isEmpty(s.getType())) s.setType("ClusterIP");
        if (s.getPorts() != null) {
            for (ServicePort p : s.getPorts()) {
                if (isEmpty(p.getProtocol())) p.setProtocol("TCP");
                IntOrString t = p.getTargetPort();
                boolean unset = t == null || (t.getIntVal() == null && isEmpty(t.getStrVal()))
                        || (t.getIntVal() != null && t.getIntVal() == 0);
                if (unset && p.getPort() != null) p.setTargetPort(new IntOrString(p.getPort()));
            }
        }
        if (externallyAccessible(svc) && isEmpty(s.getExternalTrafficPolicy())) s.setExternalTrafficPolicy("Cluster");
        if (s.getInternalTrafficPolicy() == null && !"ExternalName".equals(s.getType())) s.setInternalTrafficPolicy("Cluster");
        if ("LoadBalancer".equals(s.getType()) && s.getAllocateLoadBalancerNodePorts() == null) {
            s.setAllocateLoadBalancerNodePorts(true);
        }
        if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null && svc.getStatus().getLoadBalancer().getIngress() != null) {
            for (var in : svc.getStatus().getLoadBalancer().getIngress()) {
                if (!isEmpty(in.getIp()) && in.getIpMode() == null) in.setIpMode("VIP");
            }
        }
    }

    /** Upstream {@code apiservice.ExternallyAccessible}. */
    static boolean externallyAccessible(Service svc) {
        String t = svc.getSpec().getType();
        return "LoadBalancer".equals(t) || "NodePort".equals(t)
                || ("ClusterIP".equals(t) && svc.getSpec().getExternalIPs() != null && !svc.getSpec().getExternalIPs().isEmpty());
    }

    static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
