package io.dualstack.node;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class AllocatingPodNetworkTest {

    static IPAddress ip(String s) {
        return new IPAddressString(s).getAddress();
    }

    static List<IPAddress> cidrs(String... s) {
        return Arrays.stream(s).map(AllocatingPodNetworkTest::ip).toList();
    }

    static PodRef pod(int i) {
        return new PodRef("default", "p" + i, "uid-" + i);
    }

    /** Sets up pods 0..n-1 and returns each pod's addresses joined by ",". */
    static List<String> allocate(AllocatingPodNetwork net, int n) throws PodNetworkException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(String.join(",", net.setUp(pod(i)).strings()));
        return out;
    }

    static Stream<Arguments> order() {
        return Stream.of(
                argumentSet("IPv4-first node: first pod skips network and gateway, IPv4 first",
                        cidrs("10.244.1.0/24", "fd00:10:244:1::/64"), 2,
                        List.of("10.244.1.2,fd00:10:244:1::2", "10.244.1.3,fd00:10:244:1::3")),
                argumentSet("IPv6-first node: podIPs follow podCIDRs order",
                        cidrs("fd00:10:244:1::/64", "10.244.1.0/24"), 2,
                        List.of("fd00:10:244:1::2,10.244.1.2", "fd00:10:244:1::3,10.244.1.3")),
                argumentSet("single-stack IPv4 node: one address",
                        cidrs("10.244.0.0/24"), 1, List.of("10.244.0.2")),
                argumentSet("IPv4 /30: only one usable address (no broadcast)",
                        cidrs("10.0.0.0/30"), 1, List.of("10.0.0.2")),
                argumentSet("IPv6 /126: last address is usable (no broadcast in IPv6)",
                        cidrs("fd00::/126"), 2, List.of("fd00::2", "fd00::3")));
    }

    @ParameterizedTest
    @MethodSource
    void order(List<IPAddress> podCidrs, int pods, List<String> expected) throws PodNetworkException {
        assertThat(allocate(new AllocatingPodNetwork("n", podCidrs), pods)).containsExactlyElementsOf(expected);
    }

    @Test
    void setUpIsIdempotentForAPodAlreadySetUp() throws PodNetworkException {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", cidrs("10.244.1.0/24", "fd00:10:244:1::/64"));
        PodAddresses a = net.setUp(pod(0));
        assertThat(net.setUp(pod(0))).isEqualTo(a);
        assertThat(net.setUp(pod(1)).strings()).containsExactly("10.244.1.3", "fd00:10:244:1::3");
    }

    @Test
    void releasedAddressIsNotReusedUntilTheRangeWrapsAround() throws PodNetworkException {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", cidrs("10.0.0.0/29")); // usable .2-.6
        allocate(net, 3); // .2 .3 .4
        net.tearDown(pod(0)); // frees .2
        assertThat(net.setUp(pod(10)).strings()).containsExactly("10.0.0.5");
        assertThat(net.setUp(pod(11)).strings()).containsExactly("10.0.0.6");
        assertThat(net.setUp(pod(12)).strings()).as("wraps to the freed address").containsExactly("10.0.0.2");
    }

    @Test
    void addressInUseIsNeverHandedOutTwice() throws PodNetworkException {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", cidrs("10.0.0.0/28", "fd00::/124"));
        List<String> seen = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 13; i++) seen.add(net.setUp(pod(round * 100 + i)).strings().get(0));
            assertThat(seen).doesNotHaveDuplicates();
            for (int i = 0; i < 13; i += 2) net.tearDown(pod(round * 100 + i));
            seen.clear();
            for (int i = 1; i < 13; i += 2) seen.add(net.addressesOf(pod(round * 100 + i)).orElseThrow().strings().get(0));
            for (int i = 1; i < 13; i += 2) net.tearDown(pod(round * 100 + i));
            seen.clear();
        }
    }

    static Stream<Arguments> exhaustion() {
        return Stream.of(
                argumentSet("IPv4 range exhausted first: message names range 0",
                        cidrs("10.0.0.0/29", "fd00::/64"), 5,
                        "Failed to create pod sandbox: plugin type=\"host-local\" failed (add): failed to allocate for range 0: "
                                + "no IP addresses available in range set: 10.0.0.2-10.0.0.6"),
                argumentSet("IPv6 range exhausted: range 1, IPv4 address rolled back",
                        cidrs("10.0.0.0/24", "fd00::/125"), 6,
                        "Failed to create pod sandbox: plugin type=\"host-local\" failed (add): failed to allocate for range 1: "
                                + "no IP addresses available in range set: fd00::2-fd00::7"));
    }

    @ParameterizedTest
    @MethodSource
    void exhaustion(List<IPAddress> podCidrs, int capacity, String message) throws PodNetworkException {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", podCidrs);
        allocate(net, capacity);
        assertThatThrownBy(() -> net.setUp(pod(99))).isInstanceOf(PodNetworkException.class).hasMessage(message)
                .extracting(e -> ((PodNetworkException) e).reason()).isEqualTo("FailedCreatePodSandBox");
        assertThat(net.addressesOf(pod(99))).isEmpty();
        // Freeing one pod makes room again, in both families.
        net.tearDown(pod(0));
        assertThat(net.setUp(pod(99)).addresses()).hasSize(podCidrs.size());
        assertThat(net.size()).isEqualTo(capacity);
    }

    @Test
    void restoreRebuildsInUseAddressesAfterRestart() throws PodNetworkException {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", cidrs("10.244.1.0/24", "fd00:10:244:1::/64"));
        assertThat(net.restore(pod(0), cidrs("10.244.1.2", "fd00:10:244:1::2"))).isTrue();
        assertThat(net.restore(pod(1), cidrs("10.244.1.4", "fd00:10:244:1::4"))).isTrue();
        assertThat(allocate(net, 4).subList(2, 4)).as("new pods skip restored addresses")
                .containsExactly("10.244.1.3,fd00:10:244:1::3", "10.244.1.5,fd00:10:244:1::5");
    }

    static Stream<Arguments> restoreRejects() {
        return Stream.of(
                argumentSet("address outside the node's podCIDR", cidrs("10.244.2.5", "fd00:10:244:1::5")),
                argumentSet("network address", cidrs("10.244.1.0", "fd00:10:244:1::5")),
                argumentSet("gateway address", cidrs("10.244.1.1", "fd00:10:244:1::5")),
                argumentSet("wrong family order", cidrs("fd00:10:244:1::5", "10.244.1.5")),
                argumentSet("one family missing on a dual-stack node", cidrs("10.244.1.5")),
                argumentSet("address held by another pod", cidrs("10.244.1.2", "fd00:10:244:1::9")),
                argumentSet("valid IPv4 but IPv6 outside the range (IPv4 rolled back)", cidrs("10.244.1.9", "fd00:10:244:2::5")));
    }

    @ParameterizedTest
    @MethodSource
    void restoreRejects(List<IPAddress> addresses) {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", cidrs("10.244.1.0/24", "fd00:10:244:1::/64"));
        assertThat(net.restore(pod(0), cidrs("10.244.1.2", "fd00:10:244:1::2"))).isTrue();
        assertThat(net.restore(pod(1), addresses)).isFalse();
        assertThat(net.addressesOf(pod(1))).isEmpty();
        // Nothing half-reserved: the IPv6 address of a rejected pair is still free.
        assertThat(net.restore(pod(2), cidrs("10.244.1.9", "fd00:10:244:1::5"))).isTrue();
    }

    @Test
    void tearDownOfUnknownPodIsNoOp() {
        AllocatingPodNetwork net = new AllocatingPodNetwork("n", cidrs("10.244.1.0/24"));
        net.tearDown(pod(7));
        assertThat(net.size()).isZero();
    }
}
