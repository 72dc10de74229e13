package io.dualstack.cli;

import io.dualstack.core.plan.Finding;
import io.dualstack.core.plan.PlanLoader;
import io.dualstack.core.plan.PlanRenderer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dualstack plan render --to FORMAT [FILE...] [flags...]}. */
@Command(name = "render",
        mixinStandardHelpOptions = true,
        customSynopsis = "dualstack plan render --to FORMAT [--force] [FILE...] [[COMPONENT] --flag=value...]",
        description = {"Write the plan in another format. Refuses (exit 1) when the plan has error findings, unless --force.",
                "Formats that cannot carry every field print a note on stderr naming what they drop."})
public final class PlanRenderCommand implements Callable<Integer> {
    @Option(names = "--to", required = true, paramLabel = "FORMAT",
            description = "kubeadm (v1beta4 Cluster/Init/JoinConfiguration + KubeProxyConfiguration), kind (v1alpha4 Cluster), "
                    + "flags (per-component flags), kube-proxy (KubeProxyConfiguration), calico (IPPools), "
                    + "cilium (Helm values), plan (dualstack ClusterPlan, lossless).")
    String to;

    @Option(names = "--force", description = "Render even when the plan has error findings.")
    boolean force;

    @CommandLine.Unmatched
    List<String> args;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PlanRenderer.Format format;
        try {
            format = PlanRenderer.Format.parse(to);
        } catch (IllegalArgumentException e) {
            err.println("dualstack plan render: unknown format '" + to + "'; use one of kubeadm, kind, flags, kube-proxy, calico, cilium, plan");
            err.flush();
            return 2;
        }
        PlanLoader.Result r = PlanInputs.load(args);
        if (r instanceof PlanLoader.InputError e) {
            err.println("dualstack plan render: " + e.message());
            err.flush();
            return 2;
        }
        PlanLoader.Loaded l = (PlanLoader.Loaded) r;
        long errors = l.findings().stream().filter(Finding::isError).count();
        if (errors > 0 && !force) {
            err.println("dualstack plan render: the plan has " + errors + " error finding(s); run 'dualstack plan check' on the same input, fix them, or pass --force");
            err.flush();
            return 1;
        }
        out.print(PlanRenderer.render(l.plan(), format));
        out.flush();
        List<String> lost = PlanRenderer.lostFields(l.plan(), format);
        if (!lost.isEmpty()) {
            err.println("note: --to " + format.cliName() + " does not carry: " + String.join(", ", lost));
            err.flush();
        }
        return 0;
    }
}
