package io.dualstack.node;

import inet.ipaddr.IPAddress;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pod network of this issue: addresses only, no sandboxes (pods are addressed, not run).
 * One {@link AddressPool} per node podCIDR, in the node's {@code spec.podCIDRs} order, so the
 * pod's first address is in the primary family. Thread-safe.
 */
public final class AllocatingPodNetwork implements PodNetwork {
    private final String nodeName;
    private final List<AddressPool> pools;
    private final Map<PodRef, PodAddresses> pods = new HashMap<>();

    public AllocatingPodNetwork(String nodeName, List<IPAddress> podCidrs) {
        this.nodeName = nodeName;
        this.pools = podCidrs.stream().map(AddressPool::new).toList();
        if (pools.isEmpty()) throw new IllegalArgumentException("node " + nodeName + " has no podCIDRs");
    }

    @Override
    public synchronized PodAddresses setUp(PodRef pod) throws PodNetworkException {
        PodAddresses existing = pods.get(pod);
        if (existing != null) return existing;
        List<IPAddress> got = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            AddressPool pool = pools.get(i);
            Optional<IPAddress> a = pool.allocate();
            if (a.isEmpty()) {
                for (int j = 0; j < got.size(); j++) pools.get(j).release(got.get(j));
                throw new PodNetworkException(PodNetworkException.FAILED_CREATE_SANDBOX,
                        "Failed to create pod sandbox: plugin type=\"host-local\" failed (add): failed to allocate for range " + i
                                + ": no IP addresses available in range set: " + pool.rangeText());
            }
            got.add(a.get());
        }
        PodAddresses addresses = new PodAddresses(got);
        pods.put(pod, addresses);
        return addresses;
    }

    @Override
    public synchronized void tearDown(PodRef pod) {
        PodAddresses held = pods.remove(pod);
        if (held == null) return;
        for (IPAddress a : held.addresses()) {
            pools.stream().filter(p -> p.contains(a)).findFirst().ifPresent(p -> p.release(a));
        }
    }

    @Override
    public synchronized boolean restore(PodRef pod, List<IPAddress> addresses) {
        if (pods.containsKey(pod)) return pods.get(pod).addresses().equals(addresses);
        if (addresses.size() != pools.size()) return false;
        List<IPAddress> reserved = new ArrayList<>();
        for (int i = 0; i < pools.size(); i++) {
            if (!pools.get(i).contains(addresses.get(i)) || !pools.get(i).reserve(addresses.get(i))) {
                for (int j = 0; j < reserved.size(); j++) pools.get(j).release(reserved.get(j));
                return false;
            }
            reserved.add(addresses.get(i));
        }
        pods.put(pod, new PodAddresses(addresses));
        return true;
    }

    @Override
    public synchronized Optional<PodAddresses> addressesOf(PodRef pod) {
        return Optional.ofNullable(pods.get(pod));
    }

    /** Pods holding addresses. */
    public synchronized int size() {
        return pods.size();
    }

    @Override
    public String toString() {
        return "AllocatingPodNetwork[" + nodeName + " " + pools.stream().map(p -> p.cidr().toCanonicalString()).toList() + "]";
    }
}
