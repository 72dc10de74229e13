package io.dualstack.apiserver.service;

import inet.ipaddr.IPAddressString;
import io.dualstack.apiserver.registry.ApiException;
import io.dualstack.apiserver.service.Cluster.Layout;
import io.fabric8.kubernetes.api.model.Service;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.dualstack.apiserver.service.Cluster.Layout.V4;
import static io.dualstack.apiserver.service.Cluster.Layout.V4V6;
import static io.dualstack.apiserver.service.Cluster.Layout.V6;
import static io.dualstack.apiserver.service.Cluster.Layout.V6V4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Create: ipFamilyPolicy / ipFamilies / clusterIPs defaulting and validation on every cluster
 * layout, as upstream's {@code TestCreateInitIPFields} / {@code TestCreateDualStack*} and the
 * validation tests pin them. Expectations: {@code "<policy> [<families>]"} (IPs allocated, one per
 * family, in range), {@code "headless <policy> [<families>]"}, {@code "externalname"}, or
 * {@code "ERR "} + the Status causes, one per line, as {@code field: message}.
 */
class ServiceCreateTableTest {

    /** A selector service with one port, plus {@code more} spec fields. */
    static String s(String more) {
        return "{spec: {selector: {app: web}, ports: [{port: 80}]" + (more.isEmpty() ? "" : ", " + more) + "}}";
    }

