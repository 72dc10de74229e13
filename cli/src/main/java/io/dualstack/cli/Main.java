package io.dualstack.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dualstack} command. Each subcommand lives in its own class in this package. */
@Command(name = "dualstack",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Kubernetes IPv4/IPv6 dual-stack networking on one Linux machine.",
        subcommands = {
                CommandLine.HelpCommand.class,
                PlanCommand.class,
                UpCommand.class,
                DownCommand.class,
                StatusCommand.class,
                ServeCommand.class,
                DnsCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit status (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dualstack " + (v == null ? "dev" : v)};
        }
    }
}
