package io.dualstack.node;

import inet.ipaddr.IPAddress;
import io.dualstack.core.IpFamily;

import java.util.List;
import java.util.Optional;

/** The addresses a pod got, one per family, in the node's podCIDR order (primary family first). */
public record PodAddresses(List<IPAddress> addresses) {
    public PodAddresses {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) throw new IllegalArgumentException("a pod needs at least one address");
    }

    public IPAddress primary() {
        return addresses.get(0);
    }

    public Optional<IPAddress> of(IpFamily family) {
        return addresses.stream().filter(a -> IpFamily.of(a) == family).findFirst();
    }

    public List<String> strings() {
        return addresses.stream().map(IPAddress::toCanonicalString).toList();
    }
}
