package io.dualstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dualstack.client.Kubeconfigs;
import io.dualstack.core.plan.ClusterPlan;
import io.dualstack.core.plan.Finding;
import io.dualstack.core.plan.PlanChecker;
import io.dualstack.core.plan.PlanJson;
import io.dualstack.core.plan.PlanLoader;
import io.dualstack.core.plan.Plans;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code dualstack up [--name NAME] [--config FILE]... [--nodes N] [upstream flags]}: checks the plan,
 * starts {@code dualstack serve} in the background, waits for {@code /readyz}, merges context
 * {@code dualstack-NAME} into the kubeconfig and makes it current. Exit 0 up; 1 the plan has error
 * findings or the cluster did not come up; 2 unusable input.
 */
@Command(name = "up",
        mixinStandardHelpOptions = true,
        description = {"Start a cluster's control plane in the background and point kubectl at it.",
                "The plan (files from --config and upstream flags such as --service-cluster-ip-range) is checked first;",
                "an error finding stops up. Without input the lab default plan (kind's dual-stack defaults) is used.",
                "State and logs live in $DUALSTACK_HOME/NAME (default ~/.dualstack/NAME); the context dualstack-NAME",
                "is merged into the first file of $KUBECONFIG (default ~/.kube/config).",
                "The background process gets JVM options from $DUALSTACK_SERVE_JAVA_OPTS when set."})
public final class UpCommand implements Callable<Integer> {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    @Option(names = "--name", defaultValue = ClusterHome.DEFAULT_NAME, description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--config", paramLabel = "FILE", description = "Plan input: kind or kubeadm config, kube-proxy/kubelet config, or a dualstack ClusterPlan; repeatable.")
    List<Path> configs = new ArrayList<>();

    @Option(names = "--nodes", paramLabel = "N", description = "Number of nodes: one control-plane node and N-1 workers (default: as the plan says).")
    Integer nodes;

    @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "180", description = "How long to wait for the API server to be ready (default: ${DEFAULT-VALUE}).")
    int waitSeconds;

