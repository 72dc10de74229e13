package io.dualstack.apiserver.discovery;

import io.dualstack.apiserver.ApiServer;
import io.dualstack.apiserver.ApiServerConfig;
import io.dualstack.apiserver.storage.Stores;
import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real kubectl against the API server's discovery, OpenAPI and tables (admission strategies
 * off: this pins the surface, not Service allocation).
 */
@EnabledIf("kubectlInstalled")
class KubectlSurfaceTest {
    static ApiServer api;
    static Path stateDir;
    static Path kubeconfig;
    static Path cacheDir;

    static boolean kubectlInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/kubectl"));
    }

    @BeforeAll
    static void start() throws IOException {
        stateDir = Files.createTempDirectory("surface-api");
        api = new ApiServer(ApiServerConfig.of(stateDir, TestApiServer.defaultPlan(), d -> Stores.memory())
                .withStrategies(java.util.Map.of(), false));
        try {
            api.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        kubeconfig = stateDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, api.kubeconfig("surface-test"));
        cacheDir = stateDir.resolve("kubectl-cache");
    }

    @AfterAll
    static void stop() throws IOException {
        if (api != null) {
            api.close();
        }
        try (var s = Files.walk(stateDir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Result(int code, String out, String err) {}

    static Result kubectl(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", cacheDir.toString(), "--request-timeout", "60s"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("KUBECONFIG");
        Path out = Files.createTempFile("kubectl", ".out");
        Path err = Files.createTempFile("kubectl", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    @Test
    void getNamespacesPrintsUpstreamColumns() throws Exception {
        Result r = kubectl(null, "get", "ns");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("NAME").contains("STATUS").contains("AGE").contains("kube-system");
    }

    @Test
    void apiResourcesComeFromAggregatedDiscovery() throws Exception {
        Result r = kubectl(null, "api-resources");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("endpointslices").contains("servicecidrs").contains("svc");
        assertThat(r.err()).doesNotContain("couldn't get resource list");
    }

    @Test
    void createWithStrictValidationUsesServerSideValidation() throws Exception {
        Result r = kubectl("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: strict-ok, namespace: default}
                data: {a: "1"}
                """, "create", "--validate=strict", "-f", "-");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("configmap/strict-ok created");
        assertThat(r.err()).doesNotContain("failed to download openapi");
    }

    @Test
    void serviceTableRowWide() throws Exception {
        Result c = kubectl("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  type: NodePort
                  clusterIP: 10.96.0.50
                  clusterIPs: [10.96.0.50, "fd00:10:96::50"]
                  ipFamilies: [IPv4, IPv6]
                  ipFamilyPolicy: RequireDualStack
                  selector: {app: web}
                  ports: [{port: 80, nodePort: 30080, protocol: TCP, targetPort: 8080}]
                """, "create", "-f", "-");
        assertThat(c.code()).as(c.err()).isZero();
        Result r = kubectl(null, "get", "svc", "web", "-o", "wide");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().map(l -> l.replaceAll("\\s+", " ").strip()).toList();
        assertThat(lines.get(0)).isEqualTo("NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR");
        assertThat(lines.get(1)).matches("web NodePort 10\\.96\\.0\\.50 <none> 80:30080/TCP \\d+s app=web");
    }

    @ParameterizedTest(name = "kubectl get {0} -o wide shows header {1}")
    @CsvSource(delimiter = '|', value = {
            "namespaces|NAME              STATUS   AGE",
    })
    void wideHeaders(String resource, String header) throws Exception {
        Result r = kubectl(null, "get", resource, "-o", "wide");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines().findFirst().orElse("").replaceAll("\\s+", " ")).isEqualTo(header.replaceAll("\\s+", " "));
    }
}
