package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.ResourceCatalog;
import io.dualstack.apiserver.registry.ResourceStrategy;
import io.dualstack.apiserver.registry.ResourceType;
import io.dualstack.core.IpFamily;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDR;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceCIDRBuilder;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The Service admission the API server wires in: strategies for {@code services},
 * {@code servicecidrs} and {@code ipaddresses} sharing one set of allocators built from a
 * {@link ClusterPlan}, plus the objects a fresh cluster starts with.
 *
 * <pre>
 * ServiceAdmission sa = new ServiceAdmission(plan);
 * registry.register(sa.strategies());          // before serving
 * store.createIfAbsent(sa.bootstrapObjects()); // stored as-is, not through the strategies
 * strategies' start(stored) rebuilds allocator state (repair); sa.lastRepair() lists the fixes
 * </pre>
 */
public final class ServiceAdmission {
    /** Name of the ServiceCIDR built from {@code --service-cluster-ip-range}. */
    public static final String DEFAULT_SERVICE_CIDR = "kubernetes";
    /** The {@code loadBalancerClass} our LB IPAM serves, besides an unset class. */
    public static final String LOAD_BALANCER_CLASS = "dualstack.io/lb-ipam";
    /** Largest service range, in host bits, upstream's flag validation accepts (maxCIDRBits). */
    public static final int MAX_CIDR_BITS = 20;

    static final List<String> DEFAULT_LB_POOLS_V4 = List.of("172.31.250.0/24", "192.168.250.0/24", "10.255.250.0/24");
    static final List<String> DEFAULT_LB_POOLS_V6 = List.of("fd00:5ca1:ab1e::/112", "fd00:5ca1:ab1e:1::/112", "fd00:5ca1:ab1e:2::/112");

    private final ClusterPlan plan;
    private final ServiceAllocators allocators;
    private final Repair repair;
    private final IPAddress kubernetesIp;
    private final List<IPAddress> lbPools;
    private final Map<ResourceType, ResourceStrategy<?>> strategies;

    public ServiceAdmission(ClusterPlan plan) {
        this(plan, defaultLoadBalancerPools(plan), new Random(new SecureRandom().nextLong()));
    }

    /** With explicit load-balancer pools (at most one per family; empty: no LB IPAM). */
    public ServiceAdmission(ClusterPlan plan, List<IPAddress> loadBalancerPools) {
        this(plan, loadBalancerPools, new Random(new SecureRandom().nextLong()));
    }

    public ServiceAdmission(ClusterPlan plan, List<IPAddress> loadBalancerPools, RandomGenerator random) {
        this.plan = plan;
        if (plan.serviceCidrs().isEmpty()) throw new IllegalArgumentException("--service-cluster-ip-range is required");
        if (plan.serviceCidrs().size() > 2 || (plan.serviceCidrs().size() == 2
                && IpFamily.of(plan.serviceCidrs().get(0)) == IpFamily.of(plan.serviceCidrs().get(1)))) {
            throw new IllegalArgumentException("--service-cluster-ip-range: expected at most one range per IP family");
        }
        Map<IpFamily, IPAddress> ranges = new EnumMap<>(IpFamily.class);
        Map<IpFamily, FamilyIpAllocator> clusterIps = new EnumMap<>(IpFamily.class);
        for (IPAddress cidr : plan.serviceCidrs()) {
            checkServiceRange(cidr);
            IPAddress block = cidr.toPrefixBlock();
            ranges.put(IpFamily.of(block), block);
            FamilyIpAllocator fa = new FamilyIpAllocator(IpFamily.of(block), true, random);
            fa.addRange(DEFAULT_SERVICE_CIDR, block);
            clusterIps.put(IpFamily.of(block), fa);
        }
        Map<IpFamily, FamilyIpAllocator> pools = new EnumMap<>(IpFamily.class);
        for (IPAddress pool : loadBalancerPools) {
            IpFamily f = IpFamily.of(pool);
            if (pools.containsKey(f)) throw new IllegalArgumentException("more than one load-balancer pool for " + f);
            FamilyIpAllocator fa = new FamilyIpAllocator(f, false, random);
            fa.addRange("lb-" + f, pool.toPrefixBlock());
            pools.put(f, fa);
        }
        this.lbPools = List.copyOf(loadBalancerPools);
        IpFamily primary = IpFamily.of(plan.serviceCidrs().get(0));
        ClusterPlan.PortRange portRange = plan.nodePortRange() == null ? ClusterPlan.PortRange.DEFAULT_NODE_PORTS : plan.nodePortRange();
        this.allocators = new ServiceAllocators(primary, clusterIps, new PortAllocator(portRange, random), pools, LOAD_BALANCER_CLASS);
        this.kubernetesIp = ranges.get(primary).getLower().withoutPrefixLength().increment(1);
        this.repair = new Repair(allocators, ranges, kubernetesIp);
        Map<ResourceType, ResourceStrategy<?>> s = new LinkedHashMap<>();
        s.put(ResourceCatalog.SERVICES, new ServiceStrategy(allocators, repair));
        s.put(ResourceCatalog.SERVICECIDRS, new ServiceCidrStrategy(allocators));
        s.put(ResourceCatalog.IPADDRESSES, new IpAddressStrategy(allocators));
        this.strategies = Map.copyOf(s);
        FamilyIpAllocator fa = clusterIps.get(primary);
        fa.allocate(kubernetesIp);
    }

