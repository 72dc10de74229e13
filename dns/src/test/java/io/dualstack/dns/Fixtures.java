package io.dualstack.dns;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A dual-stack cluster in objects: every Service shape the DNS answers differ on. */
final class Fixtures {
    private Fixtures() {
    }

    static ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol)
                .withTargetPort(new IntOrString(port)).build();
    }

    static Service clusterIp(String ns, String name, List<String> ips, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(ips.get(0)).withClusterIPs(ips)
                .withIpFamilies(ips.stream().map(ip -> ip.contains(":") ? "IPv6" : "IPv4").toList())
                .withPorts(ports).endSpec().build();
    }

    static Service headless(String ns, String name, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP("None").withClusterIPs("None")
                .withPorts(ports).endSpec().build();
    }

    static Service externalName(String ns, String name, String target) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName(target).endSpec().build();
    }

    static Endpoint endpoint(String ip, String hostname, Boolean ready) {
        EndpointBuilder b = new EndpointBuilder().withAddresses(ip).withNewConditions().withReady(ready).endConditions();
        if (hostname != null) b.withHostname(hostname);
        return b.build();
    }

    static EndpointSlice slice(String ns, String name, String service, String family, List<Endpoint> endpoints,
                               ServicePort... ports) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withLabels(Map.of(ZoneBuilder.SERVICE_NAME_LABEL, service)).endMetadata()
                .withAddressType(family).withEndpoints(endpoints)
                .withPorts(java.util.Arrays.stream(ports).map(p -> new EndpointPortBuilder().withName(p.getName())
                        .withPort(p.getPort()).withProtocol(p.getProtocol()).build()).toList())
                .build();
    }

    static List<Service> services() {
        List<Service> s = new ArrayList<>();
        s.add(clusterIp("default", "web4", List.of("10.96.0.10"), port("http", 80, "TCP")));
        s.add(clusterIp("default", "web6", List.of("fd00:10:96::a"), port("http", 80, "TCP")));
        s.add(clusterIp("default", "dual4", List.of("10.96.0.11", "fd00:10:96::b"),
                port("http", 80, "TCP"), port("dns", 53, "UDP")));
        s.add(clusterIp("default", "dual6", List.of("fd00:10:96::c", "10.96.0.12"), port("https", 443, "TCP")));
        s.add(headless("default", "db", port("pg", 5432, "TCP")));
        s.add(headless("default", "empty"));
        s.add(externalName("default", "ext", "example.com"));
        s.add(externalName("default", "alias", "dual4.default.svc.cluster.local"));
        s.add(clusterIp("kube-system", "kube-dns", List.of("10.96.0.53", "fd00:10:96::35"),
                port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP")));
        s.add(headless("prod", "big", port("http", 80, "TCP")));
        return s;
    }

    static List<EndpointSlice> slices() {
        List<EndpointSlice> s = new ArrayList<>();
        s.add(slice("default", "db-v4", "db", "IPv4", List.of(
                endpoint("10.244.1.5", "db-0", true),
                endpoint("10.244.2.6", null, null),
                endpoint("10.244.3.7", "db-2", false)), port("pg", 5432, "TCP")));
        s.add(slice("default", "db-v6", "db", "IPv6", List.of(
                endpoint("fd00:10:244:1::5", "db-0", true),
                endpoint("fd00:10:244:2::6", null, true)), port("pg", 5432, "TCP")));
        s.add(slice("default", "web4-abc", "web4", "IPv4", List.of(endpoint("10.244.1.9", null, true)),
                port("http", 8080, "TCP")));
        List<Endpoint> many = new ArrayList<>();
        for (int i = 1; i <= 60; i++) many.add(endpoint("fd00:10:244:9::" + Integer.toHexString(i), null, true));
        s.add(slice("prod", "big-v6", "big", "IPv6", many, port("http", 80, "TCP")));
        return s;
    }

    static List<String> namespaces() {
        return List.of("default", "kube-system", "prod", "empty-ns");
    }

    static Zone zone(ZoneConfig config) {
        return new ZoneBuilder(config).services(services()).endpointSlices(slices()).namespaces(namespaces())
                .serial(1_700_000_000L).build();
    }

    static Zone zone() {
        return zone(ZoneConfig.of("cluster.local"));
    }
}
