package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.testing.TestApiServer;
import io.dualstack.core.plan.ClusterPlan;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.IPAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Through the real API server (HTTPS, fabric8 client, and kubectl when installed). */
class ServiceHttpTest {
    static TestApiServer api;

    @BeforeAll
    static void start() {
        api = TestApiServer.start();
    }

    @AfterAll
    static void stop() {
        if (api != null) api.close();
    }

    static Service load(String yaml) {
        return api.client().getKubernetesSerialization().unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Service.class);
    }

    @Test
    void kubernetesServiceIsTheFirstAddressOfThePrimaryRange() {
        Service k = api.client().services().inNamespace("default").withName("kubernetes").get();
        assertThat(k.getSpec().getClusterIP()).isEqualTo("10.96.0.1");
        assertThat(api.client().network().v1().ipAddresses().withName("10.96.0.1").get()).isNotNull();
        assertThat(api.client().network().v1().serviceCIDRs().withName("kubernetes").get().getSpec().getCidrs())
                .containsExactly("10.96.0.0/16", "fd00:10:96::/112");
    }

    @Test
    void seedPreferDualStackManifestGetsBothFamiliesIpv4Primary() {
        KubernetesClient c = api.client();
        c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("production").endMetadata().build()).createOr(h -> h.update());
        Service svc = c.resource(load("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: my-service
                  namespace: production
                spec:
                  selector:
                    app: my-app
                  ports:
                    - port: 80
                      targetPort: 8080
                  ipFamilyPolicy: PreferDualStack
                  ipFamilies:
                    - IPv4
                    - IPv6
                """)).create();
        assertThat(svc.getSpec().getClusterIPs()).hasSize(2);
        assertThat(new IPAddressString(svc.getSpec().getClusterIP()).getAddress().isIPv4()).isTrue();
        assertThat(new IPAddressString(svc.getSpec().getClusterIPs().get(1)).getAddress().isIPv6()).isTrue();
        for (String ip : svc.getSpec().getClusterIPs()) {
            IPAddress obj = c.network().v1().ipAddresses().withName(ip).get();
            assertThat(obj.getSpec().getParentRef().getName()).isEqualTo("my-service");
            assertThat(obj.getSpec().getParentRef().getNamespace()).isEqualTo("production");
        }
        c.resource(svc).delete();
    }

    @Test
    void seedHeadlessWithoutPortsIsAccepted() {
        Service svc = api.client().resource(load("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: my-headless
                  namespace: default
                spec:
                  clusterIP: None
                  ipFamilyPolicy: RequireDualStack
                  ipFamilies:
                    - IPv4
                    - IPv6
                  selector:
                    app: my-app
                """)).create();
        assertThat(svc.getSpec().getClusterIPs()).containsExactly("None");
        assertThat(svc.getSpec().getIpFamilies()).containsExactly("IPv4", "IPv6");
        api.client().resource(svc).delete();
    }

    @Test
    void requireDualStackOnASingleStackClusterIsRefusedWith422() {
        ClusterPlan p = api.plan();
        ClusterPlan v4 = new ClusterPlan(List.of(p.serviceCidrs().get(0)), p.clusterCidrs(), p.nodeMaskIpv4(), p.nodeMaskIpv6(),
                p.nodeNetworks(), p.nodes(), p.kubeProxyClusterCidrs(), p.kubeProxyMode(), p.nodePortRange(), p.clusterDomain());
        try (TestApiServer single = TestApiServer.start(v4)) {
            Service svc = load("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web-dual, namespace: default}
                    spec:
                      ipFamilyPolicy: RequireDualStack
                      ipFamilies: [IPv4, IPv6]
                      selector: {app: web-dual}
                      ports: [{name: http, port: 80, targetPort: 80}]
                    """);
            assertThatThrownBy(() -> single.client().resource(svc).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getStatus().getDetails().getCauses()).extracting(cz -> cz.getField() + ": " + cz.getMessage()).containsExactly(
                                "spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services",
                                "spec.ipFamilies[1]: Invalid value: \"IPv6\": not configured on this cluster");
                    });
        }
    }

    @Test
    void loadBalancerGetsIngressPerFamilyAndAForeignClassTakesStatusViaSubresource() {
        KubernetesClient c = api.client();
        Service ours = c.resource(load("""
                apiVersion: v1
                kind: Service
                metadata: {name: my-nlb, namespace: default}
                spec:
                  type: LoadBalancer
                  ipFamilyPolicy: RequireDualStack
                  ipFamilies: [IPv4, IPv6]
                  ports: [{port: 443, targetPort: 8443}]
                  selector: {app: my-app}
                """)).create();
        assertThat(ours.getStatus().getLoadBalancer().getIngress()).hasSize(2)
                .allSatisfy(i -> assertThat(i.getIpMode()).isEqualTo("VIP"));
        assertThat(new IPAddressString(ours.getStatus().getLoadBalancer().getIngress().get(0).getIp()).getAddress().isIPv4()).isTrue();

        Service foreign = c.resource(load("""
                apiVersion: v1
                kind: Service
                metadata: {name: metal, namespace: default}
                spec:
                  type: LoadBalancer
                  loadBalancerClass: example.com/metal
                  ports: [{port: 80}]
                  selector: {app: my-app}
                """)).create();
        assertThat(foreign.getStatus().getLoadBalancer() == null || foreign.getStatus().getLoadBalancer().getIngress().isEmpty()).isTrue();
        foreign.getStatus().setLoadBalancer(new io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder()
                .addNewIngress().withIp("203.0.113.9").endIngress().build());
        Service updated = c.resource(foreign).updateStatus();
        assertThat(updated.getStatus().getLoadBalancer().getIngress()).singleElement()
                .satisfies(i -> assertThat(i.getIp()).isEqualTo("203.0.113.9"));
        c.resource(ours).delete();
        c.resource(updated).delete();
    }

    static boolean kubectlInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/kubectl"));
    }

    static String kubectl(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", api.kubeconfigPath().toString(),
                "--cache-dir", api.stateDir().resolve("kubectl-cache").toString(), "--request-timeout", "60s"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        Process proc = pb.start();
        if (stdin != null) proc.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        proc.getOutputStream().close();
        byte[] out = proc.getInputStream().readAllBytes();
        if (!proc.waitFor(120, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("kubectl did not finish");
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (proc.exitValue() != 0) throw new AssertionError("kubectl " + String.join(" ", args) + " failed: " + s);
        return s;
    }

    @Test
    @EnabledIf("kubectlInstalled")
    void kubectlPatchSingleStackToPreferDualStackAllocatesTheSecondFamily() throws Exception {
        kubectl("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: runbook2
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """, "apply", "--validate=false", "-f", "-");
        assertThat(kubectl(null, "get", "svc", "runbook2", "-o", "jsonpath={.spec.ipFamilyPolicy} {.spec.ipFamilies}"))
                .isEqualTo("SingleStack [\"IPv4\"]");
        kubectl(null, "patch", "svc", "runbook2", "-p", "{\"spec\":{\"ipFamilyPolicy\":\"PreferDualStack\"}}");
        String out = kubectl(null, "get", "svc", "runbook2", "-o", "jsonpath={.spec.ipFamilyPolicy} {.spec.ipFamilies} {.spec.clusterIPs}");
        assertThat(out).startsWith("PreferDualStack [\"IPv4\",\"IPv6\"] [\"10.96.").contains("\"fd00:10:96::");
        kubectl(null, "delete", "svc", "runbook2");
    }

    @Test
    void concurrentCreatesAndDeletesOverHttpHoldNothingTwice() throws Exception {
        int threads = 3, per = 25;
        api.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("stress").endMetadata().build()).createOr(h -> h.update());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<List<String>>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            fs.add(pool.submit(() -> {
                KubernetesClient c = api.newClient();
                List<String> kept = new ArrayList<>();
                for (int i = 0; i < per; i++) {
                    String name = "h" + id + "-" + i;
                    String policy = i % 3 == 0 ? "SingleStack" : i % 3 == 1 ? "PreferDualStack" : "RequireDualStack";
                    String type = i % 2 == 0 ? "ClusterIP" : "NodePort";
                    c.resource(load("{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"" + name
                            + "\", \"namespace\": \"stress\"}, \"spec\": {\"type\": \"" + type + "\", \"ipFamilyPolicy\": \"" + policy
                            + "\", \"selector\": {\"app\": \"x\"}, \"ports\": [{\"port\": 80}]}}")).create();
                    if (i % 4 == 3) c.services().inNamespace("stress").withName(name).delete();
                    else kept.add(name);
                }
                return kept;
            }));
        }
        Set<String> expected = new HashSet<>();
        for (Future<List<String>> f : fs) expected.addAll(f.get(5, TimeUnit.MINUTES));
        pool.shutdown();
        List<Service> svcs = api.client().services().inNamespace("stress").list().getItems();
        assertThat(svcs).extracting(s -> s.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(expected);
        Set<String> ips = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (Service s : api.client().services().inAnyNamespace().list().getItems()) {
            if (ServiceValidation.isHeadless(s) || "ExternalName".equals(s.getSpec().getType())) continue;
            for (String ip : s.getSpec().getClusterIPs()) assertThat(ips.add(ip)).as("IP %s twice", ip).isTrue();
            for (ServicePort p : s.getSpec().getPorts()) if (p.getNodePort() != null) assertThat(ports.add(p.getNodePort())).isTrue();
        }
        Set<String> objects = new HashSet<>();
        api.client().network().v1().ipAddresses().list().getItems().forEach(o -> objects.add(o.getMetadata().getName()));
        assertThat(objects).as("one IPAddress per ClusterIP, none leaked").isEqualTo(ips);
    }
}
