package io.dualstack.core.plan;

import io.dualstack.core.net.Cidrs;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Helpers shared by the plan tests: load texts, summarize a plan in one line. */
final class PlanTestSupport {
    private PlanTestSupport() {
    }

    static PlanLoader.Loaded load(String text, String... flags) {
        List<PlanLoader.Input> in = text == null || text.isEmpty() ? List.of() : List.of(new PlanLoader.Input("in.yaml", text));
        PlanLoader.Result r = PlanLoader.loadTexts(in, Arrays.asList(flags));
        assertThat(r).as("input error: %s", r instanceof PlanLoader.InputError e ? e.message() : "").isInstanceOf(PlanLoader.Loaded.class);
        return (PlanLoader.Loaded) r;
    }

    static PlanLoader.Loaded flags(String flags) {
        return load("", flags.trim().split("\\s+"));
    }

    static String inputError(String text, String... flags) {
        List<PlanLoader.Input> in = text == null || text.isEmpty() ? List.of() : List.of(new PlanLoader.Input("in.yaml", text));
        PlanLoader.Result r = PlanLoader.loadTexts(in, Arrays.asList(flags));
        assertThat(r).isInstanceOf(PlanLoader.InputError.class);
        return ((PlanLoader.InputError) r).message();
    }

    /** svc=.. pods=.. masks=24/64 nets=.. proxy=.. mode=.. ports=.. domain=.. nodes=name:cp|w:ips;... */
    static String summary(ClusterPlan p) {
        String nodes = p.nodes().stream()
                .map(n -> n.name() + ":" + (n.role() == ClusterPlan.Role.CONTROL_PLANE ? "cp" : "w") + ":" + Cidrs.formatList(n.nodeIps()))
                .collect(Collectors.joining(";"));
        return "svc=" + Cidrs.formatList(p.serviceCidrs())
                + " pods=" + Cidrs.formatList(p.clusterCidrs())
                + " masks=" + p.nodeMaskIpv4() + "/" + p.nodeMaskIpv6()
                + " nets=" + Cidrs.formatList(p.nodeNetworks())
                + " proxy=" + Cidrs.formatList(p.kubeProxyClusterCidrs())
                + " mode=" + p.kubeProxyMode()
                + " ports=" + p.nodePortRange()
                + " domain=" + p.clusterDomain()
                + " nodes=" + nodes;
    }

    static List<String> ids(List<Finding> findings, Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).map(Finding::id).distinct().sorted().toList();
    }
}
