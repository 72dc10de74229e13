package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.IpFamily;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.List;
import java.util.Optional;

/**
 * The {@code default/kubernetes} Endpoints and EndpointSlice, as upstream's apiserver endpoint
 * reconciler ({@code pkg/controlplane/reconcilers}) keeps them: one address (the advertise address),
 * port {@code https} 6443/TCP; the Endpoints carry {@code endpointslice.kubernetes.io/skip-mirror: "true"},
 * the slice {@code kubernetes.io/service-name: kubernetes} and no managed-by label, and its
 * addressType is the family of the address (the service primary family). Pure.
 */
public final class KubernetesEndpoints {
    private KubernetesEndpoints() {}

    public static final String NAME = "kubernetes";
    public static final String NAMESPACE = "default";
    /** The apiserver's secure port, the kubernetes Service's targetPort. */
    public static final int SECURE_PORT = 6443;
    public static final String LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
    public static final String LABEL_SERVICE_NAME = "kubernetes.io/service-name";

    /**
     * The advertise address: the InternalIP of the plan's first control-plane node in {@code family},
     * computed as the node agent does (its own node IPs, else node network + 2 + node index); when the
     * plan has no such address (no control-plane node, no node IPs and no node networks) the loopback
     * address of {@code family}, where this apiserver listens.
     */
    public static IPAddress advertiseAddress(ClusterPlan plan, IpFamily family) {
        return firstControlPlaneIp(plan, family).orElseGet(() -> loopback(family));
    }

    /** The first control-plane node's InternalIP of {@code family}, exactly as its node agent sets it. */
    static Optional<IPAddress> firstControlPlaneIp(ClusterPlan plan, IpFamily family) {
        for (int i = 0; i < plan.nodes().size(); i++) {
            if (plan.nodes().get(i).role() == ClusterPlan.Role.CONTROL_PLANE) {
                return io.dualstack.core.plan.Plans.internalIps(plan, i).stream().filter(a -> IpFamily.of(a) == family).findFirst();
            }
        }
        return Optional.empty();
    }

    static IPAddress loopback(IpFamily family) {
        return new IPAddressString(family == IpFamily.IPv4 ? "127.0.0.1" : "::1").getAddress();
    }

    /** The Endpoints and EndpointSlice for {@code address}. */
    public static List<HasMetadata> objects(IPAddress address) {
        String ip = Addresses.canonical(address);
        Endpoints ep = new EndpointsBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .addToLabels(LABEL_SKIP_MIRROR, "true").endMetadata()
                .addNewSubset().addNewAddress().withIp(ip).endAddress()
                .addNewPort().withName("https").withPort(SECURE_PORT).withProtocol("TCP").endPort().endSubset()
                .build();
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .addToLabels(LABEL_SERVICE_NAME, NAME).endMetadata()
                .withAddressType(IpFamily.of(address).name())
                .addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint()
                .addNewPort().withName("https").withPort(SECURE_PORT).withProtocol("TCP").endPort()
                .build();
        return List.of(ep, slice);
    }
}
