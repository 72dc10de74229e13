package io.dualstack.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed lab (shared/seeds/001_*.txt, "Hands-On Exercise") run verbatim with the real kubectl
 * against a cluster that {@code dualstack up --config examples/kind-dualstack.yaml} starts in the
 * background: Tasks 1, 2, 3, 4 and 6, plus the DNS half of Task 5 (dig A and AAAA against the
 * cluster DNS from the host; {@code kubectl exec} into a client pod needs the netns data plane,
 * a later issue). Each test asserts what the lab's solution notes say.
 */
@EnabledIf("toolsInstalled")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedLabIT {
    static final String KUBECTL = "/usr/bin/kubectl";
    static final String DIG = "/usr/bin/dig";
    static final String NAME = "seedlab";
    static final IPAddress POD_V4 = cidr("10.244.0.0/16");
    static final IPAddress POD_V6 = cidr("fd00:10:244::/56");
    static final IPAddress SVC_V4 = cidr("10.96.0.0/16");
    static final IPAddress SVC_V6 = cidr("fd00:10:96::/112");

    static Path tmp;
    static Path kubeconfig;

    static boolean toolsInstalled() {
        return Files.isExecutable(Path.of(KUBECTL));
    }

    static IPAddress cidr(String s) {
        return new IPAddressString(s).getAddress().toPrefixBlock();
    }

    static boolean in(IPAddress range, String ip) {
        return range.contains(new IPAddressString(ip.trim()).getAddress());
    }

    record Run(int code, String out) {}

    static Run dualstack(String... args) {
        StringWriter out = new StringWriter();
        int code = new picocli.CommandLine(new Main()).setOut(new PrintWriter(out)).setErr(new PrintWriter(out)).execute(args);
        return new Run(code, out.toString());
    }

    static Run run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    /** kubectl with the lab's arguments; the context comes from the kubeconfig {@code up} merged into. */
    static String kubectl(String... args) throws Exception {
        return kubectlIn(null, args);
    }

    static String kubectlIn(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", tmp.resolve("kcache").toString(), "--request-timeout", "60s"));
        cmd.addAll(Arrays.asList(args));
        Run r = run(cmd, stdin);
        assertThat(r.code()).as("kubectl %s\n%s", String.join(" ", args), r.out()).isZero();
        return r.out();
    }

    /** Polls a kubectl command until its output satisfies {@code ok} (controllers converge asynchronously). */
    static String eventually(Predicate<String> ok, String... args) throws Exception {
        String last = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            last = kubectl(args);
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("kubectl " + String.join(" ", args) + " never converged; last output:\n" + last);
    }

    /** Parses the lab's go-template output: a name line followed by indented value lines. */
    static Map<String, List<String>> grouped(String text) {
        Map<String, List<String>> out = new TreeMap<>();
        String current = null;
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            if (!line.startsWith(" ")) {
                current = line.trim();
                out.put(current, new ArrayList<>());
            } else if (current != null) {
                out.get(current).add(line.trim());
            }
        }
        return out;
    }

    @BeforeAll
    static void up() throws Exception {
        tmp = Files.createTempDirectory("seedlab");
        kubeconfig = tmp.resolve("kube").resolve("config");
        Files.createDirectories(kubeconfig.getParent());
        System.setProperty("dualstack.home", tmp.resolve("home").toString());
        System.setProperty("dualstack.kubeconfig", kubeconfig.toString());
        Path config = Path.of("..", "examples", "kind-dualstack.yaml").toAbsolutePath().normalize();
        Run up = dualstack("up", "--name", NAME, "--config", config.toString());
        assertThat(up.code()).as(up.out()).isZero();
    }

    @AfterAll
    static void down() {
        Run down = dualstack("down", "--name", NAME);
        System.clearProperty("dualstack.home");
        System.clearProperty("dualstack.kubeconfig");
        assertThat(down.code()).as(down.out()).isZero();
    }

    @Test
    @Order(1)
    void task1NodesHavePodCidrsFromBothFamilies() throws Exception {
        String wide = kubectl("get", "nodes", "-o", "wide");
        assertThat(wide).contains("dualstack-dojo-control-plane").contains("dualstack-dojo-worker").contains("Ready");

        String cidrs = eventually(s -> grouped(s).size() == 2 && grouped(s).values().stream().allMatch(l -> l.size() == 2),
                "get", "nodes", "-o",
                "go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{range .spec.podCIDRs}}{{printf \" %s\\n\" .}}{{end}}{{end}}");
        // Solution notes: one IPv4 CIDR from 10.244.0.0/16 and one IPv6 CIDR from fd00:10:244::/56 per node, IPv4 first.
        grouped(cidrs).forEach((node, list) -> {
            assertThat(in(POD_V4, list.get(0).replaceAll("/.*", ""))).as(node + " " + list).isTrue();
            assertThat(list.get(0)).endsWith("/24");
            assertThat(in(POD_V6, list.get(1).replaceAll("/.*", ""))).as(node + " " + list).isTrue();
            assertThat(list.get(1)).endsWith("/64");
        });
    }

    static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web-dual
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web-dual
              template:
                metadata:
                  labels:
                    app: web-dual
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.27-alpine
                    ports:
                    - containerPort: 80
            """;

    static Map<String, List<String>> podIps;

    @Test
    @Order(2)
    void task2EachPodReportsTwoPodIps() throws Exception {
        kubectlIn(DEPLOYMENT, "apply", "-f", "-");
        assertThat(kubectl("rollout", "status", "deployment/web-dual", "--timeout=120s")).contains("successfully rolled out");
        String ips = eventually(s -> grouped(s).size() == 2 && grouped(s).values().stream().allMatch(l -> l.size() == 2),
                "get", "pods", "-l", "app=web-dual", "-o",
                "go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{range .status.podIPs}}{{printf \" %s\\n\" .ip}}{{end}}{{end}}");
        podIps = grouped(ips);
        podIps.forEach((pod, list) -> {
            assertThat(pod).startsWith("web-dual-");
            assertThat(in(POD_V4, list.get(0))).as(pod + " " + list).isTrue();
            assertThat(in(POD_V6, list.get(1))).as(pod + " " + list).isTrue();
        });
    }

    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web-dual
            spec:
              type: ClusterIP
              ipFamilyPolicy: RequireDualStack
              ipFamilies:
                - IPv4
                - IPv6
              selector:
                app: web-dual
              ports:
                - name: http
                  port: 80
                  targetPort: 80
            """;

    static String v4ClusterIp;
    static String v6ClusterIp;

    @Test
    @Order(3)
    void task3RequireDualStackServiceGetsTwoClusterIps() throws Exception {
        kubectlIn(SERVICE, "apply", "-f", "-");
        String yaml = kubectl("get", "service", "web-dual", "-o", "yaml");
        assertThat(yaml).contains("ipFamilyPolicy: RequireDualStack");
        String line = kubectl("get", "service", "web-dual", "-o",
                "jsonpath={.spec.ipFamilyPolicy}{\" \"}{.spec.ipFamilies}{\" \"}{.spec.clusterIPs}{\"\\n\"}").trim();
        String[] parts = line.split(" ", 3);
        assertThat(parts[0]).isEqualTo("RequireDualStack");
        assertThat(parts[1]).isEqualTo("[\"IPv4\",\"IPv6\"]");
        JsonNode ips = new ObjectMapper().readTree(parts[2]);
        assertThat(ips).hasSize(2);
        v4ClusterIp = ips.get(0).asText();
        v6ClusterIp = ips.get(1).asText();
        assertThat(in(SVC_V4, v4ClusterIp)).as(line).isTrue();
        assertThat(in(SVC_V6, v6ClusterIp)).as(line).isTrue();
        assertThat(kubectl("get", "service", "web-dual", "-o", "jsonpath={.spec.clusterIPs[0]}")).isEqualTo(v4ClusterIp);
        assertThat(kubectl("get", "service", "web-dual", "-o", "jsonpath={.spec.clusterIPs[1]}")).isEqualTo(v6ClusterIp);
    }

    @Test
    @Order(4)
    void task4EndpointSlicesSplitByFamilyWithThePodAddresses() throws Exception {
        String[] args = {"get", "endpointslices", "-l", "kubernetes.io/service-name=web-dual", "-o",
                "custom-columns=NAME:.metadata.name,TYPE:.addressType,READY:.endpoints[*].conditions.ready,ADDRS:.endpoints[*].addresses"};
        String table = eventually(s -> s.lines().filter(l -> l.contains("true,true")).count() == 2, args);
        List<String> v4Pods = podIps.values().stream().map(l -> l.get(0)).sorted().toList();
        List<String> v6Pods = podIps.values().stream().map(l -> l.get(1)).sorted().toList();
        List<String> rows = table.lines().skip(1).toList();
        assertThat(rows).hasSize(2);
        for (String row : rows) {
            String[] cols = row.trim().split("\\s+");
            assertThat(cols[0]).startsWith("web-dual-");
            List<String> addrs = Arrays.stream(cols[3].replaceAll("[\\[\\]]", "").split(",")).sorted().toList();
            if (cols[1].equals("IPv4")) {
                assertThat(addrs).as(row).isEqualTo(v4Pods);
            } else {
                assertThat(cols[1]).isEqualTo("IPv6");
                assertThat(addrs).as(row).isEqualTo(v6Pods);
            }
        }
        assertThat(rows.stream().map(r -> r.trim().split("\\s+")[1]).sorted()).containsExactly("IPv4", "IPv6");
    }

    @Test
    @Order(5)
    void task5DnsAnswersAWithTheIpv4AndAaaaWithTheIpv6ClusterIp() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(DIG)), "dig (dnsutils) is not installed");
        JsonNode status = new ObjectMapper().readTree(dualstack("status", "--name", NAME, "-o", "json").out());
        String dns = status.get("dns").get(0).asText(); // 127.0.0.1:PORT
        String host = dns.substring(0, dns.lastIndexOf(':'));
        String port = dns.substring(dns.lastIndexOf(':') + 1);
        String a = run(List.of(DIG, "@" + host, "-p", port, "+short", "A", "web-dual.default.svc.cluster.local"), null).out().trim();
        String aaaa = run(List.of(DIG, "@" + host, "-p", port, "+short", "AAAA", "web-dual.default.svc.cluster.local"), null).out().trim();
        assertThat(a).isEqualTo(v4ClusterIp);
        assertThat(new IPAddressString(aaaa).getAddress()).isEqualTo(new IPAddressString(v6ClusterIp).getAddress());
    }

    static final String COMPARE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web-single-v6
            spec:
              type: ClusterIP
              ipFamilyPolicy: SingleStack
              ipFamilies:
                - IPv6
              selector:
                app: web-dual
              ports:
                - name: http
                  port: 80
                  targetPort: 80
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web-prefer
            spec:
              type: ClusterIP
              ipFamilyPolicy: PreferDualStack
              ipFamilies:
                - IPv4
                - IPv6
              selector:
                app: web-dual
              ports:
                - name: http
                  port: 80
                  targetPort: 80
            """;

    @Test
    @Order(6)
    void task6PolicyModesAllocateAsTheSolutionNotesSay() throws Exception {
        kubectlIn(COMPARE, "apply", "-f", "-");
        String table = kubectl("get", "service", "web-single-v6", "web-prefer", "-o",
                "custom-columns=NAME:.metadata.name,POLICY:.spec.ipFamilyPolicy,FAMILIES:.spec.ipFamilies,IPS:.spec.clusterIPs");
        // custom-columns prints lists the Go way: "[IPv4 IPv6]", "[10.96.0.10 fd00:10:96::a]".
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^(\\S+)\\s+(\\S+)\\s+\\[([^\\]]*)\\]\\s+\\[([^\\]]*)\\]\\s*$");
        Map<String, List<List<String>>> rows = new TreeMap<>();
        table.lines().skip(1).forEach(l -> {
            var m = row.matcher(l.trim());
            assertThat(m.matches()).as(l).isTrue();
            rows.put(m.group(1), List.of(List.of(m.group(2)), List.of(m.group(3).split("[ ,]+")), List.of(m.group(4).split("[ ,]+"))));
        });
        var single = rows.get("web-single-v6");
        assertThat(single.get(0)).containsExactly("SingleStack");
        assertThat(single.get(1)).containsExactly("IPv6");
        assertThat(single.get(2)).hasSize(1);
        assertThat(in(SVC_V6, single.get(2).get(0))).isTrue();

        var prefer = rows.get("web-prefer");
        assertThat(prefer.get(0)).containsExactly("PreferDualStack");
        assertThat(prefer.get(1)).containsExactly("IPv4", "IPv6");
        assertThat(prefer.get(2)).hasSize(2);
        assertThat(in(SVC_V4, prefer.get(2).get(0))).isTrue();
        assertThat(in(SVC_V6, prefer.get(2).get(1))).isTrue();

        // The SingleStack IPv6 service gets only an IPv6 slice (EndpointSlices per family in ipFamilies).
        eventually(s -> s.contains("IPv6") && !s.contains("IPv4"), "get", "endpointslices",
                "-l", "kubernetes.io/service-name=web-single-v6", "-o", "custom-columns=TYPE:.addressType", "--no-headers");
    }

    @Test
    @Order(7)
    void cleanupRemovesServicesDeploymentAndPods() throws Exception {
        kubectl("delete", "service", "web-dual", "web-single-v6", "web-prefer");
        kubectl("delete", "deployment", "web-dual");
        eventually(s -> s.isBlank(), "get", "pods", "-l", "app=web-dual", "-o", "name");
        eventually(s -> s.isBlank(), "get", "endpointslices", "-l", "kubernetes.io/service-name=web-dual", "-o", "name");
    }
}
