package io.dualstack.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

import java.net.InetAddress;
import java.util.List;

/**
 * What the zone serves: the cluster domain, the reverse zones, the TTL, the pod-record mode and
 * the addresses {@code ns.dns.<domain>} answers when no {@code kube-system/kube-dns} Service exists.
 *
 * @param domain       cluster domain, e.g. {@code cluster.local.} (absolute)
 * @param reverseZones reverse zones answered with PTR records (default {@code in-addr.arpa.} and
 *                     {@code ip6.arpa.}, as the kubeadm Corefile)
 * @param ttl          TTL of every answer, 0..3600 (CoreDNS's default 5)
 * @param pods         pod-record mode
 * @param nameservers  fallback addresses of {@code ns.dns.<domain>}
 */
public record ZoneConfig(Name domain, List<Name> reverseZones, long ttl, PodsMode pods,
                         List<InetAddress> nameservers) {

    public static final long DEFAULT_TTL = 5;
    public static final long MAX_TTL = 3600;

    public ZoneConfig {
        if (!domain.isAbsolute()) throw new IllegalArgumentException("domain must be absolute: " + domain);
        if (ttl < 0 || ttl > MAX_TTL) {
            throw new IllegalArgumentException("ttl must be between 0 and 3600 seconds, got " + ttl);
        }
        reverseZones = List.copyOf(reverseZones);
        nameservers = List.copyOf(nameservers);
    }

    /** {@code domain} with the kubeadm defaults: both reverse zones, TTL 5, {@code pods insecure}. */
    public static ZoneConfig of(String domain) {
        return new ZoneConfig(absolute(domain), List.of(absolute("in-addr.arpa"), absolute("ip6.arpa")),
                DEFAULT_TTL, PodsMode.INSECURE, List.of());
    }

    public ZoneConfig withTtl(long ttl) {
        return new ZoneConfig(domain, reverseZones, ttl, pods, nameservers);
    }

    public ZoneConfig withPods(PodsMode pods) {
        return new ZoneConfig(domain, reverseZones, ttl, pods, nameservers);
    }

    public ZoneConfig withNameservers(List<InetAddress> nameservers) {
        return new ZoneConfig(domain, reverseZones, ttl, pods, nameservers);
    }

    /** Parses a domain name, adding the final dot; rejects what is not a valid DNS name. */
    public static Name absolute(String name) {
        try {
            String n = name.endsWith(".") ? name : name + ".";
            return Name.fromString(n).canonicalize();
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a valid domain name: " + name, e);
        }
    }
}
