package io.dualstack.core.plan;

import io.dualstack.core.IpFamily;
import io.dualstack.core.net.Cidrs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.dualstack.core.plan.PlanTestSupport.summary;
import static org.assertj.core.api.Assertions.assertThat;

class PlansTest {

    @ParameterizedTest(name = "lab default for cluster \"{0}\": kind's dual-stack defaults, kind node names, checks clean")
    @ValueSource(strings = {"kind", "dualstack-dojo"})
    void labDefault(String name) {
        ClusterPlan p = Plans.labDefault(name);
        assertThat(summary(p)).isEqualTo("svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64"
                + " nets=172.18.0.0/16,fd00:172:18::/64 proxy=10.244.0.0/16,fd00:10:244::/56 mode=nftables ports=30000-32767"
                + " domain=cluster.local nodes=" + name + "-control-plane:cp:;" + name + "-worker:w:");
        assertThat(PlanChecker.check(p)).allSatisfy(f -> assertThat(f.severity()).isEqualTo(Severity.INFO));
        assertThat(p.serviceFamilies()).containsExactly(IpFamily.IPv4, IpFamily.IPv6);
        // kind's docker network fc00:f853:ccd:e793::/64 would be flagged by ula-fc00; the lab's is in fd00::/8
        assertThat(Cidrs.isUlaL0(p.nodeNetworks().get(1))).isFalse();
    }
}
