package io.dualstack.core.plan;

import inet.ipaddr.IPAddress;
import inet.ipaddr.ipv4.IPv4Address;
import inet.ipaddr.ipv6.IPv6Address;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static io.dualstack.core.plan.PlanTestSupport.load;
import static org.assertj.core.api.Assertions.assertThat;

/** For arbitrary plans, the lossless formats read back to the same plan and kubeadm/flags lose only node networks. */
class RoundTripPropertiesTest {

    static IPAddress v4(int bits, int prefix) {
        return new IPv4Address(bits).toPrefixBlock(prefix);
    }

    static IPAddress v6(long high, int prefix) {
        byte[] b = new byte[16];
        byte[] h = BigInteger.valueOf(high).toByteArray();
        System.arraycopy(h, Math.max(0, h.length - 8), b, 8 - Math.min(8, h.length), Math.min(8, h.length));
        b[0] = (byte) 0xfd;
        return new IPv6Address(b).toPrefixBlock(prefix);
    }

    static ClusterPlan plan(int svc4, int pod4, long svc6, long pod6, int podPrefix4, int podPrefix6,
                            int mask4, int mask6, boolean v6First, int workers, boolean nodeIps, String mode) {
        List<IPAddress> svc = new ArrayList<>(List.of(v4(svc4, 16), v6(svc6, 112)));
        List<IPAddress> pods = new ArrayList<>(List.of(v4(pod4, podPrefix4), v6(pod6, podPrefix6)));
        List<IPAddress> nets = new ArrayList<>(List.of(v4(0xC0A80000, 24), v6(0x00010000L, 64)));
        if (v6First) {
            java.util.Collections.reverse(svc);
            java.util.Collections.reverse(pods);
            java.util.Collections.reverse(nets);
        }
        List<ClusterPlan.NodePlan> nodes = new ArrayList<>();
        for (int i = 0; i <= workers; i++) {
            ClusterPlan.Role role = i == 0 ? ClusterPlan.Role.CONTROL_PLANE : ClusterPlan.Role.WORKER;
            List<IPAddress> ips = List.of();
            if (nodeIps) {
                IPAddress a = new IPv4Address(0xC0A80000 + 10 + i);
                IPAddress b = nets.get(v6First ? 0 : 1).getLower().withoutPrefixLength().increment(10 + i);
                ips = v6First ? List.of(b, a) : List.of(a, b);
            }
            nodes.add(new ClusterPlan.NodePlan(Plans.kindNodeName("p", role, i == 0 ? 0 : i - 1), role, ips));
        }
        return new ClusterPlan(svc, pods, mask4, mask6, nets, nodes, pods, mode, new ClusterPlan.PortRange(30000, 32767), "cluster.local");
    }

    @Property(tries = 150)
    void losslessAndNearlyLosslessFormats(@ForAll int svc4, @ForAll int pod4, @ForAll long svc6, @ForAll long pod6,
                                          @ForAll @IntRange(min = 8, max = 24) int podPrefix4,
                                          @ForAll @IntRange(min = 32, max = 64) int podPrefix6,
                                          @ForAll @IntRange(min = 16, max = 30) int mask4,
                                          @ForAll @IntRange(min = 48, max = 80) int mask6,
                                          @ForAll boolean v6First, @ForAll @IntRange(min = 0, max = 4) int workers,
                                          @ForAll boolean nodeIps) {
        ClusterPlan p = plan(svc4, pod4, svc6, pod6, podPrefix4, podPrefix6, mask4, mask6, v6First, workers, nodeIps, "nftables");
        assertThat(load(PlanRenderer.render(p, PlanRenderer.Format.PLAN)).plan()).isEqualTo(p);
        assertThat(PlanRenderer.lostFields(p, PlanRenderer.Format.KUBEADM)).containsExactly("nodeNetworks");
        assertThat(PlanRenderer.lostFields(p, PlanRenderer.Format.FLAGS)).containsExactly("nodeNetworks");
        assertThat(PlanRenderer.lostFields(p, PlanRenderer.Format.KIND)).containsExactly("nodeNetworks");
    }
}
