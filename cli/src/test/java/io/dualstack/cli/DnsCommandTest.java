package io.dualstack.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DnsCommandTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        127.0.0.1:53                 | 127.0.0.1:53
        [::1]:1053                   | [0:0:0:0:0:0:0:1]:1053
        127.0.0.1:0,[::1]:0          | 127.0.0.1:0 [0:0:0:0:0:0:0:1]:0
        """)
    void listenAddressesParse(String flag, String expected) {
        assertThat(String.join(" ", DnsCommand.parseAddresses(flag, "--listen").stream()
                .map(a -> (a.getAddress() instanceof java.net.Inet6Address ? "[" + a.getAddress().getHostAddress() + "]"
                        : a.getAddress().getHostAddress()) + ":" + a.getPort()).toList())).isEqualTo(expected);
    }

    @ParameterizedTest(name = "rejects {0}")
    @CsvSource(delimiter = '|', textBlock = """
        localhost:53
        ::1:53
        [127.0.0.1]:53
        127.0.0.1
        127.0.0.1:65536
        127.0.0.1:x
        10.0.0.0/8:53
        """)
    void badListenAddressesAreRejectedWithAHint(String flag) {
        assertThatThrownBy(() -> DnsCommand.parseAddresses(flag, "--listen"))
                .hasMessageContaining("is not ADDR:PORT; use e.g. 127.0.0.1:1053");
    }

    @Test
    void addressesPrintAsUsersTypeThem() {
        assertThat(DnsCommand.format(DnsCommand.parseAddresses("[::1]:53", "--listen").get(0))).isEqualTo("[::1]:53");
        assertThat(DnsCommand.format(DnsCommand.parseAddresses("127.0.0.1:53", "--listen").get(0))).isEqualTo("127.0.0.1:53");
    }

    @Test
    void missingKubeconfigIsOneLineAndNonZero(@TempDir Path dir) {
        Run r = run("dns", "--kubeconfig", dir.resolve("nope").toString(), "--listen", "127.0.0.1:0", "--metrics", "off");
        assertThat(r.code()).isNotZero();
        assertThat(r.err().strip().lines()).singleElement().asString()
                .startsWith("dualstack dns: cannot use kubeconfig").contains("does not exist");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        --ttl=4000       | --ttl 4000 is out of range
        --pods=sometimes | --pods 'sometimes' is not a mode
        --listen=foo     | --listen 'foo' is not ADDR:PORT
        --domain=a..b    | --domain 'a..b' is not a valid DNS name
        """)
    void badFlagsAreOneLineAndExit2(String flag, String message, @TempDir Path dir) {
        Run r = run("dns", "--kubeconfig", dir.resolve("kc").toString(), flag);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip().lines()).singleElement().asString().startsWith("dualstack dns: " + message);
    }

    @Test
    void helpListsTheUpstreamFlagNames() {
        Run r = run("dns", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--kubeconfig", "--context", "--domain", "--listen", "--ttl", "--pods", "--metrics");
    }
}
