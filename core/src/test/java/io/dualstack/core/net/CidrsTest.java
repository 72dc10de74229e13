package io.dualstack.core.net;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CidrsTest {

    @ParameterizedTest(name = "{0}: \"{1}\" parses as {2}")
    @CsvSource(delimiter = '|', value = {
            "IPv4 prefix block                      | 10.244.0.0/16          | 10.244.0.0/16",
            "IPv6 prefix block, compressed          | fd00:10:244::/56       | fd00:10:244::/56",
            "host bits are masked (ParseCIDRSloppy) | 10.244.7.1/16          | 10.244.0.0/16",
            "IPv6 host bits are masked              | fd00:10:96::1/112      | fd00:10:96::/112",
            "IPv6 uncompressed is canonicalized     | fd00:0010:0244:0::/64  | fd00:10:244::/64",
            "whole space is a valid CIDR            | 0.0.0.0/0              | 0.0.0.0/0",
            "surrounding spaces are trimmed         | ' 10.96.0.0/12 '       | 10.96.0.0/12"})
    void parsesCidrs(String name, String text, String canonical) {
        assertThat(Cidrs.format(Cidrs.parseCidr(text))).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "{0}: \"{1}\" is rejected")
    @CsvSource(delimiter = '|', value = {
            "no prefix length (net.ParseCIDR needs one)  | 10.244.0.0",
            "IPv4 prefix longer than 32                  | 10.244.0.0/33",
            "IPv6 prefix longer than 128                 | fd00::/129",
            "short IPv4 form is not dotted quad          | 10.244/16",
            "wildcards are not addresses                 | 10.*.0.0/16",
            "octet out of range                          | 10.256.0.0/16",
            "netmask instead of prefix length            | 10.0.0.0/255.0.0.0",
            "empty                                       | ''",
            "hostname                                    | example.com/24",
            "IPv6 with zone                              | fe80::1%eth0/64"})
    void rejectsInvalidCidrs(String name, String text) {
        assertThatThrownBy(() -> Cidrs.parseCidr(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid CIDR address: " + text);
    }

    @ParameterizedTest(name = "{0} overlaps {1}: {2}")
    @CsvSource({
            "10.96.0.0/12, 10.100.0.0/16, true",
            "10.100.0.0/16, 10.96.0.0/12, true",
            "10.244.0.0/16, 10.96.0.0/16, false",
            "fd00::/8, fd00:10:244::/56, true",
            "fd00:10:244::/56, fd00:10:96::/112, false",
            "0.0.0.0/0, ::/0, false"})
    void overlapIsFamilyAware(String a, String b, boolean overlaps) {
        assertThat(Cidrs.overlaps(Cidrs.parseCidr(a), Cidrs.parseCidr(b))).isEqualTo(overlaps);
    }

    @ParameterizedTest(name = "{0} is special: {1}")
    @CsvSource(delimiter = '|', value = {
            "fe80::/64        | link-local",
            "169.254.0.0/16   | link-local",
            "127.0.0.0/8      | loopback",
            "::1/128          | loopback",
            "224.0.0.0/24     | multicast",
            "ff02::/16        | multicast",
            "2001:db8::/48    | documentation",
            "192.0.2.0/24     | documentation",
            "0.0.0.0/8        | unspecified",
            "100.64.0.0/16    | carrier-grade NAT",
            "10.244.0.0/16    | ''",
            "fd00:10:244::/56 | ''",
            "2600:1f00::/40   | ''"})
    void classifiesSpecialRanges(String cidr, String expected) {
        var special = Cidrs.special(Cidrs.parseCidr(cidr));
        if (expected == null || expected.isEmpty()) {
            assertThat(special).isEmpty();
        } else {
            assertThat(special).hasValueSatisfying(s -> assertThat(s.name()).contains(expected));
        }
    }

    @ParameterizedTest(name = "{0}: public IPv4 {1}")
    @CsvSource({"10.96.0.0/16, false", "172.16.0.0/12, false", "192.168.0.0/24, false", "100.64.0.0/10, false",
            "8.8.0.0/16, true", "172.32.0.0/16, true", "192.0.2.0/24, false", "0.0.0.0/0, false"})
    void publicIpv4(String cidr, boolean expected) {
        assertThat(Cidrs.isPublicIpv4(Cidrs.parseCidr(cidr))).isEqualTo(expected);
    }
}
