package io.dualstack.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Small record factories shared by the zone and its builder. */
final class Records {
    private Records() {
    }

    /** An A record for an IPv4 address, an AAAA record for an IPv6 one. */
    static Record address(Name owner, long ttl, InetAddress address) {
        return address instanceof Inet4Address
                ? new ARecord(owner, DClass.IN, ttl, address)
                : new AAAARecord(owner, DClass.IN, ttl, address);
    }
}
