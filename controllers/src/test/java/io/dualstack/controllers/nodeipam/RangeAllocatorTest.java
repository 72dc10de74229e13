package io.dualstack.controllers.nodeipam;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RangeAllocatorTest {
    static IPAddress cidr(String s) {
        return new IPAddressString(s).getAddress();
    }

    static List<IPAddress> cidrs(String... s) {
        return Stream.of(s).map(RangeAllocatorTest::cidr).toList();
    }

    /** One row: cluster CIDRs + masks + service ranges, nodes already holding CIDRs, then N allocations. */
    record Case(String name, List<IPAddress> cluster, List<Integer> masks, List<IPAddress> services,
                List<List<String>> existing, List<List<String>> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> allocations() {
        return Stream.of(
                new Case("dual-stack IPv4-primary: one block per family, cluster-CIDR order, sequential",
                        cidrs("10.244.0.0/16", "fd00:10:244::/56"), List.of(24, 64), List.of(), List.of(),
                        List.of(List.of("10.244.0.0/24", "fd00:10:244::/64"),
                                List.of("10.244.1.0/24", "fd00:10:244:1::/64"),
                                List.of("10.244.2.0/24", "fd00:10:244:2::/64"))),
                new Case("dual-stack IPv6-primary: podCIDRs[0] is the IPv6 block",
                        cidrs("fd00:10:244::/56", "10.244.0.0/16"), List.of(64, 24), List.of(), List.of(),
                        List.of(List.of("fd00:10:244::/64", "10.244.0.0/24"))),
                new Case("single-stack IPv4 with the default /24 mask",
                        cidrs("10.244.0.0/16"), List.of(24), List.of(), List.of(),
                        List.of(List.of("10.244.0.0/24"), List.of("10.244.1.0/24"))),
                new Case("per-family masks: IPv4 /26 and IPv6 /120",
                        cidrs("10.1.0.0/24", "fd00::/112"), List.of(26, 120), List.of(), List.of(),
                        List.of(List.of("10.1.0.0/26", "fd00::/120"), List.of("10.1.0.64/26", "fd00::100/120"))),
                new Case("service range inside the cluster CIDR is never handed out (filterOutServiceRange)",
                        cidrs("10.0.0.0/16", "fd00::/48"), List.of(24, 64), cidrs("10.0.0.0/23", "fd00:0:0:1::/108"), List.of(),
                        List.of(List.of("10.0.2.0/24", "fd00::/64"), List.of("10.0.3.0/24", "fd00:0:0:2::/64"))),
                new Case("service range outside the cluster CIDR changes nothing",
                        cidrs("10.244.0.0/16"), List.of(24), cidrs("10.96.0.0/12"), List.of(),
                        List.of(List.of("10.244.0.0/24"))),
                new Case("restart rebuild: existing nodes' CIDRs are skipped",
                        cidrs("10.244.0.0/16", "fd00:10:244::/56"), List.of(24, 64), List.of(),
                        List.of(List.of("10.244.0.0/24", "fd00:10:244::/64"), List.of("10.244.2.0/24", "fd00:10:244:2::/64")),
                        List.of(List.of("10.244.1.0/24", "fd00:10:244:1::/64"), List.of("10.244.3.0/24", "fd00:10:244:3::/64"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allocations")
    void allocates(Case c) {
        RangeAllocator allocator = new RangeAllocator(c.cluster(), c.masks(), c.services());
        for (int i = 0; i < c.existing().size(); i++) allocator.occupy("existing-" + i, c.existing().get(i));
        for (List<String> want : c.expected()) {
            RangeAllocator.Allocation got = allocator.allocate();
            assertThat(got).isInstanceOf(RangeAllocator.Allocated.class);
            assertThat(((RangeAllocator.Allocated) got).strings()).containsExactlyElementsOf(want);
        }
    }

    @Test
    void exhaustionGivesNothingAndSaysWhichRange() {
        RangeAllocator allocator = new RangeAllocator(cidrs("10.0.0.0/23", "fd00::/56"), List.of(24, 64), List.of());
        assertThat(allocator.allocate()).isInstanceOf(RangeAllocator.Allocated.class);
        assertThat(allocator.allocate()).isInstanceOf(RangeAllocator.Allocated.class);
        RangeAllocator.Allocation third = allocator.allocate();
        assertThat(third).isInstanceOf(RangeAllocator.Exhausted.class);
        RangeAllocator.Exhausted exhausted = (RangeAllocator.Exhausted) third;
        assertThat(exhausted.index()).isZero();
        assertThat(exhausted.message()).isEqualTo("failed to allocate cidr from cluster cidr at idx:0: "
                + "CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range");
        // nothing leaked from the IPv6 range by the failed attempt
        assertThat(allocator.sets().get(1).allocatedCount()).isEqualTo(2);
    }

    @Test
    void exhaustionOfTheSecondFamilyReleasesTheFirst() {
        RangeAllocator allocator = new RangeAllocator(cidrs("10.0.0.0/16", "fd00::/120"), List.of(24, 121), List.of());
        allocator.allocate();
        allocator.allocate();
        RangeAllocator.Allocation third = allocator.allocate();
        assertThat(third).isInstanceOf(RangeAllocator.Exhausted.class);
        assertThat(((RangeAllocator.Exhausted) third).index()).isEqualTo(1);
        assertThat(allocator.sets().get(0).allocatedCount()).isEqualTo(2);
    }

    @Test
    void serviceRangeCoveringTheClusterCidrExhaustsIt() {
        RangeAllocator allocator = new RangeAllocator(cidrs("10.96.0.0/16"), List.of(24), cidrs("10.96.0.0/12"));
        assertThat(allocator.allocate()).isInstanceOf(RangeAllocator.Exhausted.class);
    }

    @Test
    void releasedBlockIsReusedOnlyAfterTheCursorWraps() {
        RangeAllocator allocator = new RangeAllocator(cidrs("10.0.0.0/22"), List.of(24), List.of());
        List<List<String>> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) got.add(((RangeAllocator.Allocated) allocator.allocate()).strings());
        allocator.release("node-0", got.get(0));
        assertThat(((RangeAllocator.Allocated) allocator.allocate()).strings()).containsExactly("10.0.3.0/24");
        assertThat(((RangeAllocator.Allocated) allocator.allocate()).strings()).containsExactly("10.0.0.0/24");
        assertThat(allocator.allocate()).isInstanceOf(RangeAllocator.Exhausted.class);
    }

    @Test
    void releaseOnNodeDeleteMakesTheRangeAvailableAgain() {
        RangeAllocator allocator = new RangeAllocator(cidrs("10.0.0.0/24", "fd00::/64"), List.of(24, 64), List.of());
        List<String> first = ((RangeAllocator.Allocated) allocator.allocate()).strings();
        assertThat(allocator.allocate()).isInstanceOf(RangeAllocator.Exhausted.class);
        allocator.release("node-a", first);
        assertThat(((RangeAllocator.Allocated) allocator.allocate()).strings()).containsExactly("10.0.0.0/24", "fd00::/64");
    }

    @Test
    void occupyingACidrOutsideTheClusterRangeFailsWithoutSideEffects() {
        RangeAllocator allocator = new RangeAllocator(cidrs("10.244.0.0/16", "fd00:10:244::/56"), List.of(24, 64), List.of());
        assertThatThrownBy(() -> allocator.occupy("n", List.of("10.244.0.0/24", "fd00:99::/64")))
                .hasMessageContaining("failed to mark cidr[fd00:99::/64] at idx [1] as occupied for node: n");
        assertThat(allocator.sets().get(0).allocatedCount()).isZero();
        assertThatThrownBy(() -> allocator.occupy("n", List.of("10.244.0.0/24", "fd00:10:244::/64", "10.0.0.0/24")))
                .hasMessageContaining("does not exist in cluster cidrs configuration");
        assertThatThrownBy(() -> allocator.occupy("n", List.of("not-a-cidr"))).hasMessageContaining("failed to parse node n");
    }

    @Test
    void ipv6NodeMaskMoreThan16BitsLongerThanTheClusterMaskIsRejected() {
        assertThatThrownBy(() -> new CidrSet(cidr("fd00::/48"), 65)).hasMessageContaining("node CIDR size is too big");
        assertThat(new CidrSet(cidr("fd00::/48"), 64).maxCidrs()).isEqualTo(65536);
    }
}
