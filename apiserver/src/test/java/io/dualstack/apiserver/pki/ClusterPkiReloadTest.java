package io.dualstack.apiserver.pki;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A restarted server (same state directory) must keep its CA and serving certificate, so kubeconfigs stay valid. */
class ClusterPkiReloadTest {

    @Test
    void loadingAnExistingStateDirectoryKeepsTheCaAndServingCertificate(@TempDir Path dir) throws Exception {
        List<String> dns = List.of("localhost", "kubernetes");
        List<String> ips = List.of("127.0.0.1", "::1", "10.96.0.1");
        ClusterPki first = ClusterPki.loadOrCreate(dir, dns, ips);
        ClusterPki second = ClusterPki.loadOrCreate(dir, dns, ips);
        assertThat(second.caPem()).isEqualTo(first.caPem());
        assertThat(second.keyStore("x".toCharArray()).getCertificate("apiserver"))
                .isEqualTo(first.keyStore("x".toCharArray()).getCertificate("apiserver"));
    }

    @Test
    void aNewServiceAddressReissuesTheServingCertificateFromTheSameCa(@TempDir Path dir) throws Exception {
        ClusterPki first = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of("127.0.0.1"));
        ClusterPki second = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of("127.0.0.1", "fd00:10:96::1"));
        assertThat(second.caPem()).isEqualTo(first.caPem());
        assertThat(second.keyStore("x".toCharArray()).getCertificate("apiserver"))
                .isNotEqualTo(first.keyStore("x".toCharArray()).getCertificate("apiserver"));
    }
}
