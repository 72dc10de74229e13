package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * kubectl paths that read {@code /openapi/v2} as gnostic protobuf: client-side validation of a
 * {@code kind: List} (kubectl never asks v3 about {@code v1 List}) and the v2 fallback verifier for a
 * kind absent from {@code /openapi/v3}. Before the protobuf answer both printed
 * {@code proto: cannot parse invalid wire-format data}.
 */
class OpenApiV2KubectlTest {
    static TestApiServer api;
    static Kubectl k;

    static final String IPPOOL = """
            apiVersion: crd.projectcalico.org/v1
            kind: IPPool
            metadata:
              name: ipv6-ippool
            spec:
              cidr: 2001:db8::/48
              ipipMode: Never
              vxlanMode: Never
              natOutgoing: false
              nodeSelector: all()
            """;

    static final String CONFIGMAPS = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: listed-a
              labels: {app: listed}
            data:
              k: a
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: listed-b
              labels: {app: listed}
            data:
              k: b
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: listed-pod
              labels: {app: listed}
            spec:
              containers:
              - name: web
                image: nginx
                ports: [{containerPort: 80}]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: listed-svc
              labels: {app: listed}
            spec:
              ipFamilyPolicy: PreferDualStack
              selector: {app: listed}
              ports: [{port: 80}]
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: listed-deploy
              labels: {app: listed}
            spec:
              replicas: 1
              selector: {matchLabels: {app: listed-deploy}}
              template:
                metadata: {labels: {app: listed-deploy}}
                spec:
                  containers:
                  - name: web
                    image: nginx
            """;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Kubectl.available(), "kubectl not installed at /usr/bin/kubectl");
        api = TestApiServer.start();
        k = new Kubectl(api.kubeconfigPath());
        Kubectl.Result r = k.runWithInput(CONFIGMAPS, "apply", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
    }

    @AfterAll
    static void down() {
        if (api != null) api.close();
    }

    /** The {@code kind: List} kubectl prints for {@code get -o yaml} of the two ConfigMaps, with every {@code data.k} set to {@code value}. */
    private static String listedAsList(String value) {
        Kubectl.Result got = k.run("get", "cm", "-l", "app=listed", "-o", "yaml");
        assertThat(got.exit()).as(got.all()).isZero();
        assertThat(got.out()).contains("kind: List");
        String list = got.out().replaceAll("(?m)^    k: .*$", "    k: " + value);
        assertThat(list).contains("    k: " + value);
        return list;
    }

    static Stream<Arguments> replaceList() {
        return Stream.of(
                Arguments.of("replace -f of a List with default (strict) validation replaces every item", List.<String>of()),
                Arguments.of("replace -f of a List with --validate=true", List.of("--validate=true")),
                Arguments.of("replace -f of a List with --validate=warn", List.of("--validate=warn")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("replaceList")
    void replaceOfAListValidatesClientSideAndReplaces(String name, List<String> flags) {
        String value = "v" + Math.abs(name.hashCode());
        String[] args = Stream.concat(Stream.of("replace", "-f", "-"), flags.stream()).toArray(String[]::new);
        Kubectl.Result r = k.runWithInput(listedAsList(value), args);
        assertThat(r.all()).doesNotContain("proto:");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("configmap/listed-a replaced", "configmap/listed-b replaced");
        assertThat(k.run("get", "cm", "listed-a", "listed-b", "-o", "jsonpath={.items[*].data.k}").out()).isEqualTo(value + " " + value);
    }

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("get pod -o yaml | replace -f - (QA's issue 3 repro)", "pod", "pod/listed-pod replaced"),
                Arguments.of("get svc -o yaml | replace -f -", "svc", "service/listed-svc replaced"),
                Arguments.of("get deploy -o yaml | replace -f -", "deploy", "deployment.apps/listed-deploy replaced"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void roundTripOfAListPassesClientSideValidation(String name, String kind, String expected) {
        Kubectl.Result got = k.run("get", kind, "-l", "app=listed", "-o", "yaml");
        assertThat(got.out()).contains("kind: List");
        Kubectl.Result r = k.runWithInput(got.out(), "replace", "-f", "-");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains(expected);
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("unknown field in a List item is reported by kubectl's client-side v2 validation",
                        "\n  data:\n", "\n  bogus: 1\n  data:\n",
                        "ValidationError(ConfigMap): unknown field \"bogus\" in io.k8s.api.core.v1.ConfigMap"),
                Arguments.of("wrong type in a List item is reported by kubectl's client-side v2 validation",
                        "    k: unchanged", "    k: [1, 2]",
                        "ValidationError(ConfigMap.data.k): invalid type for io.k8s.api.core.v1.ConfigMap.data: got \"array\", expected \"string\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void invalidListItemIsRejectedBeforeAnyRequest(String name, String from, String to, String expected) {
        String before = k.run("get", "cm", "listed-a", "-o", "jsonpath={.metadata.resourceVersion}").out();
        String list = listedAsList("unchanged");
        String bad = list.replace(from, to);
        assertThat(bad).isNotEqualTo(list);
        Kubectl.Result r = k.runWithInput(bad, "replace", "-f", "-");
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err()).contains("error validating data: " + expected).doesNotContain("proto:");
        assertThat(k.run("get", "cm", "listed-a", "-o", "jsonpath={.metadata.resourceVersion}").out())
                .as("nothing was sent").isEqualTo(before);
    }

    static Stream<Arguments> unknownKinds() {
        return Stream.of(
                Arguments.of("apply of a Calico IPPool without its CRD", List.of("apply", "-f", "-")),
                Arguments.of("create of a Calico IPPool without its CRD", List.of("create", "-f", "-")),
                Arguments.of("apply --validate=false skips validation, same mapping error", List.of("apply", "--validate=false", "-f", "-")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unknownKinds")
    void unknownKindGivesUpstreamsNoMatchesError(String name, List<String> args) {
        Kubectl.Result r = k.runWithInput(IPPOOL, args.toArray(String[]::new));
        assertThat(r.exit()).as(r.all()).isNotZero();
        assertThat(r.err())
                .doesNotContain("proto:")
                .contains("no matches for kind \"IPPool\" in version \"crd.projectcalico.org/v1\"")
                .contains("ensure CRDs are installed first");
    }
}
