package io.dualstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code dualstack status [--name NAME] [-o text|json]}: whether the cluster runs, its API URL, state
 * directory, DNS addresses and pid. JSON: {@code {"name","running","apiServer","stateDir","dns":[...],"pid"}}
 * ({@code pid} null when not running). Exit 0 when running, 1 when not, 2 bad usage.
 */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {"Show whether a cluster runs, its API server URL, DNS addresses and state directory.",
                "Exit status: 0 running, 1 not running, 2 bad usage."})
public final class StatusCommand implements Callable<Integer> {
    @Option(names = "--name", defaultValue = ClusterHome.DEFAULT_NAME, description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "text", paramLabel = "text|json", description = "Output format (default: ${DEFAULT-VALUE}).")
    String output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("text") && !output.equals("json")) {
            err.println("dualstack status: unknown output format '" + output + "'; use -o text or -o json");
            err.flush();
            return 2;
        }
        Optional<ClusterHome> resolved = ClusterHome.forCommand("status", name, err);
        if (resolved.isEmpty()) {
            return 2;
        }
        ClusterHome home = resolved.get();
        ObjectNode s = status(home);
        if (output.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
        } else {
            boolean running = s.get("running").asBoolean();
            out.println("cluster " + name + ": " + (running ? "running (pid " + s.get("pid").asLong() + ")" : "not running"));
            if (running) {
                out.println("  API server: " + s.get("apiServer").asText() + " and " + s.path("apiServerIpv6").asText());
                List<String> dns = new ArrayList<>();
                s.get("dns").forEach(d -> dns.add(d.asText()));
                out.println("  DNS:        " + (dns.isEmpty() ? "<none>" : String.join(", ", dns)));
                out.println("  context:    " + home.contextName());
            }
            out.println("  state:      " + s.get("stateDir").asText());
        }
        out.flush();
        return s.get("running").asBoolean() ? 0 : 1;
    }

    static ObjectNode status(ClusterHome home) {
        ObjectNode s = new ObjectMapper().createObjectNode();
        Optional<ProcessHandle> proc = home.runningServer();
        Optional<JsonNode> ep = proc.isPresent() ? home.readEndpoints() : Optional.empty();
        s.put("name", home.name());
        s.put("running", proc.isPresent());
        s.put("apiServer", ep.map(e -> e.path("apiServer").asText()).orElse(""));
        s.put("apiServerIpv6", ep.map(e -> e.path("apiServerIpv6").asText()).orElse(""));
        s.put("stateDir", home.stateDir().toString());
        var dns = s.putArray("dns");
        ep.ifPresent(e -> e.path("dns").forEach(dns::add));
        if (proc.isPresent()) {
            s.put("pid", proc.get().pid());
        } else {
            s.putNull("pid");
        }
        s.put("log", home.log().toString());
        return s;
    }
}
