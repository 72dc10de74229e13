package io.dualstack.core.plan;

/** The plan's fields, each with the upstream flag that sets it (the path used when no input named one). */
public enum PlanField {
    SERVICE_CIDRS("--service-cluster-ip-range"),
    CLUSTER_CIDRS("--cluster-cidr"),
    NODE_MASK_IPV4("--node-cidr-mask-size-ipv4"),
    NODE_MASK_IPV6("--node-cidr-mask-size-ipv6"),
    NODE_NETWORKS("nodeNetworks"),
    NODES("nodes"),
    KUBE_PROXY_CIDRS("kube-proxy --cluster-cidr"),
    KUBE_PROXY_MODE("kube-proxy --proxy-mode"),
    NODE_PORT_RANGE("--service-node-port-range"),
    CLUSTER_DOMAIN("kubelet --cluster-domain");

    private final String flag;

    PlanField(String flag) {
        this.flag = flag;
    }

    public String flag() {
        return flag;
    }
}
