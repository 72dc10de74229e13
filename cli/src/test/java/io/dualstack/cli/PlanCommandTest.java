package io.dualstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code dualstack plan check|render}: exit codes, one-line input errors, output shapes. */
class PlanCommandTest {

    static final Path EXAMPLES = Files.isDirectory(Path.of("examples")) ? Path.of("examples") : Path.of("..", "examples");

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String ex(String name) {
        return EXAMPLES.resolve(name).toString();
    }

    @ParameterizedTest(name = "plan check {0}: exit {1}")
    @CsvSource(delimiter = '|', value = {
            "kind-dualstack.yaml            | 0 | 0 error(s), 0 warning(s)",
            "kubeadm-dualstack.yaml         | 0 | 0 error(s), 0 warning(s)",
            "kubeadm-v1beta4-dualstack.yaml | 0 | 0 error(s), 0 warning(s)",
            "ipv6-only.yaml                 | 0 | 0 error(s), 0 warning(s)",
            "broken-plan.yaml               | 1 | error overlap [",
            "broken-plan.yaml               | 1 | 10 error(s), 2 warning(s)"})
    void checksExamples(String file, int exit, String expected) {
        Run r = run("plan", "check", ex(file));
        assertThat(r.exit()).isEqualTo(exit);
        assertThat(r.out()).contains(expected);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void checkWithoutInputChecksTheLabDefault() {
        Run r = run("plan", "check");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("kind-control-plane", "kind-worker", "nftables", "172.18.0.0/16,fd00:172:18::/64", "0 error(s), 0 warning(s)");
    }

    @Test
    void jsonOutputHasPlanAndFindings() throws Exception {
        Run r = run("plan", "check", ex("broken-plan.yaml"), "-o", "json");
        assertThat(r.exit()).isEqualTo(1);
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.path("plan").path("clusterCidrs").get(0).asText()).isEqualTo("10.96.0.0/16");
        assertThat(root.path("findings")).isNotEmpty();
        for (JsonNode f : root.path("findings")) {
            assertThat(f.fieldNames()).toIterable().containsExactly("id", "severity", "path", "message", "fix");
            assertThat(f.path("severity").asText()).isIn("error", "warning", "info");
        }
    }

    @ParameterizedTest(name = "input error, exit 2: {0}")
    @CsvSource(delimiter = '|', value = {
            "unreadable file             | /nonexistent/plan.yaml                              | /nonexistent/plan.yaml: cannot read file (no such file)",
            "a directory                 | /                                                   | /: is a directory; give a plan file",
            "CIDR that does not parse    | --cluster-cidr=10.244.0.0/33                        | --cluster-cidr: invalid CIDR address: 10.244.0.0/33",
            "node IP that does not parse | --node-ip=fd00::zz                                  | --node-ip: invalid IP address: fd00::zz"})
    void inputErrorsExit2WithOneLine(String name, String arg, String expected) {
        Run r = run("plan", "check", arg);
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("dualstack plan check: ").contains(expected);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void yamlSyntaxErrorNamesLineAndColumn(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: [oops\n");
        Run r = run("plan", "check", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(f + ":5:1: YAML syntax error:");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void unknownOutputFormatIsAnInputError() {
        Run r = run("plan", "check", ex("kind-dualstack.yaml"), "-o", "yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown output format 'yaml'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown subcommand names the command                         | frob                      | dualstack: unknown command 'frob'; see 'dualstack --help'",
            "unknown option of a subcommand names it and the subcommand help | status --frobnicate    | dualstack: unknown option '--frobnicate'; see 'dualstack status --help'",
            "unknown option of the root command                            | --frobnicate             | dualstack: unknown option '--frobnicate'; see 'dualstack --help'",
            "missing option value is picocli's message on one line         | plan render --to         | dualstack: Missing required parameter for option '--to'",
            "plan check: unknown upstream flag does not take the file as its value | plan check --bogus ../examples/kind-dualstack.yaml | dualstack plan check: unknown flag '--bogus': not a flag of kube-apiserver"})
    void unusableArgumentsAreOneLineInputErrors(String name, String argLine, String expected) {
        Run r = run(argLine.split(" "));
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith(expected);
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void upWithAnUnknownFlagIsAnInputErrorNotAPlanWithoutPodRanges() {
        UpCommand.PlanResult pr = UpCommand.loadPlan("bad5", java.util.List.of(), java.util.List.of("--bogus"), null);
        assertThat(pr.inputError()).hasValueSatisfying(m -> assertThat(m).startsWith("unknown flag '--bogus'"));
        assertThat(UpCommand.loadPlan("ok", java.util.List.of(), java.util.List.of("--v=2"), null).inputError()).isEmpty();
    }

    @ParameterizedTest(name = "plan render --to {0}")
    @CsvSource(delimiter = '|', value = {
            "kubeadm    | apiVersion: kubeadm.k8s.io/v1beta4     | does not carry: nodeNetworks",
            "kind       | apiVersion: kind.x-k8s.io/v1alpha4     | ''",
            "flags      | kube-controller-manager --allocate-node-cidrs=true --cluster-cidr=10.244.0.0/16,fd00:10:244::/56 | does not carry: nodeNetworks",
            "kube-proxy | kind: KubeProxyConfiguration           | does not carry",
            "calico     | kind: IPPool                           | does not carry",
            "cilium     | requireIPv6PodCIDR: true               | written only",
            "plan       | kind: ClusterPlan                      | ''"})
    void rendersEachFormat(String to, String expected, String note) {
        Run r = run("plan", "render", "--to", to, ex("kind-dualstack.yaml"));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains(expected);
        if (note == null || note.isEmpty()) assertThat(r.err()).isEmpty();
        else assertThat(r.err()).contains(note);
    }

    @Test
    void renderRefusesAPlanWithErrorsUnlessForced() {
        Run refused = run("plan", "render", "--to", "kind", ex("broken-plan.yaml"));
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("10 error finding(s)");
        Run forced = run("plan", "render", "--to", "kind", "--force", ex("broken-plan.yaml"));
        assertThat(forced.exit()).isZero();
        assertThat(forced.out()).contains("kind: Cluster");
    }

    @Test
    void renderUnknownFormat() {
        Run r = run("plan", "render", "--to", "flannel");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown format 'flannel'");
    }

    @Test
    void renderedFlagsFileChecksToTheSamePlan(@TempDir Path dir) throws Exception {
        Path flags = dir.resolve("flags.txt");
        Files.writeString(flags, run("plan", "render", "--to", "flags", ex("kubeadm-dualstack.yaml")).out());
        ObjectMapper m = new ObjectMapper();
        JsonNode original = m.readTree(run("plan", "check", "-o", "json", ex("kubeadm-dualstack.yaml")).out()).path("plan");
        JsonNode back = m.readTree(run("plan", "check", "-o", "json", flags.toString()).out()).path("plan");
        assertThat(back).isEqualTo(original);
    }

    @Test
    void helpOnEveryLevel() {
        assertThat(run("plan", "--help").out()).contains("check", "render");
        assertThat(run("plan", "check", "--help").out()).contains("-o, --output");
        assertThat(run("plan", "render", "--help").out()).contains("--to");
    }
}
