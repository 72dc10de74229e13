package io.dualstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dualstack.client.Kubeconfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lifecycle of issue 3 ("Starting a cluster") in a temporary DUALSTACK_HOME and KUBECONFIG:
 * up starts a background control plane that the real kubectl can use, status reports it, two
 * clusters run side by side, down stops only its own process and removes only its own entries.
 */
class UpDownStatusTest {
    static final String OTHER_USERS_CONFIG = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster: {server: 'https://prod.example:6443'}
            users:
            - name: alice
              user: {token: alice-token}
            contexts:
            - name: prod
              context: {cluster: prod, user: alice}
            current-context: prod
            """;

    @TempDir
    Path tmp;
    Path home;
    Path kubeconfig;
    final List<String> started = new ArrayList<>();

    record Run(int code, String out, String err) {}

    @BeforeEach
    void env() throws Exception {
        home = tmp.resolve("home");
        kubeconfig = tmp.resolve("kube").resolve("config");
        Files.createDirectories(kubeconfig.getParent());
        Files.writeString(kubeconfig, OTHER_USERS_CONFIG);
        System.setProperty("dualstack.home", home.toString());
        System.setProperty("dualstack.kubeconfig", kubeconfig.toString());
    }

    @AfterEach
    void cleanUp() {
        for (String name : started) {
            // Safety net: a serve that down failed to recognise must not outlive the test.
            java.util.Optional<ProcessHandle> leftover = ClusterHome.of(name).readPid().flatMap(r -> ProcessHandle.of(r.pid()));
            dualstack("down", "--name", name);
            leftover.filter(ProcessHandle::isAlive).ifPresent(h -> {
                String cmd;
                try {
                    cmd = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(h.pid()), "cmdline"))).replace('\0', ' ');
                } catch (java.io.IOException e) {
                    cmd = h.info().commandLine().orElse("");
                }
                if (cmd.contains("io.dualstack.cli.Main serve --name " + name)) {
                    h.destroyForcibly();
                }
            });
        }
        System.clearProperty("dualstack.home");
        System.clearProperty("dualstack.kubeconfig");
    }

    static Run dualstack(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new picocli.CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    Run up(String name, String... extra) {
        started.add(name);
        List<String> args = new ArrayList<>(List.of("up", "--name", name));
        args.addAll(List.of(extra));
        return dualstack(args.toArray(String[]::new));
    }

    JsonNode status(String name) throws Exception {
        return new ObjectMapper().readTree(dualstack("status", "--name", name, "-o", "json").out());
    }

    String kubectl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", tmp.resolve("kcache").toString(), "--request-timeout", "60s"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        return text;
    }

    String diagnose(String name) {
        try {
            String pid = Files.readString(home.resolve(name).resolve("serve.pid"));
            var h = ProcessHandle.of(Long.parseLong(pid.lines().findFirst().orElse("0").trim()));
            return "pid file: " + pid + " process: " + h.map(x -> x.isAlive() + " " + x.info()).orElse("gone");
        } catch (Exception e) {
            return "no pid file: " + e;
        }
    }

    static boolean kubectlInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/kubectl"));
    }

    @Test
    @EnabledIf("kubectlInstalled")
    void upStatusKubectlDownRoundTripWithTwoClustersSideBySide() throws Exception {
        Run a = up("ut-a");
        assertThat(a.code()).as(a.err() + a.out()).isZero();
        assertThat(a.out()).contains("Context \"dualstack-ut-a\" is now current in " + kubeconfig);

        JsonNode sa = status("ut-a");
        assertThat(sa.get("running").asBoolean()).as(() -> diagnose("ut-a")).isTrue();
        assertThat(sa.get("apiServer").asText()).startsWith("https://127.0.0.1:");
        assertThat(sa.get("stateDir").asText()).isEqualTo(home.resolve("ut-a").toString());
        assertThat(sa.get("dns")).hasSize(2);
        long pidA = sa.get("pid").asLong();
        assertThat(Files.exists(home.resolve("ut-a").resolve("serve.log"))).isTrue();

        // kubectl uses the merged, current context.
        assertThat(kubectl("get", "ns")).contains("kube-system").contains("Active");

        Run b = up("ut-b", "--nodes", "3");
        assertThat(b.code()).as(b.err() + b.out()).isZero();
        JsonNode sb = status("ut-b");
        assertThat(sb.get("apiServer").asText()).isNotEqualTo(sa.get("apiServer").asText());
        assertThat(kubectl("--context", "dualstack-ut-a", "get", "svc", "kubernetes", "-o", "wide"))
                .contains("10.96.0.1").contains("443/TCP");

        Run downA = dualstack("down", "--name", "ut-a");
        assertThat(downA.code()).as(downA.err()).isZero();
        assertThat(ProcessHandle.of(pidA).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(dualstack("status", "--name", "ut-a").code()).isEqualTo(1);
        assertThat(status("ut-a").get("running").asBoolean()).isFalse();
        assertThat(Files.exists(home.resolve("ut-a"))).isFalse();
        assertThat(status("ut-b").get("running").asBoolean()).isTrue();

        assertThat(dualstack("down", "--name", "ut-b").code()).isZero();
        var kc = Kubeconfigs.read(kubeconfig);
        assertThat(kc.get("contexts")).hasSize(1);
        assertThat(Kubeconfigs.find(kc, "users", "alice").orElseThrow().path("user").path("token").asText()).isEqualTo("alice-token");
        assertThat(Kubeconfigs.find(kc, "clusters", "dualstack-ut-a")).isEmpty();
        assertThat(Kubeconfigs.find(kc, "clusters", "dualstack-ut-b")).isEmpty();
    }

    @Test
    void planWithErrorFindingsStopsUpBeforeAnythingStarts() {
        Run r = up("ut-bad", "--service-cluster-ip-range=10.96.0.0/16,10.97.0.0/16", "--cluster-cidr=10.244.0.0/16,fd00:10:244::/56");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("duplicate-family").contains("the plan has errors");
        assertThat(Files.exists(home.resolve("ut-bad"))).isFalse();
        assertThat(Kubeconfigs.read(kubeconfig).get("contexts")).hasSize(1);
    }

    @Test
    void downDoesNotKillAProcessThatIsNotOurs() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            Path state = home.resolve("ut-foreign");
            Files.createDirectories(state);
            // A pid file naming a live process that started at another time (pid reuse) is not ours.
            Files.writeString(state.resolve("serve.pid"), sleeper.pid() + "\n" + Instant.parse("2020-01-01T00:00:00Z") + "\n");
            assertThat(dualstack("status", "--name", "ut-foreign").code()).isEqualTo(1);
            Run r = dualstack("down", "--name", "ut-foreign");
            assertThat(r.code()).isZero();
            assertThat(sleeper.isAlive()).isTrue();
            assertThat(Files.exists(state)).isFalse();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void invalidNameIsOneLineUsageError() {
        Run r = dualstack("up", "--name", "Bad_Name");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("dualstack up: invalid cluster name 'Bad_Name'").doesNotContain("\n");
    }

    @Test
    void downOfAnUnknownClusterIsANoOp() {
        Run r = dualstack("down", "--name", "never-was");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("does not exist");
    }
}
