package io.dualstack.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterHomeTest {
    @AfterEach
    void clear() {
        System.clearProperty("dualstack.home");
        System.clearProperty("dualstack.kubeconfig");
    }

    @ParameterizedTest(name = "cluster name ''{0}'' valid={1}")
    @CsvSource({
            "dualstack,true", "lab-1,true", "a,true", "0abc,true",
            "Lab,false", "lab_1,false", "-lab,false", "lab-,false", "a/b,false", "'',false",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,true", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,false"})
    void clusterNames(String name, boolean valid) {
        if (valid) {
            assertThat(ClusterHome.of(name).contextName()).isEqualTo("dualstack-" + name);
        } else {
            assertThatThrownBy(() -> ClusterHome.of(name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid cluster name");
        }
    }

    @ParameterizedTest(name = "KUBECONFIG=''{0}'' -> {1}")
    @CsvSource({
            "/tmp/a/config,/tmp/a/config",
            "/tmp/a/config:/tmp/b/config,/tmp/a/config",
            ":/tmp/b/config,/tmp/b/config"})
    void kubeconfigIsTheFirstPathOfKUBECONFIG(String value, String expected) {
        System.setProperty("dualstack.kubeconfig", value);
        assertThat(ClusterHome.kubeconfigTarget()).isEqualTo(Path.of(expected));
    }

    @Test
    void stateLivesUnderDualstackHomePerName(@TempDir Path tmp) throws Exception {
        System.setProperty("dualstack.home", tmp.toString());
        ClusterHome a = ClusterHome.of("a");
        ClusterHome b = ClusterHome.of("b");
        assertThat(a.stateDir()).isEqualTo(tmp.resolve("a"));
        assertThat(b.log()).isEqualTo(tmp.resolve("b").resolve("serve.log"));
        a.createStateDir();
        assertThat(Files.getPosixFilePermissions(a.stateDir())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        ClusterHome.writeAtomically(a.kubeconfig(), "secret");
        assertThat(Files.getPosixFilePermissions(a.kubeconfig())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        a.deleteStateDir();
        assertThat(Files.exists(a.stateDir())).isFalse();
    }

    @Test
    void ownPidRecordIsRecognisedOnlyWhileItRunsServe(@TempDir Path tmp) {
        System.setProperty("dualstack.home", tmp.toString());
        ClusterHome h = ClusterHome.of("self");
        h.writePid();
        assertThat(h.readPid().orElseThrow().pid()).isEqualTo(ProcessHandle.current().pid());
        // The test JVM is alive and started when recorded, but it is not running 'serve'.
        assertThat(h.runningServer()).isEmpty();
    }
}
