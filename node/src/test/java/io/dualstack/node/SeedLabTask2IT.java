package io.dualstack.node;

import io.dualstack.apiserver.testing.TestApiServer;
import io.dualstack.controllers.ControllerManager;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed lab's Tasks 1 and 2 with the real kubectl against a cluster shaped like the lab's kind
 * config (one control-plane, one worker, podSubnet 10.244.0.0/16 + fd00:10:244::/56): node
 * podCIDRs in both families, the web-dual Deployment applied verbatim, {@code kubectl rollout
 * status} completing, two podIPs per pod (IPv4 first), then {@code kubectl delete deployment}
 * removing the pods.
 */
@EnabledIf("kubectlInstalled")
class SeedLabTask2IT {
    static final String KUBECTL = "/usr/bin/kubectl";

    static boolean kubectlInstalled() {
        return Files.isExecutable(Path.of(KUBECTL));
    }

    static final String WEB_DUAL = """
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

    record Run(int exit, String out) {}

    static Run kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL, "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    void webDualDeploymentRollsOutWithTwoPodIpsPerPod() throws Exception {
        ClusterPlan base = TestApiServer.defaultPlan();
        ClusterPlan plan = new ClusterPlan(base.serviceCidrs(), base.clusterCidrs(), 24, 64, base.nodeNetworks(),
                List.of(new ClusterPlan.NodePlan("dualstack-dojo-control-plane", ClusterPlan.Role.CONTROL_PLANE, List.of()),
                        new ClusterPlan.NodePlan("dualstack-dojo-worker", ClusterPlan.Role.WORKER, List.of())),
                base.kubeProxyClusterCidrs(), base.kubeProxyMode(), base.nodePortRange(), base.clusterDomain());
        try (TestApiServer api = TestApiServer.start(plan);
             KubernetesClient client = NodeAgentsIT.httpWatchClient(api);
             NodeAgents agents = new NodeAgents(client, plan);
             ControllerManager cm = new ControllerManager(client, plan)) {
            agents.start();
            cm.start();
            Path kc = api.kubeconfigPath();

            // Task 1: every node has an IPv4 and an IPv6 pod CIDR.
            String task1 = NodeAgentsIT.await(() -> {
                try {
                    Run r = kubectl(kc, "get", "nodes", "-o",
                            "go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{range .spec.podCIDRs}}{{printf \" %s\\n\" .}}{{end}}{{end}}");
                    return r.exit() == 0 ? r.out() : null;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, out -> Pattern.compile("^ fd00:10:244:", Pattern.MULTILINE).matcher(out).results().count() == 2, "podCIDRs on both nodes");
            assertThat(Pattern.compile("^ 10\\.244\\.\\d+\\.0/24$", Pattern.MULTILINE).matcher(task1).results().count()).isEqualTo(2);

            // Task 2.
            Path yaml = api.stateDir().resolve("web-dual-deployment.yaml");
            Files.writeString(yaml, WEB_DUAL);
            Run apply = kubectl(kc, "apply", "-f", yaml.toString());
            assertThat(apply.out()).contains("deployment.apps/web-dual created");
            assertThat(apply.exit()).isZero();
            Run rollout = kubectl(kc, "rollout", "status", "deployment/web-dual", "--timeout=150s");
            assertThat(rollout.out()).contains("deployment \"web-dual\" successfully rolled out");
            assertThat(rollout.exit()).isZero();
            Run ips = kubectl(kc, "get", "pods", "-l", "app=web-dual", "-o",
                    "go-template={{range .items}}{{.metadata.name}}{{\"\\n\"}}{{range .status.podIPs}}{{printf \" %s\\n\" .ip}}{{end}}{{end}}");
            assertThat(ips.exit()).isZero();
            Matcher m = Pattern.compile("^(web-dual-[a-z0-9]+-[a-z0-9]+)\\n (10\\.244\\.\\d+\\.\\d+)\\n (fd00:10:244:[0-9a-f:]+)$", Pattern.MULTILINE)
                    .matcher(ips.out());
            int pods = 0;
            while (m.find()) pods++;
            assertThat(pods).as("two pods, each with an IPv4 then an IPv6 podIP:%n%s", ips.out()).isEqualTo(2);

            // Beyond the lab: scale, and readiness driven by the annotation.
            Run scale = kubectl(kc, "scale", "deployment/web-dual", "--replicas=3");
            assertThat(scale.out()).contains("deployment.apps/web-dual scaled");
            Run rollout3 = kubectl(kc, "rollout", "status", "deployment/web-dual", "--timeout=150s");
            assertThat(rollout3.exit()).as(rollout3.out()).isZero();
            Run names = kubectl(kc, "get", "pods", "-l", "app=web-dual", "-o", "jsonpath={.items[*].metadata.name}");
            List<String> podNames = List.of(names.out().trim().split(" "));
            assertThat(podNames).hasSize(3);
            Run annotate = kubectl(kc, "annotate", "pod", podNames.get(0), PodStatuses.READY_ANNOTATION + "=false");
            assertThat(annotate.exit()).as(annotate.out()).isZero();
            NodeAgentsIT.await(() -> {
                try {
                    return kubectl(kc, "get", "pod", podNames.get(0), "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").out();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, out -> out.equals("False"), "pod not ready after annotation");
            Run dep = kubectl(kc, "get", "deployment", "web-dual", "-o", "jsonpath={.status.readyReplicas}/{.status.replicas}");
            NodeAgentsIT.await(() -> {
                try {
                    return kubectl(kc, "get", "deployment", "web-dual", "-o", "jsonpath={.status.readyReplicas}/{.status.replicas}").out();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, out -> out.equals("2/3"), "deployment readyReplicas 2/3 (was " + dep.out() + ")");

            // Rolling update and rollback with kubectl.
            Run setImage = kubectl(kc, "set", "image", "deployment/web-dual", "nginx=nginx:1.28-alpine");
            assertThat(setImage.exit()).as(setImage.out()).isZero();
            Run rollout4 = kubectl(kc, "rollout", "status", "deployment/web-dual", "--timeout=150s");
            assertThat(rollout4.exit()).as(rollout4.out()).isZero();
            Run history = kubectl(kc, "rollout", "history", "deployment/web-dual");
            assertThat(history.out()).as(history.out()).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
            Run undo = kubectl(kc, "rollout", "undo", "deployment/web-dual");
            assertThat(undo.out()).contains("deployment.apps/web-dual rolled back");
            Run rollout5 = kubectl(kc, "rollout", "status", "deployment/web-dual", "--timeout=150s");
            assertThat(rollout5.exit()).as(rollout5.out()).isZero();
            NodeAgentsIT.await(() -> {
                try {
                    return kubectl(kc, "get", "pods", "-l", "app=web-dual", "-o", "jsonpath={.items[*].spec.containers[0].image}").out();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, out -> !out.isBlank() && java.util.Arrays.stream(out.trim().split(" ")).allMatch("nginx:1.27-alpine"::equals)
                    && out.trim().split(" ").length == 3, "pods back on nginx:1.27-alpine");

            Run delete = kubectl(kc, "delete", "deployment", "web-dual");
            assertThat(delete.out()).contains("deployment.apps \"web-dual\" deleted");
            NodeAgentsIT.await(() -> client.pods().inNamespace("default").withLabel("app", "web-dual").list().getItems().isEmpty()
                    && client.apps().replicaSets().inNamespace("default").list().getItems().isEmpty() ? Boolean.TRUE : null, x -> true,
                    "web-dual pods and ReplicaSet collected");
        }
    }
}
