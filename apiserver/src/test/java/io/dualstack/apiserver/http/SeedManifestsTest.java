package io.dualstack.apiserver.http;

import io.dualstack.apiserver.testing.TestApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code kubectl apply -f} of every API manifest the seed documents contain (extracted to
 * src/test/resources/seeds, flattened ones re-indented). Each file goes to its own namespace
 * unless it names one; {@code *.invalid.yaml} are invalid upstream and must fail with upstream's error.
 */
class SeedManifestsTest {
    static TestApiServer api;
    static Kubectl k;

    @BeforeAll
    static void up() throws IOException {
        assumeTrue(Kubectl.available(), "kubectl not installed at /usr/bin/kubectl");
        api = TestApiServer.start();
        k = new Kubectl(api.kubeconfigPath());
        assertThat(k.run("create", "namespace", "production", "--dry-run=client", "-o", "yaml").exit()).isZero();
        k.runWithInput("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: production\n", "apply", "-f", "-");
    }

    @AfterAll
    static void down() {
        if (api != null) api.close();
    }

    static Stream<String> manifests() throws IOException, URISyntaxException {
        Path dir = Path.of(Objects.requireNonNull(SeedManifestsTest.class.getResource("/seeds")).toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifests")
    void applies(String file) throws Exception {
        Path p = Path.of(Objects.requireNonNull(SeedManifestsTest.class.getResource("/seeds/" + file)).toURI());
        String ns = "seed-" + file.replaceAll("[^a-z0-9]", "-").replaceAll("-+", "-").replaceAll("-yaml$", "");
        ns = ns.length() > 63 ? ns.substring(0, 63).replaceAll("-$", "") : ns;
        boolean namesNamespace = Files.readString(p).lines().anyMatch(l -> l.startsWith("  namespace: "));
        Kubectl.Result r;
        if (namesNamespace) {
            r = k.run("apply", "-f", p.toString());
        } else {
            k.runWithInput("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n", "apply", "-f", "-");
            r = k.run("apply", "-n", ns, "-f", p.toString());
        }
        if (file.endsWith(".invalid.yaml")) {
            assertThat(r.exit()).isNotZero();
            assertThat(r.err()).contains("The NetworkPolicy \"allow-icmpv6\" is invalid")
                    .contains("spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"");
        } else {
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(r.out()).containsAnyOf("created", "configured", "unchanged");
        }
    }
}
