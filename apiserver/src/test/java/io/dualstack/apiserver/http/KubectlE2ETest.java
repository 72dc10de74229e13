package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real kubectl 1.32 against the server, through the fixture's kubeconfig. */
class KubectlE2ETest {
    static TestApiServer api;
    static Kubectl k;

    static final String BASE = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels: {app: web}
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: nginx
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: {app: web}
            spec:
              ipFamilyPolicy: PreferDualStack
              selector: {app: web}
              ports:
              - name: http
                port: 80
                targetPort: 80
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              labels: {app: web}
            data:
              key: value
            """;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Kubectl.available(), "kubectl not installed at /usr/bin/kubectl");
        api = TestApiServer.start();
        k = new Kubectl(api.kubeconfigPath());
        Kubectl.Result r = k.runWithInput(BASE, "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
    }

    @AfterAll
    static void down() {
        if (api != null) api.close();
    }

    static Stream<Arguments> outputs() {
        return Stream.of(
                Arguments.of("-o name prints kind.group/name", List.of("get", "deploy", "web", "-o", "name"), "deployment.apps/web"),
                Arguments.of("-o jsonpath reads both ipFamilies", List.of("get", "svc", "web", "-o", "jsonpath={.spec.ipFamilies}"), "[\"IPv4\",\"IPv6\"]"),
                Arguments.of("-o custom-columns", List.of("get", "svc", "web", "-o", "custom-columns=NAME:.metadata.name,POLICY:.spec.ipFamilyPolicy"), "PreferDualStack"),
                Arguments.of("-o go-template over a list", List.of("get", "cm", "-o", "go-template={{range .items}}{{.metadata.name}};{{end}}"), "settings;"),
                Arguments.of("-o yaml", List.of("get", "cm", "settings", "-o", "yaml"), "key: value"),
                Arguments.of("-o json", List.of("get", "cm", "settings", "-o", "json"), "\"kind\": \"ConfigMap\""),
                Arguments.of("server-side table: service columns with -o wide", List.of("get", "svc", "web", "-o", "wide"), "SELECTOR"),
                Arguments.of("server-side table: deployment columns", List.of("get", "deploy"), "UP-TO-DATE"),
                Arguments.of("-A adds the NAMESPACE column from row metadata", List.of("get", "svc", "-A"), "NAMESPACE"),
                Arguments.of("-l equality selector", List.of("get", "cm", "-l", "app=web", "-o", "name"), "configmap/settings"),
                Arguments.of("-l set selector", List.of("get", "cm", "-l", "app in (web,db)", "-o", "name"), "configmap/settings"),
                Arguments.of("-l notin selects nothing", List.of("get", "cm", "-l", "app notin (web)"), "No resources found in default namespace."),
                Arguments.of("-l exists selector", List.of("get", "svc", "-l", "app", "-o", "name"), "service/web"),
                Arguments.of("--field-selector metadata.name", List.of("get", "svc", "--field-selector", "metadata.name=web", "-o", "name"), "service/web"),
                Arguments.of("--field-selector unsupported field is a 400", List.of("get", "svc", "--field-selector", "spec.foo=x"), "field label not supported: spec.foo"),
                Arguments.of("--field-selector spec.type on services", List.of("get", "svc", "--field-selector", "spec.type=ClusterIP", "-o", "name"), "service/kubernetes"),
                Arguments.of("get of a missing object is NotFound", List.of("get", "svc", "nope"), "Error from server (NotFound): services \"nope\" not found"),
                Arguments.of("describe service", List.of("describe", "svc", "web"), "IP Families:"),
                Arguments.of("describe deployment", List.of("describe", "deploy", "web"), "Pod Template:"),
                Arguments.of("api-resources from aggregated discovery", List.of("api-resources"), "endpointslices"),
                Arguments.of("version", List.of("version"), "Server Version: v1.32"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputs")
    void output(String name, List<String> args, String expected) {
        Kubectl.Result r = k.run(args.toArray(String[]::new));
        assertThat(r.all()).contains(expected);
    }

    @Test
    void applyAgainIsUnchangedAndASpecChangeBumpsGeneration() {
        assertThat(k.runWithInput(BASE, "apply", "-f", "-").out()).contains("deployment.apps/web unchanged");
        String gen = k.run("get", "deploy", "web", "-o", "jsonpath={.metadata.generation}").out();
        Kubectl.Result r = k.runWithInput(BASE.replace("replicas: 2", "replicas: 3"), "apply", "-f", "-");
        assertThat(r.out()).contains("deployment.apps/web configured");
        assertThat(k.run("get", "deploy", "web", "-o", "jsonpath={.spec.replicas} {.metadata.generation}").out())
                .isEqualTo("3 " + (Long.parseLong(gen) + 1));
        k.runWithInput(BASE, "apply", "-f", "-");
    }

    @Test
    void serverSideApplyCreatesAndUpdates() {
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: \"1\"\n";
        assertThat(k.runWithInput(cm, "apply", "--server-side", "-f", "-").out()).contains("configmap/ssa serverside-applied");
        k.runWithInput(cm.replace("\"1\"", "\"2\"") + "  b: \"3\"\n", "apply", "--server-side", "-f", "-");
        assertThat(k.run("get", "cm", "ssa", "-o", "jsonpath={.data.a}{.data.b}").out()).isEqualTo("23");
        k.runWithInput(cm, "apply", "--server-side", "-f", "-");
        assertThat(k.run("get", "cm", "ssa", "-o", "jsonpath={.data}").out())
                .as("a field the manager stopped applying is removed").isEqualTo("{\"a\":\"1\"}");
        assertThat(k.run("get", "cm", "ssa", "-o", "jsonpath={.metadata.managedFields[0].manager} {.metadata.managedFields[0].operation}", "--show-managed-fields").out())
                .isEqualTo("kubectl Apply");
        k.run("delete", "cm", "ssa");
    }

    @Test
    void unknownFieldIsAStrictDecodingError() {
        String bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: b\nspec:\n  foo: 1\n";
        Kubectl.Result r = k.runWithInput(bad, "create", "-f", "-");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("strict decoding error: unknown field \"spec\"");
    }

    @Test
    void createReplaceDeleteFromFiles() {
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crd1\ndata:\n  a: b\n";
        assertThat(k.runWithInput(cm, "create", "-f", "-").out()).contains("configmap/crd1 created");
        Kubectl.Result again = k.runWithInput(cm, "create", "-f", "-");
        assertThat(again.err()).contains("Error from server (AlreadyExists)").contains("configmaps \"crd1\" already exists");
        assertThat(k.runWithInput(cm.replace("a: b", "a: c"), "replace", "-f", "-").out()).contains("configmap/crd1 replaced");
        assertThat(k.run("get", "cm", "crd1", "-o", "jsonpath={.data.a}").out()).isEqualTo("c");
        assertThat(k.run("delete", "cm", "crd1").out()).contains("configmap \"crd1\" deleted");
        assertThat(k.run("get", "cm", "crd1").err()).contains("NotFound");
    }

    static Stream<Arguments> patches() {
        return Stream.of(
                Arguments.of("strategic: containers merge by name, ports kept",
                        List.of("-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.28\"}]}}}}"),
                        "{.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}", "nginx:1.28 80"),
                Arguments.of("merge: replaces the containers list",
                        List.of("--type", "merge", "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c2\",\"image\":\"busybox\"}]}}}}"),
                        "{.spec.template.spec.containers[*].name}", "c2"),
                Arguments.of("json: replace one path",
                        List.of("--type", "json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]"),
                        "{.spec.replicas}", "4"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patches")
    void patchTypes(String name, List<String> patchArgs, String jsonpath, String expected) {
        String d = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: patched\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: p}\n"
                + "  template:\n    metadata:\n      labels: {app: p}\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n";
        k.run("delete", "deploy", "patched", "--ignore-not-found");
        assertThat(k.runWithInput(d, "create", "-f", "-").exit()).isZero();
        List<String> args = new ArrayList<>(List.of("patch", "deploy", "patched"));
        args.addAll(patchArgs);
        Kubectl.Result r = k.run(args.toArray(String[]::new));
        assertThat(r.out()).as(r.all()).contains("deployment.apps/patched patched");
        assertThat(k.run("get", "deploy", "patched", "-o", "jsonpath=" + jsonpath).out()).isEqualTo(expected);
        k.run("delete", "deploy", "patched");
    }

    @Test
    void labelAndAnnotate() {
        assertThat(k.run("label", "cm", "settings", "tier=front").out()).contains("configmap/settings labeled");
        assertThat(k.run("label", "cm", "settings", "tier=back").err()).contains("already has a value (front)");
        k.run("label", "cm", "settings", "tier=back", "--overwrite");
        assertThat(k.run("get", "cm", "-l", "tier=back", "-o", "name").out()).contains("configmap/settings");
        k.run("label", "cm", "settings", "tier-");
        assertThat(k.run("annotate", "cm", "settings", "note=hello").out()).contains("configmap/settings annotated");
        assertThat(k.run("get", "cm", "settings", "-o", "jsonpath={.metadata.annotations.note}").out()).isEqualTo("hello");
        assertThat(k.run("label", "cm", "settings", "bad key=x").err())
                .contains("The ConfigMap \"settings\" is invalid: metadata.labels: Invalid value: \"bad key\": name part must consist of");
    }

    @Test
    void waitForJsonpathAndForDelete() {
        assertThat(k.run("wait", "--for=jsonpath={.spec.type}=ClusterIP", "svc/web", "--timeout=30s").out()).contains("condition met");
        k.runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: doomed\n", "create", "-f", "-");
        CompletableFuture<Kubectl.Result> waiter = CompletableFuture.supplyAsync(() -> k.run("wait", "--for=delete", "cm/doomed", "--timeout=60s"));
        k.run("delete", "cm", "doomed", "--wait=false");
        Kubectl.Result r = waiter.join();
        assertThat(r.exit()).as(r.all()).isZero();
    }

    @Test
    void scaleUsesTheScaleSubresource() {
        assertThat(k.run("scale", "deploy", "web", "--replicas=5").out()).contains("deployment.apps/web scaled");
        assertThat(k.run("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").out()).isEqualTo("5");
        k.run("scale", "deploy", "web", "--replicas=2");
    }

    @Test
    void watchPrintsNewObjects() throws Exception {
        Process p = k.start("get", "cm", "-w", "-o", "name", "--request-timeout=60s");
        try {
            BufferedReader rd = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    while ((line = rd.readLine()) != null) if (line.contains("configmap/watched")) return true;
                    return false;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(rd != null).isTrue();
            // the watch prints the existing objects first; create one while it runs
            Thread.sleep(1000);
            k.runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n", "create", "-f", "-");
            assertThat(seen.get(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
            k.run("delete", "cm", "watched", "--ignore-not-found");
        }
    }

    static Stream<Arguments> generators() {
        return Stream.of(
                Arguments.of("create namespace", List.of("create", "namespace", "gen-ns"), List.of("get", "ns", "gen-ns", "-o", "jsonpath={.status.phase}"), "Active"),
                Arguments.of("create configmap --from-literal", List.of("create", "configmap", "gen-cm", "--from-literal=a=b", "--from-literal=c=d"),
                        List.of("get", "cm", "gen-cm", "-o", "jsonpath={.data.a}{.data.c}"), "bd"),
                Arguments.of("create deployment --image --port --replicas", List.of("create", "deployment", "gen-dep", "--image=nginx:1.27", "--port=8080", "--replicas=3"),
                        List.of("get", "deploy", "gen-dep", "-o", "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}"),
                        "3 gen-dep nginx:1.27 8080"),
                Arguments.of("create service clusterip --tcp", List.of("create", "service", "clusterip", "gen-svc", "--tcp=80:8080"),
                        List.of("get", "svc", "gen-svc", "-o", "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app}"), "80 8080 gen-svc"));
    }

    @ParameterizedTest(name = "{0} (protobuf request body)")
    @MethodSource("generators")
    void createGeneratorsSendProtobuf(String name, List<String> create, List<String> check, String expected) {
        Kubectl.Result r = k.run(create.toArray(String[]::new));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(k.run(check.toArray(String[]::new)).out()).isEqualTo(expected);
    }

    @Test
    void describeShowsTheObjectsEvents() {
        String uid = k.run("get", "svc", "web", "-o", "jsonpath={.metadata.uid}").out();
        String ev = "apiVersion: v1\nkind: Event\nmetadata:\n  name: web.test\ninvolvedObject:\n  apiVersion: v1\n  kind: Service\n"
                + "  name: web\n  namespace: default\n  uid: " + uid + "\nreason: Testing\nmessage: hello from the test\ntype: Normal\n"
                + "source:\n  component: test\ncount: 1\nfirstTimestamp: \"2026-01-01T00:00:00Z\"\nlastTimestamp: \"2026-01-01T00:00:00Z\"\n";
        assertThat(k.runWithInput(ev, "create", "-f", "-").exit()).isZero();
        assertThat(k.run("describe", "svc", "web").out()).contains("Testing").contains("hello from the test");
        assertThat(k.run("get", "events", "--field-selector", "involvedObject.name=web", "-o", "name").out()).contains("event/web.test");
    }

    @Test
    void staleReplaceIsAConflict() {
        k.runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: racy\ndata:\n  a: \"1\"\n", "create", "-f", "-");
        String rv = k.run("get", "cm", "racy", "-o", "jsonpath={.metadata.resourceVersion}").out();
        k.run("patch", "cm", "racy", "-p", "{\"data\":{\"a\":\"2\"}}");
        String stale = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: racy\n  resourceVersion: \"" + rv + "\"\ndata:\n  a: \"3\"\n";
        Kubectl.Result r = k.runWithInput(stale, "replace", "-f", "-");
        assertThat(r.err()).contains("Error from server (Conflict)")
                .contains("the object has been modified; please apply your changes to the latest version and try again");
        k.run("delete", "cm", "racy");
    }

    @Test
    void terminatingNamespaceRefusesNewContentAndMissingNamespaceIsNotFound() {
        k.runWithInput("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed-ns\n", "create", "-f", "-");
        assertThat(k.run("delete", "ns", "doomed-ns", "--wait=false").out()).contains("namespace \"doomed-ns\" deleted");
        assertThat(k.run("get", "ns", "doomed-ns", "-o", "jsonpath={.status.phase}").out()).isEqualTo("Terminating");
        Kubectl.Result r = k.runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: late\n", "create", "-n", "doomed-ns", "-f", "-");
        assertThat(r.err()).contains("Error from server (Forbidden)")
                .contains("unable to create new content in namespace doomed-ns because it is being terminated");
        Kubectl.Result missing = k.runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "create", "-n", "nope", "-f", "-");
        assertThat(missing.err()).contains("namespaces \"nope\" not found");
    }

    @Test
    void invalidNameIsUnprocessableWithUpstreamMessage() {
        Kubectl.Result r = k.runWithInput("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n", "create", "-f", "-");
        assertThat(r.err()).contains("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of");
    }
}
