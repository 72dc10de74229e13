package io.dualstack.core;

import inet.ipaddr.IPAddressString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class IpFamilyTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"10.96.0.0/16, IPv4", "fd00:10:96::/112, IPv6", "::ffff:10.0.0.1, IPv6", "127.0.0.1, IPv4"})
    void familyOfAddress(String address, IpFamily expected) {
        assertThat(IpFamily.of(new IPAddressString(address).getAddress())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "API spelling \"{0}\" parses: {1}")
    @CsvSource({"IPv4, true", "IPv6, true", "ipv4, false", "IPV6, false", "'', false", "IPv7, false"})
    void parsesOnlyTheApiSpelling(String value, boolean ok) {
        assertThat(IpFamily.parse(value)).isEqualTo(ok ? IpFamily.parse(value) : java.util.Optional.empty());
        assertThat(IpFamily.parse(value).isPresent()).isEqualTo(ok);
    }
}
