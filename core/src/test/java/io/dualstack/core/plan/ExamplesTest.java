package io.dualstack.core.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.dualstack.core.plan.PlanTestSupport.ids;
import static io.dualstack.core.plan.PlanTestSupport.summary;
import static org.assertj.core.api.Assertions.assertThat;

/** The plans shipped in examples/ check as the README and the seeds say. */
class ExamplesTest {

    static final Path EXAMPLES = Files.isDirectory(Path.of("examples")) ? Path.of("examples") : Path.of("..", "examples");

    static PlanLoader.Loaded load(String name) {
        PlanLoader.Result r = PlanLoader.load(List.of(EXAMPLES.resolve(name)), List.of());
        assertThat(r).isInstanceOf(PlanLoader.Loaded.class);
        return (PlanLoader.Loaded) r;
    }

    @ParameterizedTest(name = "{0} checks clean: {1}")
    @CsvSource(delimiter = '|', value = {
            "kind-dualstack.yaml            | svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64 nets=172.18.0.0/16,fd00:172:18::/64 proxy=10.244.0.0/16,fd00:10:244::/56 mode=iptables ports=30000-32767 domain=cluster.local nodes=dualstack-dojo-control-plane:cp:;dualstack-dojo-worker:w:",
            "kubeadm-dualstack.yaml         | svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/48 masks=24/64 nets= proxy=10.244.0.0/16,fd00:10:244::/48 mode=iptables ports=30000-32767 domain=cluster.local nodes=control-plane:cp:192.168.1.10,fd00::1",
            "kubeadm-v1beta4-dualstack.yaml | svc=10.96.0.0/16,fd00:10:96::/112 pods=10.244.0.0/16,fd00:10:244::/56 masks=24/64 nets= proxy=10.244.0.0/16,fd00:10:244::/56 mode=iptables ports=30000-32767 domain=cluster.local nodes=",
            "ipv6-only.yaml                 | svc=fd00:10:96::/112 pods=fd00:10:244::/48 masks=24/64 nets= proxy=fd00:10:244::/48 mode=iptables ports=30000-32767 domain=cluster.local nodes=control-plane:cp:fd00::1"})
    void seedPlansCheckClean(String file, String expected) {
        PlanLoader.Loaded l = load(file);
        assertThat(summary(l.plan())).isEqualTo(expected);
        assertThat(ids(l.findings(), Severity.ERROR)).isEmpty();
        assertThat(ids(l.findings(), Severity.WARNING)).isEmpty();
    }

    @Test
    void brokenPlanFailsWithTheFindingsTheSeedsWarnAbout() {
        PlanLoader.Loaded l = load("broken-plan.yaml");
        assertThat(l.hasErrors()).isTrue();
        assertThat(ids(l.findings(), Severity.ERROR)).containsExactly("duplicate-family", "family-order", "missing-family",
                "node-ip", "node-mask", "overlap", "service-range-too-large", "special-range", "too-many-ranges");
        assertThat(ids(l.findings(), Severity.WARNING)).containsExactly("ula-fc00", "unknown-field");
    }

    @Test
    void kindExampleIsTheSeedLabConfigVerbatim() throws Exception {
        assertThat(Files.readString(EXAMPLES.resolve("kind-dualstack.yaml"))).isEqualTo("""
                kind: Cluster
                apiVersion: kind.x-k8s.io/v1alpha4
                name: dualstack-dojo
                networking:
                  ipFamily: dual
                  podSubnet: "10.244.0.0/16,fd00:10:244::/56"
                  serviceSubnet: "10.96.0.0/16,fd00:10:96::/112"
                nodes:
                  - role: control-plane
                  - role: worker
                """);
    }
}
