package io.dualstack.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dualstack plan}: check and render dual-stack cluster network plans. */
@Command(name = "plan",
        mixinStandardHelpOptions = true,
        description = {"Check and render a dual-stack cluster network plan.",
                "Inputs: files (kind v1alpha4 Cluster, kubeadm v1beta3/v1beta4 Cluster/Init/JoinConfiguration, "
                        + "KubeProxyConfiguration, KubeletConfiguration, Calico IPPools, dualstack ClusterPlan, "
                        + "or a flags file) and upstream flags (--service-cluster-ip-range=..., --cluster-cidr=..., "
                        + "--node-cidr-mask-size-ipv4/-ipv6, --node-ip, --proxy-mode, --service-node-port-range, "
                        + "--cluster-domain), optionally after a component name (kube-apiserver, "
                        + "kube-controller-manager, kube-proxy, kubelet). With no input: the lab's default plan."},
        subcommands = {PlanCheckCommand.class, PlanRenderCommand.class, CommandLine.HelpCommand.class})
public final class PlanCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
