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
        return commandLine().execute(args);
    }

    /** The root command line, with one-line errors for arguments picocli cannot match (exit 2). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler(Main::parameterError);
        return cl;
    }

    /** Exit status for unusable input, as the subcommands use it. */
    static final int INPUT_ERROR = 2;

    /**
     * One line instead of the whole usage: {@code dualstack: unknown option '--frobnicate'; see 'dualstack
     * status --help'}, {@code dualstack: unknown command 'frob'; see 'dualstack --help'}, or picocli's
     * own message for a missing or malformed option value.
     */
    static int parameterError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        String help = "see '" + cl.getCommandSpec().qualifiedName() + " --help'";
        cl.getErr().println("dualstack: " + describe(ex) + "; " + help);
        cl.getErr().flush();
        return INPUT_ERROR;
    }

    static String describe(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            boolean hasSubcommands = !u.getCommandLine().getSubcommands().isEmpty();
            if (u.isUnknownOption() || first.startsWith("-")) {
                return "unknown option '" + first + "'";
            }
            return hasSubcommands ? "unknown command '" + first + "'" : "unexpected argument '" + first + "'";
        }
        String m = ex.getMessage() == null ? "invalid arguments" : ex.getMessage().strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl).strip();
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dualstack " + (v == null ? "dev" : v)};
        }
    }
}