    @CommandLine.Unmatched
    List<String> flags = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return up(out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int up(PrintWriter out, PrintWriter err) throws Exception {
        Optional<ClusterHome> resolved = ClusterHome.forCommand("up", name, err);
        if (resolved.isEmpty()) {
            return 2;
        }
        ClusterHome home = resolved.get();
        Optional<ProcessHandle> running = home.runningServer();
        if (running.isPresent()) {
            err.println("dualstack up: cluster " + name + " is already running (pid " + running.get().pid()
                    + "); use 'dualstack status --name " + name + "' or stop it with 'dualstack down --name " + name + "'");
            return 1;
        }
        PlanResult pr = loadPlan(name, configs, flags, nodes);
        if (pr.inputError().isPresent()) {
            err.println("dualstack up: " + pr.inputError().get());
            return 2;
        }
        for (Finding f : pr.findings()) {
            if (f.isError() || f.severity() == io.dualstack.core.plan.Severity.WARNING) {
                err.println(f.severity().label() + " " + f.id() + " [" + f.path() + "]: " + f.message()
                        + (f.fix().isEmpty() ? "" : " (fix: " + f.fix() + ")"));
            }
        }
        if (pr.findings().stream().anyMatch(Finding::isError)) {
            err.println("dualstack up: the plan has errors (above); fix them, or see 'dualstack plan check' for details");
            return 1;
        }

        home.createStateDir();
        writePlan(home, pr.plan());
        Files.deleteIfExists(home.kubeconfig());
        Files.deleteIfExists(home.endpointsFile());
        Files.deleteIfExists(home.pidFile());
        Process p = startServe(home);

        Optional<String> failure = awaitReady(home, p, Duration.ofSeconds(waitSeconds));
        if (failure.isPresent()) {
            err.println("dualstack up: " + failure.get() + lastServeError(home).map(m -> " (" + m + ")").orElse("")
                    + "; see " + home.log());
            if (p.isAlive()) {
                p.destroy();
            }
            return 1;
        }
        Path target = ClusterHome.kubeconfigTarget();
        ObjectNode ours = Kubeconfigs.read(home.kubeconfig());
        Kubeconfigs.write(target, Kubeconfigs.withCurrentContext(Kubeconfigs.merge(Kubeconfigs.read(target), ours), home.contextName()));

        JsonNode ep = home.readEndpoints().orElseThrow();
        out.println("Cluster \"" + name + "\" is up: API server " + ep.path("apiServer").asText() + " and "
                + ep.path("apiServerIpv6").asText() + " (pid " + p.pid() + ", log " + home.log() + ").");
        if (ep.path("dns").size() > 0) {
            List<String> dns = new ArrayList<>();
            ep.path("dns").forEach(d -> dns.add(d.asText()));
            out.println("Cluster DNS: " + String.join(", ", dns));
        }
        out.println("Context \"" + home.contextName() + "\" is now current in " + target + ". Try:");
        out.println("  kubectl get nodes -o wide");
        out.println("  kubectl get svc -A -o wide");
        out.println("  dualstack status --name " + name);
        out.println("  dualstack down --name " + name);
        return 0;
    }

    /** The last one-line error {@code serve} logged ("dualstack serve: ..."), if any. */
    static Optional<String> lastServeError(ClusterHome home) {
        try (var lines = Files.lines(home.log())) {
            return lines.filter(l -> l.startsWith("dualstack serve: ") && !l.contains(" serving on "))
                    .reduce((a, b) -> b).map(l -> l.substring("dualstack serve: ".length()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** A checked plan, or why there is none. */
    record PlanResult(ClusterPlan plan, List<Finding> findings, Optional<String> inputError) {}

    /** The plan from files and flags (lab default when neither), with {@code --nodes} applied, checked. */
    static PlanResult loadPlan(String name, List<Path> configs, List<String> flags, Integer nodes) {
        ClusterPlan plan;
        List<Finding> findings;
        if (configs.isEmpty() && flags.isEmpty()) {
            plan = Plans.labDefault(name);
            findings = PlanChecker.check(plan);
        } else {
            PlanLoader.Result r = PlanLoader.load(configs, flags);
            if (r instanceof PlanLoader.InputError e) {
                return new PlanResult(null, List.of(), Optional.of(e.message()));
            }
            PlanLoader.Loaded l = (PlanLoader.Loaded) r;
            plan = l.plan();
            findings = l.findings();
            if (l.hasErrors()) {
                return new PlanResult(plan, findings, Optional.empty());
            }
        }
        if (nodes != null) {
            if (nodes < 1) {
                return new PlanResult(null, List.of(), Optional.of("--nodes must be at least 1, got " + nodes));
            }
            plan = withNodes(plan, name, nodes);
            findings = PlanChecker.check(plan);
        }
        return new PlanResult(plan, List.copyOf(findings), Optional.empty());
    }

    /** The plan with one control-plane node and {@code n-1} workers, named as kind names them. */
    static ClusterPlan withNodes(ClusterPlan p, String cluster, int n) {
        List<ClusterPlan.NodePlan> list = new ArrayList<>();
        list.add(new ClusterPlan.NodePlan(Plans.kindNodeName(cluster, ClusterPlan.Role.CONTROL_PLANE, 0), ClusterPlan.Role.CONTROL_PLANE, List.of()));
        for (int i = 0; i < n - 1; i++) {
            list.add(new ClusterPlan.NodePlan(Plans.kindNodeName(cluster, ClusterPlan.Role.WORKER, i), ClusterPlan.Role.WORKER, List.of()));
        }
        return new ClusterPlan(p.serviceCidrs(), p.clusterCidrs(), p.nodeMaskIpv4(), p.nodeMaskIpv6(), p.nodeNetworks(), list,
                p.kubeProxyClusterCidrs(), p.kubeProxyMode(), p.nodePortRange(), p.clusterDomain());
    }

    static void writePlan(ClusterHome home, ClusterPlan plan) throws IOException {
        ObjectNode doc = YAML.createObjectNode();
        doc.put("apiVersion", "dualstack.io/v1alpha1");
        doc.put("kind", "ClusterPlan");
        doc.setAll(PlanJson.toJson(plan));
        ClusterHome.writeAtomically(home.planFile(), YAML.writeValueAsString(doc));
    }

    /** Starts {@code serve --name NAME} as a detached process of its own (new session) with the same java and class path. */
    private Process startServe(ClusterHome home) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(java);
        String opts = System.getenv("DUALSTACK_SERVE_JAVA_OPTS");
        if (opts != null && !opts.isBlank()) {
            cmd.addAll(List.of(opts.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--name", name));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DUALSTACK_HOME", home.root().toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(home.log().toFile()));
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** Waits until serve wrote its kubeconfig and {@code /readyz} answers 200; empty when ready, else why not. */
    static Optional<String> awaitReady(ClusterHome home, Process p, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        HttpClient http = null;
        String url = null;
        String lastProblem = "the API server did not write its kubeconfig";
        while (Instant.now().isBefore(deadline)) {
            if (!p.isAlive()) {
                return Optional.of("the control plane exited with status " + p.exitValue() + " before it was ready");
            }
            try {
                if (http == null && Files.exists(home.kubeconfig()) && Files.exists(home.endpointsFile())) {
                    ObjectNode kc = Kubeconfigs.read(home.kubeconfig());
                    JsonNode cluster = Kubeconfigs.find(kc, "clusters", home.contextName()).orElseThrow().path("cluster");
                    url = cluster.path("server").asText();
                    String ca = new String(Base64.getDecoder().decode(cluster.path("certificate-authority-data").asText()), StandardCharsets.UTF_8);
                    http = HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(Duration.ofSeconds(5)).build();
                }
                if (http != null) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/readyz")).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return Optional.empty();
                    }
                    lastProblem = "/readyz answered " + r.statusCode();
                }
            } catch (IOException | RuntimeException e) {
                lastProblem = "/readyz: " + e.getMessage();
            } catch (Exception e) {
                lastProblem = e.toString();
            }
            Thread.sleep(200);
        }
        return Optional.of("the control plane was not ready within " + timeout.toSeconds() + "s (" + lastProblem + ")");
    }

    static SSLContext trusting(String caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        int i = 0;
        for (var cert : cf.generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8)))) {
            ks.setCertificateEntry("ca" + i++, cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
