package io.dualstack.cli;

import io.dualstack.client.Kubeconfigs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code dualstack down [--name NAME]}: stops the process {@code up} started (verified by pid and
 * start time), removes the context, cluster and user {@code dualstack-NAME} from the kubeconfig and
 * deletes the state directory. Idempotent: a cluster that is already gone is not an error.
 */
@Command(name = "down",
        mixinStandardHelpOptions = true,
        description = {"Stop a cluster, remove its kubeconfig context and delete its state directory."})
public final class DownCommand implements Callable<Integer> {
    @Option(names = "--name", defaultValue = ClusterHome.DEFAULT_NAME, description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<ClusterHome> resolved = ClusterHome.forCommand("down", name, err);
        if (resolved.isEmpty()) {
            return 2;
        }
        ClusterHome home = resolved.get();
        Optional<ProcessHandle> proc = home.runningServer();
        if (proc.isPresent()) {
            ProcessHandle h = proc.get();
            h.destroy();
            try {
                h.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
                h.onExit().get(30, TimeUnit.SECONDS);
            }
        }
        Path target = ClusterHome.kubeconfigTarget();
        boolean hadContext = false;
        if (Files.exists(target)) {
            var kc = Kubeconfigs.read(target);
            hadContext = Kubeconfigs.find(kc, "contexts", home.contextName()).isPresent();
            if (hadContext || Kubeconfigs.find(kc, "clusters", home.contextName()).isPresent()) {
                Kubeconfigs.write(target, Kubeconfigs.removeContext(kc, home.contextName()));
            }
        }
        boolean hadState = Files.exists(home.stateDir());
        home.deleteStateDir();
        if (proc.isEmpty() && !hadContext && !hadState) {
            out.println("Cluster \"" + name + "\" does not exist; nothing to do.");
        } else {
            out.println("Deleted cluster \"" + name + "\"" + (proc.isPresent() ? " (stopped pid " + proc.get().pid() + ")" : "")
                    + (hadContext ? "; removed context " + home.contextName() + " from " + target : "") + ".");
        }
        out.flush();
        return 0;
    }
}
