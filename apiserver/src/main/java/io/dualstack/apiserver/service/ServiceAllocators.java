package io.dualstack.apiserver.service;

import io.dualstack.core.IpFamily;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every allocator the Service strategies share: ClusterIPs per configured family (the primary
 * family is {@code --service-cluster-ip-range[0]}'s), the NodePort range, and the load-balancer
 * pools per family. Each allocator is thread-safe on its own.
 */
public final class ServiceAllocators {
    private final IpFamily primary;
    private final Map<IpFamily, FamilyIpAllocator> clusterIps;
    private final PortAllocator nodePorts;
    private final Map<IpFamily, FamilyIpAllocator> lbPools;
    private final String lbClass;
    /** IPAddress names the Service strategy is staging right now (so the IPAddress strategy leaves them alone). */
    final Set<String> stagedIpAddresses = ConcurrentHashMap.newKeySet();

    public ServiceAllocators(IpFamily primary, Map<IpFamily, FamilyIpAllocator> clusterIps, PortAllocator nodePorts,
                             Map<IpFamily, FamilyIpAllocator> lbPools, String lbClass) {
        this.primary = primary;
        this.clusterIps = Collections.unmodifiableMap(new EnumMap<>(clusterIps));
        this.nodePorts = nodePorts;
        this.lbPools = Collections.unmodifiableMap(lbPools.isEmpty() ? new EnumMap<>(IpFamily.class) : new EnumMap<>(lbPools));
        this.lbClass = lbClass;
    }

    public IpFamily primary() {
        return primary;
    }

    /** Configured ClusterIP families (one entry on a single-stack cluster). */
    public Map<IpFamily, FamilyIpAllocator> clusterIps() {
        return clusterIps;
    }

    public boolean dualStack() {
        return clusterIps.size() == 2;
    }

    public PortAllocator nodePorts() {
        return nodePorts;
    }

    public Map<IpFamily, FamilyIpAllocator> lbPools() {
        return lbPools;
    }

    /** The {@code loadBalancerClass} we serve besides an unset class. */
    public String lbClass() {
        return lbClass;
    }
}