    /** Selectorless. */
    static String n(String more) {
        return "{spec: {ports: [{port: 80}]" + (more.isEmpty() ? "" : ", " + more) + "}}";
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // ---- single-stack IPv4
                arguments("v4: no policy, no families -> SingleStack [IPv4]", V4, s(""), "SingleStack [IPv4]"),
                arguments("v4: PreferDualStack falls back to one family", V4, s("ipFamilyPolicy: PreferDualStack"), "PreferDualStack [IPv4]"),
                arguments("v4: RequireDualStack refused (not configured for dual-stack)", V4, s("ipFamilyPolicy: RequireDualStack"),
                        "ERR spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
                arguments("v4: RequireDualStack [IPv4,IPv6] refused twice", V4, s("ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6]"),
                        "ERR spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services\n"
                                + "spec.ipFamilies[1]: Invalid value: \"IPv6\": not configured on this cluster"),
                arguments("v4: ipFamilies [IPv6] not configured", V4, s("ipFamilies: [IPv6]"),
                        "ERR spec.ipFamilies[0]: Invalid value: \"IPv6\": not configured on this cluster"),
                arguments("v4: PreferDualStack [IPv4,IPv6] -> second family not configured", V4, s("ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4, IPv6]"),
                        "ERR spec.ipFamilies[1]: Invalid value: \"IPv6\": not configured on this cluster"),
                arguments("v4: SingleStack with two families", V4, s("ipFamilyPolicy: SingleStack, ipFamilies: [IPv4, IPv6]"),
                        "ERR spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"),
                arguments("v4: unknown family IPv7", V4, s("ipFamilies: [IPv7]"),
                        "ERR spec.ipFamilies[0]: Unsupported value: \"IPv7\": supported values: \"IPv4\", \"IPv6\""),
                arguments("v4: duplicate family", V4, s("ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv4, IPv4]"),
                        "ERR spec.ipFamilies[1]: Duplicate value: \"IPv4\""),
                arguments("v4: unknown policy", V4, s("ipFamilyPolicy: DualStack"),
                        "ERR spec.ipFamilyPolicy: Unsupported value: \"DualStack\": supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\""),
                arguments("v4: user clusterIP in range", V4, s("clusterIP: 10.96.5.5"), "SingleStack [IPv4] 10.96.5.5"),
                arguments("v4: user clusterIP out of range", V4, s("clusterIP: 10.97.0.1"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.97.0.1\"}: failed to allocate IP 10.97.0.1: the provided IP (10.97.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16"),
                arguments("v4: network address is not allocatable", V4, s("clusterIP: 10.96.0.0"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.0.0\"}: failed to allocate IP 10.96.0.0: the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/16"),
                arguments("v4: broadcast address is not allocatable", V4, s("clusterIP: 10.96.255.255"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.255.255\"}: failed to allocate IP 10.96.255.255: the provided IP (10.96.255.255) is not in the valid range. The range of valid IPs is 10.96.0.0/16"),
                arguments("v4: the kubernetes Service IP is taken", V4, s("clusterIP: 10.96.0.1"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.0.1\"}: failed to allocate IP 10.96.0.1: provided IP is already allocated"),
                arguments("v4: IPv6 clusterIP on an IPv4 cluster", V4, s("clusterIP: fd00:10:96::5"),
                        "ERR spec.clusterIPs[0]: Invalid value: []string{\"fd00:10:96::5\"}: IPv6 is not configured on this cluster"),
                arguments("v4: malformed clusterIP (checked before allocation)", V4, s("clusterIP: 10.96.0.300"),
                        "ERR spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                arguments("v4: clusterIPs[0] must match clusterIP", V4, s("clusterIP: 10.96.0.5, clusterIPs: [10.96.0.6]"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.0.6\"}: first value must match `clusterIP`"),
                arguments("v4: clusterIPs without clusterIP", V4, s("clusterIPs: [10.96.0.6]"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.0.6\"}: must be empty when `clusterIP` is not specified"),
                arguments("v4: headless with selector -> SingleStack", V4, s("clusterIP: None"), "headless SingleStack [IPv4]"),
                arguments("v4: headless selectorless, no policy -> RequireDualStack [IPv4,IPv6] even single-stack", V4, n("clusterIP: None"),
                        "headless RequireDualStack [IPv4, IPv6]"),
                arguments("v4: headless selectorless SingleStack", V4, n("clusterIP: None, ipFamilyPolicy: SingleStack"), "headless SingleStack [IPv4]"),
                arguments("v4: ExternalName gets no IPs and no families", V4, "{spec: {type: ExternalName, externalName: db.example.com}}", "externalname"),
                arguments("v4: ExternalName with a policy", V4, "{spec: {type: ExternalName, externalName: db.example.com, ipFamilyPolicy: SingleStack}}",
                        "ERR spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services"),
                arguments("v4: ExternalName with clusterIP", V4, "{spec: {type: ExternalName, externalName: db.example.com, clusterIP: 10.96.0.5}}",
                        "ERR spec.clusterIPs: Forbidden: may not be set for ExternalName services"),
                arguments("v4: NodePort cannot be headless", V4, s("type: NodePort, clusterIP: None"),
                        "ERR spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
                arguments("v4: LoadBalancer cannot be headless", V4, s("type: LoadBalancer, clusterIP: None"),
                        "ERR spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"),
                arguments("v4: ports required", V4, "{spec: {selector: {app: web}}}", "ERR spec.ports: Required value"),
                // ---- single-stack IPv6
                arguments("v6: no policy -> SingleStack [IPv6]", V6, s(""), "SingleStack [IPv6]"),
                arguments("v6: PreferDualStack falls back", V6, s("ipFamilyPolicy: PreferDualStack"), "PreferDualStack [IPv6]"),
                arguments("v6: RequireDualStack refused", V6, s("ipFamilyPolicy: RequireDualStack"),
                        "ERR spec.ipFamilyPolicy: Invalid value: \"RequireDualStack\": this cluster is not configured for dual-stack services"),
                arguments("v6: ipFamilies [IPv4] not configured", V6, s("ipFamilies: [IPv4]"),
                        "ERR spec.ipFamilies[0]: Invalid value: \"IPv4\": not configured on this cluster"),
                arguments("v6: user clusterIP in range", V6, s("clusterIP: \"fd00:10:96::a\""), "SingleStack [IPv6] fd00:10:96::a"),
                arguments("v6: network address is not allocatable", V6, s("clusterIP: \"fd00:10:96::\""),
                        "ERR spec.clusterIPs: Invalid value: []string{\"fd00:10:96::\"}: failed to allocate IP fd00:10:96::: the provided IP (fd00:10:96::) is not in the valid range. The range of valid IPs is fd00:10:96::/112"),
                arguments("v6: headless selectorless -> [IPv6, IPv4]", V6, n("clusterIP: None"), "headless RequireDualStack [IPv6, IPv4]"),
                // ---- dual-stack, IPv4 first
                arguments("v4v6: no policy -> SingleStack primary family", V4V6, s(""), "SingleStack [IPv4]"),
                arguments("v4v6: PreferDualStack -> both families, primary first", V4V6, s("ipFamilyPolicy: PreferDualStack"), "PreferDualStack [IPv4, IPv6]"),
                arguments("v4v6: RequireDualStack -> both families", V4V6, s("ipFamilyPolicy: RequireDualStack"), "RequireDualStack [IPv4, IPv6]"),
                arguments("v4v6: RequireDualStack [IPv6] -> [IPv6, IPv4]", V4V6, s("ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6]"), "RequireDualStack [IPv6, IPv4]"),
                arguments("v4v6: seed: PreferDualStack [IPv6,IPv4] -> IPv6 clusterIP, two clusterIPs", V4V6,
                        s("ipFamilyPolicy: PreferDualStack, ipFamilies: [IPv6, IPv4]"), "PreferDualStack [IPv6, IPv4]"),
                arguments("v4v6: SingleStack [IPv6] -> secondary family only", V4V6, s("ipFamilyPolicy: SingleStack, ipFamilies: [IPv6]"), "SingleStack [IPv6]"),
                arguments("v4v6: families inferred from an IPv6 clusterIP", V4V6, s("clusterIP: \"fd00:10:96::5\""), "SingleStack [IPv6] fd00:10:96::5"),
                arguments("v4v6: two user clusterIPs", V4V6, s("ipFamilyPolicy: RequireDualStack, clusterIP: 10.96.7.7, clusterIPs: [10.96.7.7, \"fd00:10:96::7\"]"),
                        "RequireDualStack [IPv4, IPv6] 10.96.7.7,fd00:10:96::7"),
                arguments("v4v6: PreferDualStack with only the primary IP given allocates the second", V4V6,
                        s("ipFamilyPolicy: PreferDualStack, clusterIP: 10.96.8.8"), "PreferDualStack [IPv4, IPv6] 10.96.8.8"),
                arguments("v4v6: two IPv4 clusterIPs", V4V6, s("ipFamilyPolicy: RequireDualStack, clusterIP: 10.96.7.7, clusterIPs: [10.96.7.7, 10.96.7.8]"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.7.7\", \"10.96.7.8\"}: may specify no more than one IP for each IP family"),
                arguments("v4v6: three clusterIPs", V4V6, s("ipFamilyPolicy: RequireDualStack, clusterIP: 10.96.7.7, clusterIPs: [10.96.7.7, \"fd00:10:96::7\", 10.96.7.9]"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"10.96.7.7\", \"fd00:10:96::7\", \"10.96.7.9\"}: may only hold up to 2 values"),
                arguments("v4v6: clusterIPs against ipFamilies order", V4V6,
                        s("ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4], clusterIP: 10.96.7.7, clusterIPs: [10.96.7.7, \"fd00:10:96::7\"]"),
                        "ERR spec.clusterIPs[0]: Invalid value: \"10.96.7.7\": expected an IPv6 value as indicated by `ipFamilies[0]`\n"
                                + "spec.clusterIPs[1]: Invalid value: \"fd00:10:96::7\": expected an IPv4 value as indicated by `ipFamilies[1]`"),
                arguments("v4v6: SingleStack with two clusterIPs", V4V6, s("ipFamilyPolicy: SingleStack, clusterIP: 10.96.7.7, clusterIPs: [10.96.7.7, \"fd00:10:96::7\"]"),
                        "ERR spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"),
                arguments("v4v6: 'None' must be alone", V4V6, s("ipFamilyPolicy: RequireDualStack, clusterIP: None, clusterIPs: [None, \"fd00:10:96::7\"]"),
                        "ERR spec.clusterIPs: Invalid value: []string{\"None\", \"fd00:10:96::7\"}: 'None' must be the first and only value"),
                arguments("v4v6: headless selectorless -> RequireDualStack", V4V6, n("clusterIP: None"), "headless RequireDualStack [IPv4, IPv6]"),
                arguments("v4v6: headless with selector PreferDualStack", V4V6, s("clusterIP: None, ipFamilyPolicy: PreferDualStack"), "headless PreferDualStack [IPv4, IPv6]"),
                arguments("v4v6: NodePort RequireDualStack", V4V6, s("type: NodePort, ipFamilyPolicy: RequireDualStack"), "RequireDualStack [IPv4, IPv6]"),
                // ---- dual-stack, IPv6 first
                arguments("v6v4: no policy -> SingleStack [IPv6]", V6V4, s(""), "SingleStack [IPv6]"),
                arguments("v6v4: PreferDualStack -> [IPv6, IPv4]", V6V4, s("ipFamilyPolicy: PreferDualStack"), "PreferDualStack [IPv6, IPv4]"),
                arguments("v6v4: RequireDualStack [IPv4] -> [IPv4, IPv6]", V6V4, s("ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4]"), "RequireDualStack [IPv4, IPv6]"),
                arguments("v6v4: SingleStack [IPv4]", V6V4, s("ipFamilies: [IPv4]"), "SingleStack [IPv4]"),
                arguments("v6v4: headless selectorless -> [IPv6, IPv4]", V6V4, n("clusterIP: None"), "headless RequireDualStack [IPv6, IPv4]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void create(String name, Layout layout, String yaml, String expect) {
        Cluster c = new Cluster(layout);
        if (expect.startsWith("ERR ")) {
            assertThatThrownBy(() -> c.create(yaml))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(422);
                        assertThat(causes(e)).isEqualTo(expect.substring(4));
                        assertThat(e.status().getMessage()).startsWith("Service \"web\" is invalid: ");
                    });
            // nothing leaked: only the kubernetes Service IP is held
            c.admission.allocators().clusterIps().values().forEach(fa ->
                    assertThat(fa.allocatedCount()).isEqualTo(fa.family() == c.admission.allocators().primary() ? 1 : 0));
            return;
        }
        Service got = c.create(yaml);
        Service stored = c.get("web");
        assertThat(stored.getSpec()).isEqualTo(got.getSpec());
        if (expect.equals("externalname")) {
            assertThat(stored.getSpec().getClusterIPs()).isEmpty();
            assertThat(stored.getSpec().getIpFamilies()).isEmpty();
            assertThat(stored.getSpec().getIpFamilyPolicy()).isNull();
            return;
        }
        boolean headless = expect.startsWith("headless ");
        String[] parts = expect.replace("headless ", "").split(" ", 2);
        String policy = parts[0];
        String rest = parts[1];
        String families = rest.substring(0, rest.indexOf(']') + 1);
        String ips = rest.substring(rest.indexOf(']') + 1).trim();
        assertThat(stored.getSpec().getIpFamilyPolicy()).isEqualTo(policy);
        assertThat(stored.getSpec().getIpFamilies().toString()).isEqualTo(families);
        if (headless) {
            assertThat(stored.getSpec().getClusterIPs()).containsExactly("None");
            assertThat(stored.getSpec().getClusterIP()).isEqualTo("None");
            return;
        }
        List<String> clusterIPs = stored.getSpec().getClusterIPs();
        assertThat(clusterIPs).hasSameSizeAs(stored.getSpec().getIpFamilies());
        assertThat(stored.getSpec().getClusterIP()).isEqualTo(clusterIPs.get(0));
        for (int i = 0; i < clusterIPs.size(); i++) {
            var ip = new IPAddressString(clusterIPs.get(i)).getAddress();
            assertThat(ip.isIPv6() ? "IPv6" : "IPv4").isEqualTo(stored.getSpec().getIpFamilies().get(i));
            var fa = c.admission.allocators().clusterIps().get(io.dualstack.core.IpFamily.of(ip));
            assertThat(fa.isAllocated(ip)).as("%s held", ip).isTrue();
            assertThat(c.store.get(io.dualstack.apiserver.registry.ResourceCatalog.IPADDRESSES, null, clusterIPs.get(i)))
                    .as("IPAddress object for %s", ip).isPresent();
        }
        if (!ips.isEmpty()) {
            List<String> want = List.of(ips.split(","));
            assertThat(clusterIPs.subList(0, want.size())).isEqualTo(want);
        }
    }

    static String causes(ApiException e) {
        return e.status().getDetails().getCauses().stream().map(ApiException::causeText).collect(Collectors.joining("\n"));
    }
}