    /**
     * Upstream's {@code --service-cluster-ip-range} size check ({@code validateMaxCIDRRange},
     * maxCIDRBits 20): IPv4 masks must be /12 or longer, IPv6 masks /108 or longer.
     */
    public static void checkServiceRange(IPAddress cidr) {
        if (cidr.getNetworkPrefixLength() == null) throw new IllegalArgumentException("--service-cluster-ip-range: " + cidr + " is not a CIDR");
        int bits = cidr.getBitCount();
        int ones = cidr.getNetworkPrefixLength();
        if (bits - ones > MAX_CIDR_BITS) {
            throw new IllegalArgumentException("specified --service-cluster-ip-range is too large; for " + bits
                    + "-bit addresses, the mask must be >= " + (bits - MAX_CIDR_BITS));
        }
    }

    /**
     * Default LB pools: the first private IPv4 /24 and fd00::/8 /112 of our candidates that
     * overlaps none of the plan's service, pod, node or kube-proxy ranges.
     */
    public static List<IPAddress> defaultLoadBalancerPools(ClusterPlan plan) {
        List<IPAddress> taken = Stream.of(plan.serviceCidrs(), plan.clusterCidrs(), plan.nodeNetworks(), plan.kubeProxyClusterCidrs())
                .flatMap(List::stream).toList();
        List<IPAddress> out = new ArrayList<>();
        for (List<String> candidates : List.of(DEFAULT_LB_POOLS_V4, DEFAULT_LB_POOLS_V6)) {
            for (String c : candidates) {
                IPAddress p = new IPAddressString(c).getAddress();
                boolean overlaps = taken.stream().anyMatch(t -> t.isIPv4() == p.isIPv4()
                        && (t.toPrefixBlock().contains(p) || p.contains(t.toPrefixBlock())));
                if (!overlaps) {
                    out.add(p);
                    break;
                }
            }
        }
        return List.copyOf(out);
    }

    public Map<ResourceType, ResourceStrategy<?>> strategies() {
        return strategies;
    }

    public ServiceAllocators allocators() {
        return allocators;
    }

    /** The load-balancer pools in use, one per family. */
    public List<IPAddress> loadBalancerPools() {
        return lbPools;
    }

    /** ClusterIP of the {@code kubernetes} Service: the first address of the primary range. */
    public IPAddress kubernetesServiceIp() {
        return kubernetesIp;
    }

    /** What the last start-up repair found (events to record, IPAddress objects to create/delete). */
    public Repair.Report lastRepair() {
        return repair.last();
    }

    /**
     * The {@code kubernetes} ServiceCIDR (the plan's ranges), the {@code default/kubernetes}
     * Service (first IP of the primary range, SingleStack, 443 → 6443 "https") and its IPAddress.
     * Store them as-is when absent.
     */
    public List<HasMetadata> bootstrapObjects() {
        List<String> cidrs = plan.serviceCidrs().stream().map(c -> c.toPrefixBlock().toCanonicalString()).toList();
        ServiceCIDR sc = new ServiceCIDRBuilder().withNewMetadata().withName(DEFAULT_SERVICE_CIDR)
                .withFinalizers(ServiceCidrStrategy.FINALIZER).endMetadata()
                .withNewSpec().withCidrs(cidrs).endSpec().build();
        sc.setStatus(ServiceCidrStrategy.readyStatus());
        String ip = Addresses.canonical(kubernetesIp);
        Service svc = new ServiceBuilder().withNewMetadata().withName("kubernetes").withNamespace("default")
                .addToLabels("component", "apiserver").addToLabels("provider", "kubernetes").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ip).withClusterIPs(ip)
                .withIpFamilies(allocators.primary().name()).withIpFamilyPolicy("SingleStack")
                .withSessionAffinity("None").withInternalTrafficPolicy("Cluster")
                .addNewPort().withName("https").withProtocol("TCP").withPort(443).withTargetPort(new IntOrString(6443)).endPort()
                .endSpec().withNewStatus().withNewLoadBalancer().endLoadBalancer().endStatus().build();
        List<HasMetadata> out = new ArrayList<>(List.of(sc, svc, ServiceStrategy.ipAddressObject(kubernetesIp, "default", "kubernetes")));
        out.addAll(KubernetesEndpoints.objects(KubernetesEndpoints.advertiseAddress(plan, allocators.primary())));
        return out;
    }
}
