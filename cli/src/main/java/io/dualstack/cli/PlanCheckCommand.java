package io.dualstack.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dualstack.core.net.Cidrs;
import io.dualstack.core.plan.ClusterPlan;
import io.dualstack.core.plan.Finding;
import io.dualstack.core.plan.PlanJson;
import io.dualstack.core.plan.PlanLoader;
import io.dualstack.core.plan.Severity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dualstack plan check [FILE...] [flags...] [-o text|json]}: exit 0 clean, 1 error findings, 2 unusable input. */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        customSynopsis = "dualstack plan check [FILE...] [[COMPONENT] --flag=value...] [-o text|json]",
        description = {"Check a plan: prints findings (id, severity, path, message, fix).",
                "Exit status: 0 no error finding, 1 at least one error finding, 2 the input cannot be used."})
public final class PlanCheckCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json",
            description = "Output format: text (default) or json ({\"plan\": {...}, \"findings\": [...]}).")
    String output;

    @CommandLine.Unmatched
    List<String> args;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("text") && !output.equals("json")) {
            err.println("dualstack plan check: unknown output format '" + output + "'; use -o text or -o json");
            err.flush();
            return 2;
        }
        PlanLoader.Result r = PlanInputs.load(args);
        if (r instanceof PlanLoader.InputError e) {
            err.println("dualstack plan check: " + e.message());
            err.flush();
            return 2;
        }
        PlanLoader.Loaded l = (PlanLoader.Loaded) r;
        if (output.equals("json")) {
            out.println(json(l));
        } else {
            text(out, l);
        }
        out.flush();
        return l.hasErrors() ? 1 : 0;
    }

    static String json(PlanLoader.Loaded l) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.set("plan", PlanJson.toJson(l.plan()));
        ArrayNode fs = root.putArray("findings");
        for (Finding f : l.findings()) {
            ObjectNode o = fs.addObject();
            o.put("id", f.id());
            o.put("severity", f.severity().label());
            o.put("path", f.path());
            o.put("message", f.message());
            o.put("fix", f.fix());
        }
        return m.writeValueAsString(root);
    }

    static void text(PrintWriter out, PlanLoader.Loaded l) {
        ClusterPlan p = l.plan();
        out.println("plan:");
        out.println("  service ranges:  " + Cidrs.formatList(p.serviceCidrs()));
        out.println("  pod ranges:      " + Cidrs.formatList(p.clusterCidrs()) + "  (node masks /" + p.nodeMaskIpv4()
                + " IPv4, /" + p.nodeMaskIpv6() + " IPv6)");
        out.println("  node networks:   " + (p.nodeNetworks().isEmpty() ? "(not given)" : Cidrs.formatList(p.nodeNetworks())));
        out.println("  kube-proxy:      " + p.kubeProxyMode() + ", clusterCIDR " + Cidrs.formatList(p.kubeProxyClusterCidrs()));
        out.println("  NodePorts:       " + p.nodePortRange() + ", domain " + p.clusterDomain());
        for (ClusterPlan.NodePlan n : p.nodes()) {
            out.println("  node:            " + n.name() + " (" + (n.role() == ClusterPlan.Role.CONTROL_PLANE ? "control-plane" : "worker")
                    + (n.nodeIps().isEmpty() ? "" : ", node IP " + Cidrs.formatList(n.nodeIps())) + ")");
        }
        out.println();
        int errors = 0;
        int warnings = 0;
        int infos = 0;
        for (Finding f : l.findings()) {
            switch (f.severity()) {
                case ERROR -> errors++;
                case WARNING -> warnings++;
                case INFO -> infos++;
            }
            out.println(f.severity().label() + " " + f.id() + " [" + f.path() + "]: " + f.message());
            if (f.severity() != Severity.INFO && !f.fix().isEmpty()) out.println("  fix: " + f.fix());
        }
        out.println();
        out.println(errors + " error(s), " + warnings + " warning(s), " + infos + " info");
    }
}
