package io.dualstack.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class KubeconfigsTest {
    static final String OTHER = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster: {server: 'https://prod.example:6443', certificate-authority-data: QUJD}
            users:
            - name: alice
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: aws, args: [eks, get-token]}
            contexts:
            - name: prod
              context: {cluster: prod, user: alice, namespace: web}
            current-context: prod
            preferences: {colors: true}
            """;

    static ObjectNode ours(String name, String server) {
        return Kubeconfigs.parse("""
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster: {server: '%2$s', certificate-authority-data: WFla}
                users:
                - name: %1$s
                  user: {token: secret}
                contexts:
                - name: %1$s
                  context: {cluster: %1$s, user: %1$s, namespace: default}
                current-context: %1$s
                """.formatted(name, server));
    }

    @Test
    void mergeThenRemoveRestoresOtherUsersEntriesExactly(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config");
        Files.writeString(file, OTHER);
        ObjectNode before = Kubeconfigs.read(file);
        ObjectNode merged = Kubeconfigs.withCurrentContext(
                Kubeconfigs.merge(before, ours("dualstack-a", "https://127.0.0.1:1")), "dualstack-a");
        Kubeconfigs.write(file, merged);

        ObjectNode reread = Kubeconfigs.read(file);
        assertThat(reread.get("current-context").asText()).isEqualTo("dualstack-a");
        assertThat(reread.get("contexts")).hasSize(2);
        assertThat(Kubeconfigs.find(reread, "users", "alice").orElseThrow().path("user").path("exec").path("command").asText())
                .isEqualTo("aws");
        assertThat(reread.path("preferences").path("colors").asBoolean()).isTrue();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        ObjectNode removed = Kubeconfigs.removeContext(reread, "dualstack-a");
        assertThat(removed.get("clusters")).isEqualTo(before.get("clusters"));
        assertThat(removed.get("users")).isEqualTo(before.get("users"));
        assertThat(removed.get("contexts")).isEqualTo(before.get("contexts"));
        assertThat(removed.get("current-context").asText()).isEmpty();
    }

    @Test
    void mergeReplacesSameNamedEntriesInPlace() {
        ObjectNode base = Kubeconfigs.merge(Kubeconfigs.parse(OTHER), ours("dualstack-a", "https://127.0.0.1:1"));
        ObjectNode again = Kubeconfigs.merge(base, ours("dualstack-a", "https://127.0.0.1:2"));
        assertThat(again.get("clusters")).hasSize(2);
        assertThat(Kubeconfigs.find(again, "clusters", "dualstack-a").orElseThrow().path("cluster").path("server").asText())
                .isEqualTo("https://127.0.0.1:2");
        assertThat(again.get("current-context").asText()).isEqualTo("prod");
    }

    @Test
    void twoClustersSideBySideRemoveOnlyTheirOwnEntries() {
        ObjectNode both = Kubeconfigs.merge(Kubeconfigs.merge(Kubeconfigs.empty(), ours("dualstack-a", "https://127.0.0.1:1")),
                ours("dualstack-b", "https://127.0.0.1:2"));
        ObjectNode onlyB = Kubeconfigs.removeContext(Kubeconfigs.withCurrentContext(both, "dualstack-b"), "dualstack-a");
        assertThat(onlyB.get("contexts")).hasSize(1);
        assertThat(Kubeconfigs.find(onlyB, "clusters", "dualstack-b")).isPresent();
        assertThat(Kubeconfigs.find(onlyB, "users", "dualstack-a")).isEmpty();
        assertThat(onlyB.get("current-context").asText()).isEqualTo("dualstack-b");
    }

    @Test
    void missingOrEmptyFileReadsAsEmptyConfig(@TempDir Path dir) throws Exception {
        assertThat(Kubeconfigs.read(dir.resolve("nope")).get("kind").asText()).isEqualTo("Config");
        Path empty = Files.createFile(dir.resolve("empty"));
        assertThat(Kubeconfigs.read(empty).get("clusters")).isEmpty();
    }

    @Test
    void clientFromKubeconfigUsesTheNamedContext(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config");
        Kubeconfigs.write(file, Kubeconfigs.merge(Kubeconfigs.parse(OTHER), ours("dualstack-a", "https://127.0.0.1:6443")));
        try (var c = Clients.fromKubeconfig(file, java.util.Optional.of("dualstack-a"))) {
            assertThat(c.getConfiguration().getMasterUrl()).startsWith("https://127.0.0.1:6443");
            assertThat(c.getConfiguration().getAutoOAuthToken()).isEqualTo("secret");
            assertThat(c.getNamespace()).isEqualTo("default");
        }
        try (var c = Clients.fromKubeconfig(file)) {
            assertThat(c.getConfiguration().getMasterUrl()).startsWith("https://prod.example:6443");
            assertThat(c.getNamespace()).isEqualTo("web");
        }
    }
}
