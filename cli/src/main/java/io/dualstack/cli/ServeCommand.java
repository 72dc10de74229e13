package io.dualstack.cli;

import io.dualstack.core.plan.ClusterPlan;
import io.dualstack.core.plan.Finding;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code dualstack serve [--name NAME] [--config FILE]... [--nodes N] [--port P] [upstream flags]}:
 * runs the control plane in the foreground until SIGINT/SIGTERM. With no plan input it uses the
 * plan {@code up} stored in the state directory, else the lab default.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {"Run a cluster's control plane in the foreground (API server, controllers, node agents, DNS).",
                "Stops on SIGINT/SIGTERM. 'dualstack up' runs this in the background."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--name", defaultValue = ClusterHome.DEFAULT_NAME, description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--config", paramLabel = "FILE", description = "Plan input (as for 'up'); default: the state directory's plan.yaml, else the lab default.")
    List<Path> configs = new ArrayList<>();

    @Option(names = "--nodes", paramLabel = "N", description = "Number of nodes: one control-plane node and N-1 workers.")
    Integer nodes;

    @Option(names = "--port", defaultValue = "0", description = "API server port on 127.0.0.1 and ::1 (default: the persisted port, else a free one).")
    int port;

    @CommandLine.Unmatched
    List<String> flags = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ClusterHome> resolved = ClusterHome.forCommand("serve", name, err);
        if (resolved.isEmpty()) {
            return 2;
        }
        ClusterHome home = resolved.get();
        if (home.runningServer().filter(h -> h.pid() != ProcessHandle.current().pid()).isPresent()) {
            err.println("dualstack serve: cluster " + name + " is already served by pid " + home.runningServer().get().pid()
                    + "; stop it with 'dualstack down --name " + name + "'");
            err.flush();
            return 1;
        }
        List<Path> inputs = configs;
        if (inputs.isEmpty() && flags.isEmpty() && Files.exists(home.planFile())) {
            inputs = List.of(home.planFile());
        }
        UpCommand.PlanResult pr = UpCommand.loadPlan(name, inputs, flags, nodes);
        if (pr.inputError().isPresent()) {
            err.println("dualstack serve: " + pr.inputError().get());
            err.flush();
            return 2;
        }
        if (pr.findings().stream().anyMatch(Finding::isError)) {
            pr.findings().stream().filter(Finding::isError)
                    .forEach(f -> err.println("error " + f.id() + " [" + f.path() + "]: " + f.message()));
            err.println("dualstack serve: the plan has errors; fix them first ('dualstack plan check')");
            err.flush();
            return 1;
        }
        ClusterPlan plan = pr.plan();
        ControlPlane cp = new ControlPlane(home, plan, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cp.close();
            stopped.countDown();
        }, "dualstack-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        home.createStateDir();
        home.writePid();
        try {
            cp.start();
        } catch (Exception e) {
            err.println("dualstack serve: the control plane did not start: " + e.getMessage());
            err.flush();
            cp.close();
            return 1;
        }
        out.println("dualstack serve: cluster " + name + " serving on " + cp.apiServer().url() + " and " + cp.apiServer().urlIpv6()
                + "; DNS on " + String.join(", ", cp.dnsAddresses()) + "; kubeconfig " + home.kubeconfig());
        out.flush();
        stopped.await();
        return 0;
    }
}
