package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.dualstack.core.IpFamily;
import io.dualstack.core.plan.ClusterPlan.PortRange;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ClusterIP and NodePort allocators: bands, limits, errors, and properties over random use. */
class AllocatorTest {

    static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static FamilyIpAllocator alloc(String cidr, long seed) {
        FamilyIpAllocator fa = new FamilyIpAllocator(IpFamily.of(ip(cidr)), true, new Random(seed));
        fa.addRange("kubernetes", ip(cidr));
        return fa;
    }

    @ParameterizedTest(name = "KEP-3070 static band of {0} is {1}")
    @CsvSource({"10.0.0.0/16,256", "10.0.0.0/22,64", "10.0.0.0/26,16", "10.0.0.0/28,0", "10.0.0.0/24,16", "10.0.0.0/12,256",
            "fd00::/112,256", "fd00::/120,16", "fd00::/124,0"})
    void staticBand(String cidr, int band) {
        assertThat(new IpRange(ip(cidr), true).staticBand()).isEqualTo(band);
    }

    @ParameterizedTest(name = "usable addresses of {0}: {1} (network{2} excluded)")
    @CsvSource({"10.0.0.0/16,65534,+broadcast", "10.0.0.0/24,254,+broadcast", "10.0.0.0/30,2,+broadcast", "10.0.0.0/12,1048574,+broadcast",
            "fd00::/112,65535,''", "fd00::/108,65535,' (IPv6 bitmap capped at 65536 offsets)'", "fd00::/120,255,''"})
    void usableSize(String cidr, int usable, String note) {
        assertThat(new IpRange(ip(cidr), true).size()).isEqualTo(usable);
    }

