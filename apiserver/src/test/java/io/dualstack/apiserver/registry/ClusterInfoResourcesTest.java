package io.dualstack.apiserver.registry;

import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Named.named;

/**
 * The resources kube-apiserver always serves that {@code kubectl cluster-info dump}, {@code describe
 * node} and {@code auth can-i} need: serviceaccounts, replicationcontrollers, daemonsets,
 * statefulsets, leases, selfsubjectaccessreviews — with the real kubectl 1.32.
 */
class ClusterInfoResourcesTest {
    static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    static TestApiServer api;
    static Path cache;

    static final String OBJECTS = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: builder}
            ---
            apiVersion: v1
            kind: ReplicationController
            metadata: {name: legacy}
            spec:
              replicas: 2
              selector: {app: legacy}
              template:
                metadata: {labels: {app: legacy}}
                spec:
                  containers: [{name: web, image: nginx:1.27}]
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  nodeSelector: {kubernetes.io/os: linux}
                  containers: [{name: agent, image: busybox:1.36}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              replicas: 3
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers: [{name: pg, image: postgres:16}]
            ---
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: lock}
            spec: {holderIdentity: me, leaseDurationSeconds: 40}
            """;

    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run kubectl(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig=" + api.kubeconfigPath(), "--cache-dir=" + cache));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("kubectl-out", ".txt");
            Path err = Files.createTempFile("kubectl-err", ".txt");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (stdin != null) p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish");
                }
                return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void up() throws IOException {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl not installed at /usr/bin/kubectl");
        api = TestApiServer.start();
        cache = Files.createTempDirectory("kubectl-cache");
        Run r = kubectl(OBJECTS, "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
    }

    @AfterAll
    static void down() throws IOException {
        if (api != null) api.close();
        if (cache != null) {
            try (Stream<Path> s = Files.walk(cache)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Stream<Arguments> apiResources() {
        return Stream.of(
                Arguments.of(named("serviceaccounts: core/v1, short name sa", "serviceaccounts\\s+sa\\s+v1\\s+true\\s+ServiceAccount")),
                Arguments.of(named("replicationcontrollers: core/v1, short name rc", "replicationcontrollers\\s+rc\\s+v1\\s+true\\s+ReplicationController")),
                Arguments.of(named("daemonsets: apps/v1, short name ds", "daemonsets\\s+ds\\s+apps/v1\\s+true\\s+DaemonSet")),
                Arguments.of(named("statefulsets: apps/v1, short name sts", "statefulsets\\s+sts\\s+apps/v1\\s+true\\s+StatefulSet")),
                Arguments.of(named("leases: coordination.k8s.io/v1, no short name", "leases\\s+coordination.k8s.io/v1\\s+true\\s+Lease")),
                Arguments.of(named("selfsubjectaccessreviews: authorization.k8s.io/v1, cluster-scoped, create only",
                        "selfsubjectaccessreviews\\s+authorization.k8s.io/v1\\s+false\\s+SelfSubjectAccessReview\\s+create\\s*$")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiResources")
    void apiResourcesListsIt(String row) {
        Run r = kubectl(null, "api-resources", "-o", "wide");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out().lines()).anyMatch(l -> l.strip().matches(row + (row.endsWith("$") ? "" : ".*")));
    }

    static Stream<Arguments> tables() {
        return Stream.of(
                Arguments.of(named("sa: NAME SECRETS AGE (printers.go serviceAccountColumnDefinitions)", "sa"),
                        "NAME\\s+SECRETS\\s+AGE", "builder\\s+0\\s+\\S+"),
                Arguments.of(named("rc: NAME DESIRED CURRENT READY AGE, wide adds CONTAINERS IMAGES SELECTOR (map selector)", "rc"),
                        "NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+AGE\\s+CONTAINERS\\s+IMAGES\\s+SELECTOR", "legacy\\s+2\\s+0\\s+0\\s+\\S+\\s+web\\s+nginx:1.27\\s+app=legacy"),
                Arguments.of(named("ds: DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR", "ds"),
                        "NAME\\s+DESIRED\\s+CURRENT\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+NODE SELECTOR\\s+AGE\\s+CONTAINERS\\s+IMAGES\\s+SELECTOR",
                        "agent\\s+0\\s+0\\s+0\\s+0\\s+0\\s+kubernetes.io/os=linux\\s+\\S+\\s+agent\\s+busybox:1.36\\s+app=agent"),
                Arguments.of(named("sts: READY is ready/desired", "sts"),
                        "NAME\\s+READY\\s+AGE\\s+CONTAINERS\\s+IMAGES", "db\\s+0/3\\s+\\S+\\s+pg\\s+postgres:16"),
                Arguments.of(named("leases: HOLDER is spec.holderIdentity", "leases"), "NAME\\s+HOLDER\\s+AGE", "lock\\s+me\\s+\\S+"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tables")
    void getPrintsUpstreamColumns(String resource, String header, String row) {
        Run r = kubectl(null, "get", resource, "-o", "wide");
        assertThat(r.exit()).as(r.all()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches(header + "\\s*");
        assertThat(lines).anyMatch(l -> l.matches(row + "\\s*"));
    }

    static Stream<Arguments> scales() {
        return Stream.of(
                Arguments.of(named("statefulsets/scale moves spec.replicas", "statefulset.apps/scaled-sts"), """
                        apiVersion: apps/v1
                        kind: StatefulSet
                        metadata: {name: scaled-sts}
                        spec:
                          replicas: 1
                          serviceName: scaled-sts
                          selector: {matchLabels: {app: scaled-sts}}
                          template:
                            metadata: {labels: {app: scaled-sts}}
                            spec: {containers: [{name: c, image: busybox:1.36}]}
                        """),
                Arguments.of(named("replicationcontrollers/scale moves spec.replicas", "replicationcontroller/scaled-rc"), """
                        apiVersion: v1
                        kind: ReplicationController
                        metadata: {name: scaled-rc}
                        spec:
                          replicas: 1
                          selector: {app: scaled-rc}
                          template:
                            metadata: {labels: {app: scaled-rc}}
                            spec: {containers: [{name: c, image: busybox:1.36}]}
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scales")
    void scaleSubresourceSetsReplicas(String ref, String manifest) {
        assertThat(kubectl(manifest, "apply", "-f", "-").exit()).isZero();
        try {
            Run r = kubectl(null, "scale", ref, "--replicas=4");
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).contains(ref + " scaled");
            assertThat(kubectl(null, "get", ref, "-o", "jsonpath={.spec.replicas}").out()).isEqualTo("4");
        } finally {
            kubectl(null, "delete", ref);
        }
    }

    static Stream<Arguments> reviews() {
        return Stream.of(
                Arguments.of(named("resource attributes: allowed (single-user cluster, as system:masters upstream)",
                        "spec: {resourceAttributes: {namespace: default, verb: create, resource: pods}}"), 0, "true"),
                Arguments.of(named("non-resource attributes: allowed", "spec: {nonResourceAttributes: {path: /healthz, verb: get}}"), 0, "true"),
                Arguments.of(named("neither attribute set: 422 as upstream validation", "spec: {}"), 1,
                        "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reviews")
    void selfSubjectAccessReviewIsAnsweredNotStored(String spec, int exit, String expected) {
        Run r = kubectl("apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\n" + spec + "\n",
                "create", "-f", "-", "-o", "jsonpath={.status.allowed}");
        assertThat(r.exit()).as(r.all()).isEqualTo(exit);
        assertThat(r.all()).contains(expected);
    }

    @Test
    void authCanIAnswersYesForTheClusterUser() {
        Run r = kubectl(null, "auth", "can-i", "create", "pods");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out().strip()).isEqualTo("yes");
        Run ns = kubectl(null, "auth", "can-i", "delete", "nodes", "--all-namespaces");
        assertThat(ns.out().strip()).as(ns.all()).isEqualTo("yes");
    }

    @Test
    void reviewsAreNotStoredSoListingThemIsMethodNotAllowed() {
        Run r = kubectl(null, "get", "selfsubjectaccessreviews");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("the server does not allow this method on the requested resource");
    }

    @Test
    void clusterInfoDumpSucceeds() {
        Run r = kubectl(null, "cluster-info", "dump");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"kind\": \"ReplicationControllerList\"", "\"kind\": \"DaemonSetList\"",
                "\"name\": \"legacy\"", "\"name\": \"agent\"");
    }
}