    @Test
    void fillingASmallRangeNeverHandsOutNetworkOrBroadcastAndThenReportsFull() {
        FamilyIpAllocator fa = alloc("10.1.2.0/28", 1);
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 14; i++) got.add(fa.allocateNext().toCanonicalString());
        assertThat(got).hasSize(14).doesNotContain("10.1.2.0", "10.1.2.15");
        assertThatThrownBy(fa::allocateNext).isInstanceOf(AllocationException.class).hasMessage("range is full");
    }

    @Test
    void dynamicAllocationUsesTheUpperBandBeforeTheStaticBand() {
        FamilyIpAllocator fa = alloc("10.1.0.0/24", 7); // 254 usable, band = 16 (10.1.0.1 .. 10.1.0.16)
        for (int i = 0; i < 254 - 16; i++) {
            IPAddress a = fa.allocateNext();
            assertThat(a.getValue().intValue() & 0xff).as("dynamic #%d", i).isGreaterThan(16);
        }
        IPAddress next = fa.allocateNext();
        assertThat(next.getValue().intValue() & 0xff).isBetween(1, 16);
    }

    @Test
    void userChosenErrorsCarryUpstreamText() {
        FamilyIpAllocator fa = alloc("10.96.0.0/16", 1);
        fa.allocate(ip("10.96.0.10"));
        assertThatThrownBy(() -> fa.allocate(ip("10.96.0.10"))).hasMessage("provided IP is already allocated");
        assertThatThrownBy(() -> fa.allocate(ip("10.97.0.10")))
                .hasMessage("the provided IP (10.97.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/16");
        assertThat(fa.release(ip("10.96.0.10"))).isTrue();
        assertThat(fa.release(ip("10.96.0.10"))).isFalse();
    }

    @Test
    void serviceRangeSizeLimitsAsUpstreamFlagValidation() {
        ServiceAdmission.checkServiceRange(ip("10.0.0.0/12"));
        ServiceAdmission.checkServiceRange(ip("fd00::/108"));
        assertThatThrownBy(() -> ServiceAdmission.checkServiceRange(ip("10.0.0.0/11")))
                .hasMessage("specified --service-cluster-ip-range is too large; for 32-bit addresses, the mask must be >= 12");
        assertThatThrownBy(() -> ServiceAdmission.checkServiceRange(ip("fd00::/64")))
                .hasMessage("specified --service-cluster-ip-range is too large; for 128-bit addresses, the mask must be >= 108");
    }

    @Test
    void overlappingRangesHoldAnAddressOnce() {
        FamilyIpAllocator fa = alloc("10.96.0.0/24", 3);
        fa.allocate(ip("10.96.0.50"));
        fa.addRange("extra", ip("10.96.0.0/23"));
        assertThatThrownBy(() -> fa.allocate(ip("10.96.0.50"))).hasMessage("provided IP is already allocated");
        fa.allocate(ip("10.96.1.50"));
        assertThat(fa.allocated()).containsExactlyInAnyOrder("10.96.0.50", "10.96.1.50");
    }

    @Test
    void nodePortBandAndErrors() {
        PortAllocator pa = new PortAllocator(PortRange.DEFAULT_NODE_PORTS, new Random(1));
        assertThat(pa.staticBand()).isEqualTo(86); // KEP-3668: min(max(16, 2768/32), 128)
        for (int i = 0; i < 2768 - 86; i++) assertThat(pa.allocateNext()).isGreaterThanOrEqualTo(30086);
        assertThat(pa.allocateNext()).isBetween(30000, 30085);
        assertThatThrownBy(() -> pa.allocate(30000 + 2768)).hasMessage("provided port is not in the valid range. The range of valid ports is 30000-32767");
        PortAllocator fresh = new PortAllocator(new PortRange(30000, 30010), new Random(1));
        fresh.allocate(30005);
        assertThatThrownBy(() -> fresh.allocate(30005)).hasMessage("provided port is already allocated");
    }

    @Property(tries = 50)
    void randomAllocateReleaseNeverHoldsAnAddressTwice(@ForAll long seed, @ForAll @IntRange(min = 1, max = 400) int ops,
                                                       @ForAll boolean v6) {
        FamilyIpAllocator fa = alloc(v6 ? "fd00:10:96::/120" : "10.96.0.0/24", seed);
        Random r = new Random(seed);
        IPAddress range = ip(v6 ? "fd00:10:96::/120" : "10.96.0.0/24");
        Set<BigInteger> mine = new HashSet<>();
        List<IPAddress> held = new ArrayList<>();
        for (int i = 0; i < ops; i++) {
            if (!held.isEmpty() && r.nextInt(3) == 0) {
                IPAddress a = held.remove(r.nextInt(held.size()));
                assertThat(fa.release(a)).isTrue();
                mine.remove(a.getValue());
            } else {
                try {
                    IPAddress a = fa.allocateNext();
                    assertThat(range.contains(a)).isTrue();
                    assertThat(a.getValue()).isNotEqualTo(range.getLower().getValue());
                    if (!v6) assertThat(a.getValue()).isNotEqualTo(range.getUpper().getValue());
                    assertThat(mine.add(a.getValue())).as("handed out twice: %s", a).isTrue();
                    held.add(a);
                } catch (AllocationException full) {
                    assertThat(mine).hasSize(v6 ? 255 : 254);
                }
            }
            assertThat(fa.allocatedCount()).isEqualTo(mine.size());
        }
    }

    @Property(tries = 30)
    void portsNeverHeldTwice(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int ops) {
        PortAllocator pa = new PortAllocator(new PortRange(30000, 30099), new Random(seed));
        Random r = new Random(seed);
        Set<Integer> mine = new HashSet<>();
        for (int i = 0; i < ops; i++) {
            if (!mine.isEmpty() && r.nextInt(3) == 0) {
                int p = mine.iterator().next();
                assertThat(pa.release(p)).isTrue();
                mine.remove(p);
            } else if (mine.size() < 100) {
                int p = pa.allocateNext();
                assertThat(p).isBetween(30000, 30099);
                assertThat(mine.add(p)).isTrue();
            }
        }
        assertThat(pa.allocated()).isEqualTo(mine);
    }
}
